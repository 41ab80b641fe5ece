"""A template's HTML as the XHTML an EPUB holds: parsed as a browser parses it, written as XML.

The templates are the site's and the PDFs' HTML; rather than keep them well-formed XML by hand,
the stage parses what they render with tinyhtml5 (the parser WeasyPrint uses) and writes the
tree with ElementTree, which cannot write XML that is not well formed. On the way, the root
declares the XHTML and EPUB namespaces, every `lang` gets its `xml:lang`, the printed edition's
page breaks are marked, and a link that would lead nowhere inside the book (an address of the
site, an anchor of no passage) keeps only its text.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["XHTML", "OPS", "Document", "page_break_id"]

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"  # the namespace of epub:type
_LINK_SCHEMES = re.compile(r"^(https?|mailto):", re.I)


def page_break_id(number: int) -> str:
    """The id of the marker of a printed page; a passage's id has no underscore, so none can take it."""
    return f"page_{number}"


class Document:
    """One content document, parsed: its ids in reading order and the images it shows, then its XHTML."""

    def __init__(self, html_text: str) -> None:
        import tinyhtml5  # type: ignore[import-untyped]  # tinyhtml5 ships no type information

        # Names kept as the HTML has them (p, epub:type), the namespaces declared once on the root:
        # ElementTree would otherwise invent prefixes of its own.
        self.root: ET.Element = tinyhtml5.parse(html_text, namespace_html_elements=False)
        elements = list(self.root.iter())
        self.ids = tuple(id_ for element in elements if (id_ := element.get("id")))
        self.images = tuple(image.get("src", "") for image in self.root.iter("img"))

    def mark_pages(self, breaks: dict[str, list[int]]) -> None:
        """Put the marker of each page of breaks (anchor -> pages) where the passage with that anchor starts."""
        parents = {child: parent for parent in self.root.iter() for child in parent}
        by_id = {element.get("id"): element for element in self.root.iter() if element.get("id")}
        for anchor, numbers in breaks.items():
            parent, index = _marker_place(by_id[anchor], parents)
            markers = [_marker(number) for number in numbers]
            if parent is by_id[anchor]:  # inside a cell: the markers go before its text
                markers[-1].tail, parent.text = parent.text, None
            for offset, marker in enumerate(markers):
                parent.insert(index + offset, marker)

    def xhtml(self, elsewhere: frozenset[str] = frozenset(), prefix: str = "") -> bytes:
        """The document as XHTML.

        elsewhere holds the places of the book's other documents a link may lead to ('name.xhtml',
        'name.xhtml#id'); a link to an anchor missing here is tried with prefix (a volume's ids).
        """
        root = self.root
        for element in root.iter():
            for name in [name for name in element.attrib if name == "xmlns" or name.startswith("xmlns:")]:
                del element.attrib[name]
            if "lang" in element.attrib:
                element.set("xml:lang", element.attrib["lang"])
        root.attrib = {"xmlns": XHTML, "xmlns:epub": OPS, **root.attrib}
        ids = {id_ for element in root.iter() if (id_ := element.get("id"))}
        _keep_reachable_links(root, ids, elsewhere, prefix)
        text = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n{text}\n'.encode()


def _marker(number: int) -> ET.Element:
    marker = ET.Element("span", {"id": page_break_id(number), "role": "doc-pagebreak", "epub:type": "pagebreak",
                                 "aria-label": str(number)})
    marker.tail = "\n"
    return marker


def _marker_place(element: ET.Element, parents: dict[ET.Element, ET.Element]) -> tuple[ET.Element, int]:
    """Where a page's marker goes for the passage element: just before it, so that a heading's name
    stays its words; before the whole contents, whose navigation holds only its heading and list;
    inside a table cell, where nothing may stand between the cells."""
    outermost_nav = None
    ancestor = element
    while ancestor in parents:
        ancestor = parents[ancestor]
        if ancestor.tag == "nav":
            outermost_nav = ancestor
    target = outermost_nav if outermost_nav is not None else element
    parent = parents[target]
    if parent.tag == "tr":
        return target, 0
    return parent, list(parent).index(target)


def _keep_reachable_links(root: ET.Element, ids: set[str], elsewhere: frozenset[str], prefix: str) -> None:
    """Links out of the book, and to places that exist in it, stay; any other keeps only its text.

    A translation's link to a page of the site, say, has no place in a book, and epubcheck
    would rightly call it broken.
    """
    parents = {child: parent for parent in root.iter() for child in parent}
    for link in list(root.iter("a")):
        href = link.get("href", "")
        if _LINK_SCHEMES.match(href) or href in elsewhere:
            continue
        if href.startswith("#") and href[1:] in ids:
            continue
        if href.startswith("#") and prefix + href[1:] in ids:
            link.set("href", f"#{prefix}{href[1:]}")
            continue
        _unwrap(parents[link], link)


def _unwrap(parent: ET.Element, element: ET.Element) -> None:
    """Replace element by what it holds: its text, its children and their tails, then its own tail."""
    index = list(parent).index(element)
    text = (element.text or "")
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text
    children = list(element)
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = element.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif index == 0:
        parent.text = (parent.text or "") + tail
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + tail
