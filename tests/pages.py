"""Read a built page as a browser would (an HTML5 parser), to assert on its elements."""
from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

import tinyhtml5


class Page:
    """A parsed HTML page with a few lookups the tests need."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: Element = tinyhtml5.parse(path.read_text("utf-8"), namespace_html_elements=False)
        self.parents = {child: parent for parent in self.root.iter() for child in parent}

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.root.iter() if e.get("id") == element_id]
        assert len(found) == 1, f"{self.path}: {len(found)} elements with id {element_id!r}"
        return found[0]

    def all(self, tag: str) -> list[Element]:
        return list(self.root.iter(tag))

    def with_class(self, name: str) -> list[Element]:
        return [e for e in self.root.iter() if name in (e.get("class") or "").split()]

    def ids(self) -> list[str]:
        return [e.get("id") for e in self.root.iter() if e.get("id")]

    def language_of(self, element: Element) -> str:
        """The language in effect at element: its own lang, or its nearest ancestor's."""
        while element is not None:
            if element.get("lang"):
                return element.get("lang")
            element = self.parents.get(element)
        return ""


def text(element: Element) -> str:
    """The element's text with HTML whitespace collapsed (no-break spaces kept), as a reader sees it."""
    return re.sub(r"[ \t\n\r\f]+", " ", "".join(element.itertext())).strip()
