"""Repairs to WeasyPrint's PDF tagging, so that the PDFs conform to PDF/UA-1 and PDF/UA-2.

WeasyPrint 70 builds the structure tree from the boxes in `weasyprint.pdf.tags._build_box_tree`,
a generator that calls itself through its module's global name. Wrapping that name lets every
structure element pass through here once it is complete, and these are mended:

- A list item whose content is a block (`<li><p>…</p></li>`) gets that block as its direct kid,
  next to its label, where PDF/UA-1 (veraPDF rule 7.2-20) allows only `Lbl` and `LBody`: the
  kids other than the label go into one `LBody`.
- Every box inside a link gets its own link annotation, but only an `a` is tagged `Link`: an
  `<em>` in a link holds its annotation in a `NonStruct`, where PDF/UA-1 (7.18.5-1) wants a
  `Link`; such an element becomes one.
- WeasyPrint writes `/Lang` only on the document, so an English passage of a French PDF is read
  with a French voice: an element whose HTML carries `lang` gets it as `/Lang` on its
  structure element (ISO 32000-1, 14.9.2), which its kids inherit.
- A list says how its items are marked (`ListNumbering`, from its list-style-type), which
  PDF/UA-2 (8.2.5.25-1) asks of a list whose items have labels.
- A code block, code and a figure, which WeasyPrint leaves `NonStruct`, become `P`, `Code` and
  `Sect`, so that PDF 2.0, which sees through `NonStruct`, finds no bare text in a section and
  a caption first or last in its figure (PDF/UA-2).
- In a PDF 2.0 file (pdf/ua-2), every internal link and bookmark also leads to the structure
  element of its target (a structure destination, PDF/UA-2 8.8-1), beside its page position;
  for that, WeasyPrint's `add_tags`, which pdf/__init__ calls by its own name, is wrapped too.

All are worth proposing upstream; until WeasyPrint does them, the wrappers are tied to the
WeasyPrint versions setup.cfg allows, and refuse any other.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from library.core.errors import LibraryError

__all__ = ["SUPPORTED_WEASYPRINT", "repair_weasyprint_tagging"]

# The major versions of WeasyPrint whose tagging code this wrapper was written for and tested
# against; setup.cfg allows the same.
SUPPORTED_WEASYPRINT = (70,)


def repair_weasyprint_tagging() -> None:
    """Wrap WeasyPrint's structure-tree builder with the repairs (once per process)."""
    import weasyprint
    import weasyprint.pdf
    from weasyprint.pdf import tags

    if hasattr(tags._build_box_tree, "original"):
        return
    major = int(weasyprint.__version__.split(".")[0])
    if major not in SUPPORTED_WEASYPRINT:
        raise LibraryError(f"library/outputs/pdf/tags.py repairs the tagging of WeasyPrint {SUPPORTED_WEASYPRINT}, "
                           f"not of the installed {weasyprint.__version__}: install the version setup.cfg asks for")
    build = tags._build_box_tree
    add_tags = getattr(weasyprint.pdf.add_tags, "original", weasyprint.pdf.add_tags)  # never wrapped twice
    # The HTML elements of the boxes being built, outermost first: the builder runs depth first,
    # each call consumed whole by its caller, so the last one is the enclosing box's element.
    elements: list[Any] = []
    targets = _Targets()

    def build_box_tree(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any, annotations: Any,
                       tagged: Any) -> Iterator[Any]:
        enclosing = elements[-1] if elements else None
        elements.append(box.element)
        try:
            for element in build(box, parent, pdf, page_number, nums, annotations, tagged):
                own = box.element is not enclosing  # not an anonymous box or pseudo-element of the same
                if own:
                    _tag_language(box, element)
                    targets.note(box, element, page_number)
                    if element["S"] == "/NonStruct" and box.element_tag in _STRUCTURE_TYPES:
                        element["S"] = _STRUCTURE_TYPES[box.element_tag]
                if box.link_annotation is not None and element["S"] != "/Link" and _holds_annotation(pdf, element):
                    element["S"] = "/Link"
                if element["S"] == "/LI":
                    _wrap_list_item_body(element, pdf)
                elif element["S"] == "/L" and own:
                    _number_list(box, element)
                yield element
        finally:
            elements.pop()

    def add_tags_and_destinations(pdf: Any, document: Any, pdf_version: Any, page_streams: Any) -> None:
        nonlocal targets
        targets = _Targets()  # those of this document only
        add_tags(pdf, document, pdf_version, page_streams)
        if str(pdf_version) >= "2.0":
            _add_structure_destinations(pdf, targets)

    # The functions replaced, kept on the replacements so that a second install never wraps twice.
    build_box_tree.original, add_tags_and_destinations.original = build, add_tags  # type: ignore[attr-defined]
    tags._build_box_tree, weasyprint.pdf.add_tags = build_box_tree, add_tags_and_destinations


