"""The repairs to WeasyPrint's tagging, read back from the structure tree with pypdf."""
from __future__ import annotations

import dataclasses
import io
import re
from collections import defaultdict

import pytest
from projects import partly_french
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from library.core.errors import LibraryError
from library.core.paths import pdf_path
from library.model.project import Project
from library.outputs.pdf.plan import build_pdfs, plan_pdfs
from library.outputs.pdf.tags import repair_weasyprint_tagging
from library.outputs.pdf.typeset import job_html, render_job

FRENCH = {"A sample paper: every kind of block", "Why this paper", "A list", "First item, with *emphasis*.",
          "A quoted paragraph."}


@dataclasses.dataclass
class Node:
    """A structure element: its type, its own /Lang, its parent, and the text of its marked content."""

    kind: str
    lang: str | None
    parent: Node | None
    attributes: dict
    kids: list[Node] = dataclasses.field(default_factory=list)
    text: str = ""

    @property
    def language(self) -> str | None:
        """The language it is read in: its own, or the nearest ancestor's (None: the document's)."""
        node = self
        while node and not node.lang:
            node = node.parent
        return node.lang if node else None

    @property
    def all_text(self) -> str:
        return " ".join(" ".join([self.text, *(kid.all_text for kid in self.kids)]).split())

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


@pytest.fixture(scope="module")
def french_config(tmp_path_factory):
    """A project whose French sample paper is partly translated: English fallbacks beside French passages."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1646092800")
        config = partly_french(tmp_path_factory.mktemp("tags"), FRENCH)
        build_pdfs(Project(config), ("fr",), ("sample",), workers=1)
    return config


@pytest.fixture(scope="module")
def french(french_config) -> PdfReader:
    """The French sample paper as the library publishes it (PDF/UA-1)."""
    return PdfReader(pdf_path(french_config, "fr", "sample"))


@pytest.fixture(scope="module")
def french_pdf_2(french_config) -> PdfReader:
    """The same paper as WeasyPrint's pdf/ua-2 variant writes it (PDF 2.0)."""
    project = Project(french_config)
    job = plan_pdfs(project, ("fr",), ("sample",)).jobs[0]
    data, _ = render_job(french_config, job, job_html(project, job), variant="pdf/ua-2")
    return PdfReader(io.BytesIO(data))


def _marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, by (page index, MCID)."""
    texts: dict[tuple[int, int], str] = defaultdict(str)
    for index, page in enumerate(reader.pages):
        _read_marked_text(page, index, texts)
    return texts


def _read_marked_text(page, index: int, texts: dict[tuple[int, int], str]) -> None:
    current: list[int | None] = [None]

    def operand(operator, operands, *_):
        if operator == b"BDC" and isinstance(operands[-1], DictionaryObject) and "/MCID" in operands[-1]:
            current[0] = int(operands[-1]["/MCID"])
        elif operator == b"EMC":
            current[0] = None

    def text(value, *_):
        if current[0] is not None:
            texts[index, current[0]] += value

    page.extract_text(visitor_operand_before=operand, visitor_text=text)


def _structure(reader: PdfReader) -> Node:
    """The structure tree under /StructTreeRoot, with the text of every element's own marked content."""
    texts = _marked_text(reader)
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}

    def build(obj, parent: Node | None, page: int | None) -> Node | None:
        element = obj.get_object()
        if not isinstance(element, DictionaryObject) or element.get("/Type") == "/OBJR":
            return None
        page = pages.get(element.raw_get("/Pg").idnum, page) if "/Pg" in element else page
        node = Node(str(element.get("/S", "")), element.get("/Lang"), parent, dict(element.get("/A", {})))
        kids = element.get("/K", ArrayObject())
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            if isinstance(kid, IndirectObject | DictionaryObject):
                child = build(kid, node, page)
                if child:
                    node.kids.append(child)
            else:
                node.text += texts.get((page, int(kid)), "")
        return node

    return build(reader.trailer["/Root"]["/StructTreeRoot"], None, None)


def _holding(tree: Node, text: str) -> Node:
    """The innermost structure element whose text holds text."""
    return max((node for node in tree.walk() if text in node.all_text), key=_depth)


def _depth(node: Node) -> int:
    return 0 if node.parent is None else 1 + _depth(node.parent)


@pytest.mark.slow
def test_english_passages_of_a_french_pdf_carry_their_language(french):
    tree = _structure(french)
    assert french.trailer["/Root"]["/Lang"] == "fr"
    for english in ("The Global Compact for Safe, Orderly and Regular Migration", "Second item, with a",
                    "A second quoted paragraph.", "International Migration Review Forum", "A table"):
        assert _holding(tree, english).language == "en", english
    for translated in ("FR Why this paper", "FR First item, with", "FR A quoted paragraph."):
        assert _holding(tree, translated).language is None, translated  # French, the document's
    # The marker in front of an English passage is in the reader's language again; the test
    # project's interface has no French yet, so the marker's own words are tagged English inside it.
    words = _holding(tree, "Not yet translated")
    chain = []
    while words:
        chain.append(words.lang)
        words = words.parent
    langs = [lang for lang in chain if lang]
    assert langs[:3] == ["en", "fr", "en"], chain  # its words, the marker, the English passage


