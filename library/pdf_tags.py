"""Three repairs to WeasyPrint's PDF tagging, so that the PDFs conform to PDF/UA.

WeasyPrint 70 builds the structure tree from the boxes in `weasyprint.pdf.tags._build_box_tree`,
a generator that calls itself through its module's global name. Wrapping that name lets every
structure element pass through here once it is complete, and three things are mended:

- A list item whose content is a block (`<li><p>…</p></li>`) gets that block as its direct kid,
  next to its label, where PDF/UA-1 (veraPDF rule 7.2-20) allows only `Lbl` and `LBody`: the
  kids other than the label go into one `LBody`.
- Every box inside a link gets its own link annotation, but only an `a` is tagged `Link`: an
  `<em>` in a link holds its annotation in a `NonStruct`, where PDF/UA-1 (7.18.5-1) wants a
  `Link`; such an element becomes one.
- WeasyPrint writes `/Lang` only on the document, so an English passage of a French PDF is read
  with a French voice: an element whose HTML carries `lang` gets it as `/Lang` on its
  structure element (PDF 32000-1, 14.9.2), which its kids inherit.

All three are worth proposing upstream; until WeasyPrint does them, the wrapper is tied to the
WeasyPrint versions setup.cfg allows, and refuses any other.
"""
from __future__ import annotations

from .errors import LibraryError

__all__ = ["SUPPORTED_WEASYPRINT", "repair_weasyprint_tagging"]

# The major versions of WeasyPrint whose tagging code this wrapper was written for and tested
# against; setup.cfg allows the same.
SUPPORTED_WEASYPRINT = (70,)


def repair_weasyprint_tagging() -> None:
    """Wrap WeasyPrint's structure-tree builder with the three repairs (once per process)."""
    import weasyprint
    from weasyprint.pdf import tags

    if hasattr(tags._build_box_tree, "original"):
        return
    major = int(weasyprint.__version__.split(".")[0])
    if major not in SUPPORTED_WEASYPRINT:
        raise LibraryError(f"library/pdf_tags.py repairs the tagging of WeasyPrint {SUPPORTED_WEASYPRINT}, "
                           f"not of the installed {weasyprint.__version__}: install the version setup.cfg asks for")
    build = tags._build_box_tree
    # The HTML elements of the boxes being built, outermost first: the builder runs depth first,
    # each call consumed whole by its caller, so the last one is the enclosing box's element.
    elements: list = []

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tagged):
        enclosing = elements[-1] if elements else None
        elements.append(box.element)
        try:
            for element in build(box, parent, pdf, page_number, nums, annotations, tagged):
                if box.element is not enclosing:  # not an anonymous box or pseudo-element of the same
                    _tag_language(box, element)
                if box.link_annotation is not None and element["S"] != "/Link" and _holds_annotation(pdf, element):
                    element["S"] = "/Link"
                if element["S"] == "/LI":
                    _wrap_list_item_body(element, pdf)
                yield element
        finally:
            elements.pop()

    build_box_tree.original = build
    tags._build_box_tree = build_box_tree


def _tag_language(box, element) -> None:
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


def _wrap_list_item_body(item, pdf) -> None:
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


def _holds_annotation(pdf, element) -> bool:
    return any(_type(pdf, reference) == "/OBJR" for reference in element["K"])


def _structure_type(pdf, reference) -> str | None:
    """The structure type (/P, /Lbl…) of a kid, None for anything but a structure element."""
    return _object(pdf, reference).get("S") if _type(pdf, reference) == "/StructElem" else None


def _type(pdf, reference) -> str | None:
    kid = _object(pdf, reference)
    return kid.get("Type") if isinstance(kid, dict) else None


def _object(pdf, reference):
    """The object a reference (b"12 0 R") names, or the reference itself when it is a marked-content id."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return pdf.objects[int(reference.split()[0])]
    return reference