# HTML elements WeasyPrint tags NonStruct, which PDF 2.0 sees through: a code block's text would
# stand right in its section, where PDF/UA-2 (ISO 32005, Table 5) wants no bare Span, and a
# figure's caption among the section's kids, where it must come first or last (8.2.5.27-1). A
# figure becomes a Sect, a self-contained unit that may hold a caption: not a Figure, since its
# image is one already, with the alternative text.
_STRUCTURE_TYPES = {"pre": "/P", "code": "/Code", "figure": "/Sect"}


class _Targets:
    """The structure elements links and bookmarks lead to: by anchor id, and by page and heading text."""

    def __init__(self) -> None:
        self.anchors: dict[str, Any] = {}
        self.headings: dict[tuple[int | None, str], list[Any]] = {}

    def note(self, box: Any, element: Any, page_number: int) -> None:
        anchor = box.element.get("id") if box.element is not None else None
        if anchor:
            self.anchors.setdefault(anchor, element)
        if box.bookmark_label and box.style["bookmark_level"] != "none":
            self.headings.setdefault((page_number, box.bookmark_label), []).append(element)


def _add_structure_destinations(pdf: Any, targets: _Targets) -> None:
    """Lead every internal link and bookmark to the structure element of its target too."""
    import pydyf

    # A structure destination (SD, PDF 2.0), as PDF/UA-2 asks, beside the page position (D) that
    # viewers already use.
    pages = {reference: index for index, reference in enumerate(pdf.page_references)}
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or "Dest" not in obj:
            continue
        destination = obj["Dest"]
        if isinstance(destination, pydyf.String):  # a link to a named anchor
            element = targets.anchors.get(destination.string)
        else:  # a bookmark: [page /XYZ x y zoom]
            queue = targets.headings.get((pages.get(destination[0]), obj.get("Title", pydyf.String()).string), [])
            element = queue.pop(0) if queue else None
        if element is not None:
            del obj["Dest"]
            obj["A"] = pydyf.Dictionary({"S": "/GoTo", "D": destination,
                                         "SD": pydyf.Array([element.reference, "/XYZ", "null", "null", "null"])})


def _tag_language(box: Any, element: Any) -> None:
    """Give element the language its box's HTML element states, if it states one itself.

    The root's language is the document's (/Lang of the catalog); the page and margin boxes
    stand for no element of the text.
    """
    import pydyf
    from weasyprint.formatting_structure import boxes

    if box.element is None or isinstance(box, (boxes.PageBox, boxes.MarginBox)):
        return
    if box.element_tag in ("html", "body") or "Lang" in element:
        return
    language = box.element.get("lang")
    if language:
        element["Lang"] = pydyf.String(language)


def _wrap_list_item_body(item: Any, pdf: Any) -> None:
    """Put the kids of a list item other than its label (Lbl) into one LBody, as PDF/UA asks."""
    import pydyf

    # Only structure elements move: marked content and annotations stay mapped to the item itself.
    loose = [reference for reference in item["K"] if _structure_type(pdf, reference) not in (None, "/Lbl", "/LBody")]
    if not loose:
        return
    body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(loose), "P": item.reference})
    if "Pg" in item:
        body["Pg"] = item["Pg"]
    pdf.add_object(body)
    for reference in loose:
        _object(pdf, reference)["P"] = body.reference
    first = item["K"].index(loose[0])
    item["K"][:] = [reference for reference in item["K"] if reference not in loose]
    item["K"].insert(first, body.reference)


# CSS list-style-type -> the ListNumbering attribute of a list (ISO 32000-2, 14.8.5.5).
_LIST_NUMBERING = {"disc": "Disc", "circle": "Circle", "square": "Square", "decimal": "Decimal",
                   "decimal-leading-zero": "Decimal", "lower-roman": "LowerRoman", "upper-roman": "UpperRoman",
                   "lower-alpha": "LowerAlpha", "lower-latin": "LowerAlpha", "upper-alpha": "UpperAlpha",
                   "upper-latin": "UpperAlpha", "none": "None"}


def _number_list(box: Any, element: Any) -> None:
    """Say how a list's items are numbered or marked, as PDF/UA-2 asks of a list whose items have labels."""
    import pydyf

    style = box.style["list_style_type"]  # a keyword, or a string or symbols() for a custom marker
    other = "Unordered" if box.element_tag == "ul" else "Ordered"
    numbering = _LIST_NUMBERING.get(style, other) if isinstance(style, str) else other
    element["A"] = pydyf.Dictionary({"O": "/List", "ListNumbering": f"/{numbering}"})


def _holds_annotation(pdf: Any, element: Any) -> bool:
    return any(_type(pdf, reference) == "/OBJR" for reference in element["K"])


def _structure_type(pdf: Any, reference: Any) -> str | None:
    """The structure type (/P, /Lbl…) of a kid, None for anything but a structure element."""
    return _object(pdf, reference).get("S") if _type(pdf, reference) == "/StructElem" else None


def _type(pdf: Any, reference: Any) -> str | None:
    kid = _object(pdf, reference)
    return kid.get("Type") if isinstance(kid, dict) else None


def _object(pdf: Any, reference: Any) -> Any:
    """The object a reference (b"12 0 R") names, or the reference itself when it is a marked-content id."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return pdf.objects[int(reference.split()[0])]
    return reference
