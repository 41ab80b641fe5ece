"""The EPUB container: the package document with its accessibility metadata, and the zip around it all.

The package document is written with ElementTree, so it is well formed whatever the texts
hold. The zip has the `mimetype` entry first and stored, as EPUB requires, and every entry
with the same time and permissions, so the same inputs give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Item", "Metadata", "package_document", "container", "zip_book", "MEDIA_TYPES", "CONFORMANCE"]

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
_XML_LANG = "xml:lang"
# Declared although EPUB reserves it: older epubcheck and reading systems may not know it.
_PREFIXES = "a11y: http://www.idpf.org/epub/vocab/package/a11y/#"
PACKAGE = "EPUB/package.opf"
# The conformance the library claims for every EPUB, checked in its tests (epubcheck; axe-core).
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# The images a book may hold: EPUB 3's core media types, which every reading system shows.
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml"}
# A fixed namespace for the books' identifiers: one book (a paper or the volume in one language)
# keeps its identifier from build to build.
_IDENTIFIERS = uuid.UUID("6f2c9a7e-52a4-4c55-9e0d-3b1f0c6a2d41")


@dataclass(frozen=True)
class Item:
    """A file of the book: its name under EPUB/, media type, properties, and whether it is read in order."""

    name: str
    data: bytes
    media_type: str
    properties: str = ""
    spine: bool = False  # a content document read in order (the nav and the texts)


@dataclass(frozen=True)
class Metadata:
    """What the package says of the book, as plain text."""

    key: str  # "fr/what-is-the-imrf": names the book for its identifier
    title: str
    language: str
    direction: str
    publisher: str
    description: str
    date: dt.date
    modified: dt.datetime
    keywords: tuple[str, ...] = ()
    summary: tuple[tuple[str, str], ...] = ()  # the accessibility summary's sentences, each with its language
    print_source: str = ""  # the printed edition the page list follows ("" when there is none)
    images: bool = False  # whether any document shows an image (with its description)
    features: tuple[str, ...] = field(default=("readingOrder", "structuralNavigation", "tableOfContents",
                                               "displayTransformability"))


def package_document(meta: Metadata, items: list[Item]) -> bytes:
    """The package document (EPUB/package.opf): metadata, then every item, then the reading order."""
    # Names written as they read (dc:title), the namespaces declared where EPUB's examples do:
    # ElementTree would otherwise invent prefixes of its own.
    package = ET.Element("package", {"xmlns": OPF, "version": "3.0", "unique-identifier": "book-id",
                                     "prefix": _PREFIXES, "dir": meta.direction, _XML_LANG: meta.language})
    _metadata(ET.SubElement(package, "metadata", {"xmlns:dc": DC}), meta)
    manifest = ET.SubElement(package, "manifest")
    spine = ET.SubElement(package, "spine")
    for number, item in enumerate(items, start=1):
        attributes = {"id": _item_id(number, item), "href": item.name, "media-type": item.media_type}
        if item.properties:
            attributes["properties"] = item.properties
        ET.SubElement(manifest, "item", attributes)
        if item.spine:
            ET.SubElement(spine, "itemref", {"idref": attributes["id"]})
    ET.indent(package, space=" ")
    text = ET.tostring(package, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'.encode()


def _item_id(number: int, item: Item) -> str:
    # The EPUB 2 cover hint names the cover image's id; the others only need to be distinct.
    return "cover-image" if "cover-image" in item.properties else f"item-{number}"


def _metadata(metadata: ET.Element, meta: Metadata) -> None:
    def dc(name: str, text: str, **attributes: str) -> ET.Element:
        element = ET.SubElement(metadata, f"dc:{name}", attributes)
        element.text = text
        return element

    def property_(name: str, text: str, language: str = "") -> None:
        element = ET.SubElement(metadata, "meta", {"property": name})
        element.text = text
        if language and language != meta.language:
            element.set(_XML_LANG, language)

    dc("identifier", f"urn:uuid:{uuid.uuid5(_IDENTIFIERS, meta.key)}", id="book-id")
    dc("title", meta.title)
    dc("language", meta.language)
    dc("creator", meta.publisher)
    dc("publisher", meta.publisher)
    dc("date", meta.date.isoformat())
    dc("description", meta.description)
    for keyword in meta.keywords:
        dc("subject", keyword)
    if meta.print_source:  # the edition whose pages the page list gives (EPUB 3.2's way, which epubcheck 4 knows)
        dc("source", meta.print_source, id="print-source")
        ET.SubElement(metadata, "meta", {"refines": "#print-source", "property": "source-of"}).text = "pagination"
    property_("dcterms:modified", meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _accessibility(meta, property_)
    ET.SubElement(metadata, "meta", {"name": "cover", "content": "cover-image"})  # for EPUB 2 readers


class _Property(Protocol):
    """Writes one <meta property> of the package, with its language if not the book's."""

    def __call__(self, name: str, text: str, language: str = "") -> None: ...


def _accessibility(meta: Metadata, property_: _Property) -> None:
    """EPUB Accessibility 1.1's discovery and conformance metadata (schema.org's terms)."""
    property_("schema:accessMode", "textual")
    if meta.images:
        property_("schema:accessMode", "visual")
    property_("schema:accessModeSufficient", "textual")
    features = [*meta.features, *(("alternativeText",) if meta.images else ()),
                *(("pageNavigation",) if meta.print_source else ())]
    for feature in sorted(features):
        property_("schema:accessibilityFeature", feature)
    property_("schema:accessibilityHazard", "none")
    for sentence, language in meta.summary:
        property_("schema:accessibilitySummary", sentence, language)
    property_("dcterms:conformsTo", CONFORMANCE)
    property_("a11y:certifiedBy", meta.publisher)


def container() -> bytes:
    """META-INF/container.xml: where the package document is."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
            f' <rootfiles>\n  <rootfile full-path="{PACKAGE}" media-type="application/oebps-package+xml"/>\n'
            ' </rootfiles>\n</container>\n').encode()


def zip_book(meta: Metadata, items: list[Item]) -> bytes:
    """The EPUB file: mimetype first and stored, then the container, the package and the items, deflated."""
    moment = max(meta.modified, dt.datetime(1980, 1, 1, tzinfo=dt.UTC))  # a zip cannot say earlier
    stamp = moment.timetuple()[:6]
    entries = [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", container()),
               (PACKAGE, package_document(meta, items)), *((f"EPUB/{item.name}", item.data) for item in items)]
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as book:
        for name, content in entries:
            info = zipfile.ZipInfo(name, stamp)
            info.create_system = 3  # Unix, wherever it is built
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            book.writestr(info, content, compresslevel=None if stored else 9)
    return data.getvalue()