@pytest.mark.slow
def test_only_elements_in_another_language_carry_one(french):
    tree = _structure(french)
    tagged = [node for node in tree.walk() if node.lang]
    assert tagged and all(node.lang in ("en", "fr") for node in tagged)
    assert all(node.language != node.parent.language for node in tagged if node.parent)


@pytest.mark.slow
def test_a_list_item_holds_only_its_label_and_body(french):
    items = [node for node in _structure(french).walk() if node.kind == "/LI"]
    assert len(items) >= 5
    assert all(kid.kind in ("/Lbl", "/LBody") for item in items for kid in item.kids)
    bodies = [kid for item in items for kid in item.kids if kid.kind == "/LBody"]
    assert any("Second item, with a" in body.all_text for body in bodies)


@pytest.mark.slow
def test_every_link_annotation_belongs_to_a_link_element(french):
    root = french.trailer["/Root"]["/StructTreeRoot"]
    parents = dict(zip(root["/ParentTree"]["/Nums"][::2], root["/ParentTree"]["/Nums"][1::2], strict=True))
    links = [annotation.get_object() for page in french.pages for annotation in page.get("/Annots", [])
             if annotation.get_object()["/Subtype"] == "/Link"]
    assert len(links) >= 5
    assert all(parents[link["/StructParent"]].get_object()["/S"] == "/Link" for link in links)


@pytest.mark.slow
def test_a_list_says_how_its_items_are_marked(french):
    lists = [node for node in _structure(french).walk() if node.kind == "/L"]
    numbering = {str(node.attributes.get("/ListNumbering")) for node in lists}
    assert numbering == {"/Disc", "/Decimal", "/None"}  # the bullets, the numbered list, the contents
    labelled = [node for node in lists if any(kid.kind == "/Lbl" for item in node.kids for kid in item.kids)]
    assert labelled and all(node.attributes["/ListNumbering"] != "/None" for node in labelled)


@pytest.mark.slow
def test_a_code_block_is_a_paragraph_of_code(french):
    code = _holding(_structure(french), "code is not translated")
    kinds = []
    while code.parent:
        kinds.append(code.kind)
        code = code.parent
    assert kinds[kinds.index("/Code") + 1] == "/P" and "/NonStruct" not in kinds


@pytest.mark.slow
def test_an_image_and_its_caption_stand_together_in_a_section(french):
    caption = next(node for node in _structure(french).walk() if node.kind == "/Caption")
    assert caption.parent.kind == "/Sect" and caption.parent.kids[-1] is caption
    assert any(node.kind == "/Figure" for node in caption.parent.walk())


def _outline_items(item):
    while item is not None:
        item = item.get_object()
        yield item
        yield from _outline_items(item.get("/First"))
        item = item.get("/Next")


@pytest.mark.slow
def test_links_and_bookmarks_of_a_pdf_2_lead_to_structure_elements(french_pdf_2):
    root = french_pdf_2.trailer["/Root"]
    links = [annotation.get_object() for page in french_pdf_2.pages for annotation in page.get("/Annots", [])
             if "/D" in annotation.get_object().get("/A", {})]
    bookmarks = list(_outline_items(root["/Outlines"]["/First"]))
    assert len(links) >= 4 and len(bookmarks) >= 6
    for item in (*links, *bookmarks):
        action = item["/A"]
        assert action["/S"] == "/GoTo" and "/Dest" not in item  # the page position stays in /D
        assert action["/SD"][0].get_object()["/Type"] == "/StructElem"
    why = next(link for link in links if link["/A"]["/D"] == "why-this-paper")
    assert why["/A"]["/SD"][0].get_object()["/S"] == "/H2"
    assert all(item["/A"]["/SD"][0].get_object()["/S"] in ("/H1", "/H2", "/H3", "/H4") for item in bookmarks)


@pytest.mark.slow
def test_a_pdf_1_7_keeps_plain_destinations(french):
    links = [annotation.get_object() for page in french.pages for annotation in page.get("/Annots", [])]
    assert any("/Dest" in link for link in links) and not any("/SD" in link.get("/A", {}) for link in links)


def test_another_weasyprint_is_refused_with_what_to_install(monkeypatch):
    import weasyprint
    from weasyprint.pdf import tags

    monkeypatch.setattr(tags, "_build_box_tree", getattr(tags._build_box_tree, "original", tags._build_box_tree))
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    with pytest.raises(LibraryError, match=r"not of the installed 99\.0: install the version setup\.cfg asks for"):
        repair_weasyprint_tagging()


def test_setup_cfg_allows_only_the_weasyprint_versions_repaired():
    from configparser import ConfigParser

    from projects import REPOSITORY

    from library.outputs.pdf.tags import SUPPORTED_WEASYPRINT

    parser = ConfigParser()
    parser.read(REPOSITORY / "setup.cfg", "utf-8")
    requirement = next(line for line in parser["options"]["install_requires"].split("\n")
                       if line.startswith("weasyprint"))
    low, high = (int(bound) for bound in re.fullmatch(r"weasyprint>=(\d+),<(\d+)", requirement).groups())
    assert tuple(range(low, high)) == SUPPORTED_WEASYPRINT
