"""The PDFs' XMP metadata in full Dublin Core, as the site's pages say it: language, publisher, date, subjects.

WeasyPrint writes dc:title, dc:creator and dc:description from the document's <title> and <meta>
tags; reference managers and repositories also read dc:language, dc:publisher, dc:date, dc:subject,
dc:type and dc:format, which are added here to the same rdf:RDF, from the same tags, so a PDF's
XMP agrees with its page's Dublin Core.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement, fromstring, tostring

if TYPE_CHECKING:
    import weasyprint

__all__ = ["add_dublin_core"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"


def add_dublin_core(document: weasyprint.Document) -> None:
    """Have WeasyPrint's XMP of document carry the rest of Dublin Core (a rendered weasyprint.Document)."""
    metadata = document.metadata
    generate = metadata.generate_rdf_metadata

    def generate_with_dublin_core(*args: Any, **kwargs: Any) -> bytes:
        rdf = fromstring(generate(*args, **kwargs))
        description = SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
        _container(description, "language", "Bag", [metadata.lang] if metadata.lang else [])
        _container(description, "publisher", "Bag", metadata.authors)
        _container(description, "date", "Seq", [metadata.created[:10]] if metadata.created else [])
        _container(description, "subject", "Bag", metadata.keywords)
        _container(description, "type", "Bag", ["Text"])
        SubElement(description, f"{{{_DC}}}format").text = "application/pdf"
        data: bytes = tostring(rdf, encoding="utf-8")  # bytes for any encoding but "unicode"
        return data

    metadata.generate_rdf_metadata = generate_with_dublin_core


def _container(parent: Element, name: str, kind: str, values: list[str]) -> None:
    if not values:
        return
    container = SubElement(SubElement(parent, f"{{{_DC}}}{name}"), f"{{{_RDF}}}{kind}")
    for value in values:
        SubElement(container, f"{{{_RDF}}}li").text = value
