"""Read an English source paper: YAML front matter and a CommonMark body, into a Paper."""
from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from library.core.errors import SourceError
from library.core.files import CONTROL_CHARACTERS, checked_file
from library.core.paths import reserved_for

if TYPE_CHECKING:
    import yaml
    from markdown_it.token import Token

__all__ = ["Block", "Container", "Paper", "PaperMeta", "SLUG", "load_paper", "load_papers", "parse_paper",
           "normalise_space"]

BlockKind = Literal["heading", "paragraph", "image", "cell", "code", "rule"]
ContainerKind = Literal["bullet_list", "ordered_list", "list_item", "blockquote", "table", "thead", "tbody", "tr"]
TEXT_FIELDS = ("title", "subtitle", "publisher", "summary")

_LOG = logging.getLogger(__name__)
_BOM = "\ufeff"
_DATE_LIKE = re.compile(r"\d{4}-\d\d?-\d\d?\b")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # a paper's slug, its file's name
# A comment ends at its first "-->": "<!-- a --> <script>… <!-- b -->" is HTML between two comments.
_TRANSLATORS_NOTE = re.compile(r"<!--\s*translators?:\s*((?:(?!-->).)*?)\s*-->\s*", re.S | re.I)
_HTML_COMMENT = re.compile(r"(?:<!--(?:(?!-->).)*-->\s*)+", re.S)
_LONE_IMAGE = re.compile(r'!\[(?P<alt>(?:[^\]\\]|\\.)*)\]\((?P<src>[^\s)]+)(?:\s+"(?P<title>[^"]*)")?\)')
_CONTAINER_TOKENS: dict[str, ContainerKind] = {
    "bullet_list_open": "bullet_list",
    "ordered_list_open": "ordered_list",
    "list_item_open": "list_item",
    "blockquote_open": "blockquote",
    "table_open": "table",
    "thead_open": "thead",
    "tbody_open": "tbody",
    "tr_open": "tr",
}


@dataclass(frozen=True)
class Container:
    """A structure around blocks: a list, list item, quote or table part."""

    kind: ContainerKind
    index: int  # order of opening in the paper, so two adjacent lists stay apart
    start: int = 1  # first number of an ordered list


@dataclass(frozen=True)
class Block:
    """One leaf of the body: its inline Markdown, where it is, and what holds it."""

    kind: BlockKind
    text: str
    line: int
    path: tuple[Container, ...] = ()
    level: int = 0  # heading level
    header: bool = False  # table header cell
    align: str = ""  # table cell alignment
    src: str = ""  # image address
    comment: str = ""  # note for translators
    tight: bool = False  # a paragraph of a tight list renders without <p>


@dataclass(frozen=True)
class PaperMeta:
    """The front matter of a paper, with the source line of each text field."""

    slug: str
    kind: Literal["paper", "series"]
    number: int | None
    title: str
    subtitle: str
    date: dt.date
    publisher: str
    summary: str
    keywords: tuple[str, ...]
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    # Optional, for citations: each author "Family, Given" (or one name, an organisation's), and identifiers.
    authors: tuple[str, ...] = ()
    doi: str = ""
    issn: str = ""
    isbn: str = ""


@dataclass(frozen=True)
class Paper:
    """An English source paper."""

    path: Path
    meta: PaperMeta
    blocks: tuple[Block, ...]

    @property
    def slug(self) -> str:
        return self.meta.slug


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to one space, as msgids are compared."""
    return " ".join(text.split())


def load_papers(folder: Path, load: Callable[[Path], Paper] | None = None,
                checked: list[Path] | None = None) -> tuple[Paper, ...]:
    """Every paper in folder, papers by number, then the series page; load (load_paper) reads each file.

    checked: the files of folder, each checked already (core.paths.paper_paths).
    """
    # A pipe would hang the reader and a link out of the project would publish its target.
    if checked is None:
        checked = [checked_file(path, folder, SourceError) for path in sorted(folder.glob("*.md"))]
    papers = [(load or load_paper)(path) for path in checked]
    _check_unique_numbers(papers)
    _check_one_series_page(papers)
    return tuple(sorted(papers, key=lambda p: (p.meta.kind != "paper", p.meta.number or 0, p.slug)))


def load_paper(path: Path) -> Paper:
    """Parse one source file, or raise SourceError naming its file and line."""
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise SourceError(path, line, "not valid UTF-8; save the file as UTF-8") from None
    return parse_paper(text, path)


def parse_paper(text: str, path: Path) -> Paper:
    """Parse the text of a source file; path names it in errors and gives the expected slug."""
    if text.startswith(_BOM):
        # Some Windows editors save UTF-8 with this invisible mark; it is not part of the text.
        _LOG.warning("%s: starts with a byte order mark (BOM); read as UTF-8 without it", path)
        text = text[1:]
    _check_characters(path, text)
    text = unicodedata.normalize("NFC", text)  # one form for each accented letter, whatever the editor saved
    front, body, body_offset = _split_front_matter(path, text)
    meta = _parse_meta(path, front)
    return Paper(path=path, meta=meta, blocks=tuple(_parse_body(path, body, body_offset)))


def _check_characters(path: Path, text: str) -> None:
    """Refuse control characters: invisible in an editor, they would reach the catalogs and the pages."""
    control = CONTROL_CHARACTERS.search(text)
    if control:
        line_start = text.rfind("\n", 0, control.start()) + 1
        raise SourceError(path, text.count("\n", 0, control.start()) + 1,
                          f"control character U+{ord(control[0]):04X} at column {control.start() - line_start + 1}; "
                          "delete it")


def _split_front_matter(path: Path, text: str) -> tuple[str, str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise SourceError(path, 1, "a paper starts with YAML front matter between two '---' lines")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    raise SourceError(path, 1, "the front matter has no closing '---' line")


def _parse_meta(path: Path, front: str) -> PaperMeta:
    import yaml

    loader = _front_matter_loader()(front)
    try:  # parsed once, the node kept for the fields' lines: what yaml.load does, its node in hand
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise SourceError(path, line, f"front matter is not valid YAML: {getattr(error, 'problem', error)}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SourceError(path, 2, "the front matter must be a mapping of fields")
    assert isinstance(node, yaml.MappingNode)  # a mapping, as data is
    _check_fields_once(path, node)
    lines = _field_lines(node)
    return _MetaReader(path, data, lines).read()


@cache
def _front_matter_loader() -> type[yaml.SafeLoader]:
    """YAML's safe loader, but an impossible date (2022-02-30) stays text, for the date check to name.

    libyaml's parser where PyYAML has it: ten times faster than the pure-Python one, which took
    most of the time of reading a series' 200 papers.
    """
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | str:
            try:
                value: dt.date | str = super().construct_yaml_timestamp(node)
            except ValueError:
                value = self.construct_scalar(node)
            return value

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    return Loader


def _check_fields_once(path: Path, node: yaml.MappingNode) -> None:
    """Refuse a field given twice: YAML would keep the last silently, and the first would seem to count."""
    first: dict[str, int] = {}
    for key_node, _value_node in node.value:
        name, line = str(key_node.value), key_node.start_mark.line + 2
        if name in first:
            raise SourceError(path, line, f"front-matter field {name!r} is given twice (first on line {first[name]})")
        first[name] = line


def _field_lines(node: yaml.MappingNode) -> dict[str, int]:
    """Source line of each front-matter value (keywords get keyword.0, keyword.1, ...)."""
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        name = str(key_node.value)
        lines[name] = key_node.start_mark.line + 2
        for index, item in enumerate(getattr(value_node, "value", []) if value_node.id == "sequence" else []):
            lines[f"{name}.{index}"] = item.start_mark.line + 2
    return lines


class _MetaReader:
    """Validate front-matter fields one by one, each error naming its line."""

    def __init__(self, path: Path, data: dict[str, object], lines: dict[str, int]) -> None:
        self.path, self.data, self.lines = path, data, lines

    def read(self) -> PaperMeta:
        known = {"slug", "kind", "number", "date", "keywords", *TEXT_FIELDS, *_CITATION_FIELDS}
        for key in self.data:
            if key not in known:
                self._fail(str(key), f"unknown front-matter field {key!r} (known: {', '.join(sorted(known))})")
        slug = self._text("slug")
        if not SLUG.fullmatch(slug) or slug != self.path.stem:
            self._fail("slug", f"slug must be lowercase words joined by '-' and match the file name {self.path.stem!r}")
        if reserved := reserved_for(slug):
            self._fail("slug", f"the slug {slug!r} is kept for {reserved}; choose another")
        kind = self.data.get("kind", "paper")
        if kind not in ("paper", "series"):
            self._fail("kind", "kind must be 'paper' or 'series'")
        return PaperMeta(
            slug=slug,
            kind=kind,
            number=self._number(kind),
            title=self._text("title"),
            subtitle=self._text("subtitle"),
            date=self._date(),
            publisher=self._text("publisher"),
            summary=self._text("summary"),
            keywords=self._keywords(),
            lines=self.lines,
            authors=self._authors(),
            doi=self._identifier("doi", _DOI, "a DOI like 10.1234/abc-5"),
            issn=self._identifier("issn", _ISSN, "an ISSN like 2049-3630", _issn_checks),
            isbn=self._identifier("isbn", _ISBN, "an ISBN-13 like 978-0-306-40615-7", _isbn_checks),
        )

    def _fail(self, key: str, message: str) -> NoReturn:
        raise SourceError(self.path, self.lines.get(key, 2), message)

    def _text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            self._fail(key, f"front-matter field {key!r} must be a non-empty text")
        return normalise_space(value)

    def _number(self, kind: str) -> int | None:
        number = self.data.get("number")
        if kind == "series":
            if number is not None:
                self._fail("number", "the series page has no number")
            return None
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            self._fail("number", "front-matter field 'number' must be a whole number from 1")
        return number

    def _date(self) -> dt.date:
        value = self.data.get("date")
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            wrong = f"; {value} is not a day of the calendar" if _DATE_LIKE.match(str(value)) else ""
            self._fail("date", f"front-matter field 'date' must be a date like 2022-05-17{wrong}")

    def _authors(self) -> tuple[str, ...]:
        value = self.data.get("authors", [])
        if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
            self._fail("authors", "front-matter field 'authors' must be a list of names, each 'Family, Given' "
                                  "or an organisation's name")
        return tuple(normalise_space(name) for name in value)

    def _identifier(self, key: str, pattern: re.Pattern[str], example: str,
                    valid: Callable[[str], bool] = lambda text: True) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        text = str(value).strip()
        if isinstance(value, bool) or not pattern.fullmatch(text) or not valid(text):
            self._fail(key, f"front-matter field {key!r} must be {example}")
        return text

    def _keywords(self) -> tuple[str, ...]:
        value = self.data.get("keywords", [])
        if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
            self._fail("keywords", "front-matter field 'keywords' must be a list of words or short phrases")
        return tuple(normalise_space(k) for k in value)


_CITATION_FIELDS = ("authors", "doi", "issn", "isbn")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_ISSN = re.compile(r"\d{4}-\d{3}[\dX]")
_ISBN = re.compile(r"97[89]-?(\d-?){9}\d")


def _issn_checks(text: str) -> bool:
    digits = text.replace("-", "")
    total = sum((8 - index) * int(digit) for index, digit in enumerate(digits[:7]))
    return digits[7] == "0123456789X"[(11 - total % 11) % 11]


def _isbn_checks(text: str) -> bool:
    digits = [int(digit) for digit in text.replace("-", "")]
    return sum(digit * (3 if index % 2 else 1) for index, digit in enumerate(digits)) % 10 == 0


def _parse_body(path: Path, body: str, offset: int) -> list[Block]:
    """Walk markdown-it's token stream, keeping each leaf block with the containers around it."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    walker = _BodyWalker(path, offset)
    for token in tokens:
        walker.visit(token)
    return walker.blocks


class _BodyWalker:
    def __init__(self, path: Path, offset: int) -> None:
        self.path, self.offset = path, offset
        self.blocks: list[Block] = []
        self.stack: list[Container] = []
        self.opened = 0
        self.pending_comment = ""
        self.current: dict[str, Any] = {}  # a Block's fields, as keywords
        self.line = offset

    def visit(self, token: Token) -> None:
        if token.map:
            self.line = token.map[0] + 1 + self.offset
        kind = token.type
        if kind in _CONTAINER_TOKENS:
            self._open(token, _CONTAINER_TOKENS[kind])
        elif kind.endswith("_close") and kind.replace("_close", "_open") in _CONTAINER_TOKENS:
            self.stack.pop()
        elif kind == "heading_open":
            self.current = {"kind": "heading", "level": int(token.tag[1])}
        elif kind in ("th_open", "td_open"):
            style = str(token.attrs.get("style", ""))
            self.current = {"kind": "cell", "header": kind == "th_open", "align": style.partition(":")[2]}
        elif kind == "paragraph_open":
            self.current = {"kind": "paragraph", "tight": token.hidden}
        elif kind == "inline":
            self._leaf(token)
        elif kind == "html_block":
            self._html_block(token)
        elif kind in ("fence", "code_block"):
            self._add(Block(kind="code", text=token.content, line=self.line, path=tuple(self.stack)))
        elif kind == "hr":
            self._add(Block(kind="rule", text="", line=self.line, path=tuple(self.stack)))

    def _open(self, token: Token, kind: ContainerKind) -> None:
        self.opened += 1
        start = int(token.attrs.get("start", 1)) if kind == "ordered_list" else 1
        self.stack.append(Container(kind=kind, index=self.opened, start=start))

    def _leaf(self, token: Token) -> None:
        for child in token.children or ():
            if child.type == "html_inline":
                raise SourceError(self.path, self.line, f"raw HTML {child.content!r} is not allowed; write Markdown")
        text = normalise_space(token.content)
        details = self.current or {"kind": "paragraph"}
        self.current = {}
        image = _LONE_IMAGE.fullmatch(text) if details["kind"] == "paragraph" else None
        if image:
            details = {"kind": "image", "src": image["src"], "tight": details.get("tight", False)}
            text = normalise_space(image["alt"])
            if not text:
                raise SourceError(self.path, self.line, f"the image {image['src']} has no description: say what "
                                  f"it shows between the brackets, ![…]({image['src']}), for screen readers and "
                                  "translators")
        if details["kind"] == "heading" and not text:
            raise SourceError(self.path, self.line,
                              "a heading with no text; write it after the '#', or delete the line")
        self._add(Block(text=text, line=self.line, path=tuple(self.stack), **details))

    def _html_block(self, token: Token) -> None:
        note = _TRANSLATORS_NOTE.fullmatch(token.content.strip())
        if note:
            self.pending_comment = normalise_space(note[1])
        elif not _HTML_COMMENT.fullmatch(token.content.strip()):
            raise SourceError(self.path, self.line, "raw HTML is not allowed; write Markdown")

    def _add(self, block: Block) -> None:
        if self.pending_comment and block.text:
            block = Block(**{**block.__dict__, "comment": self.pending_comment})
            self.pending_comment = ""
        self.blocks.append(block)


def _check_unique_numbers(papers: list[Paper]) -> None:
    seen: dict[int, Paper] = {}
    for paper in papers:
        number = paper.meta.number
        if number is None:
            continue
        if number in seen:
            raise SourceError(
                paper.path,
                paper.meta.lines.get("number"),
                f"number {number} is already used by {seen[number].path.name}",
            )
        seen[number] = paper


def _check_one_series_page(papers: list[Paper]) -> None:
    """Refuse a second series page: the site and the volumes have room for one, and would pick one silently."""
    series = [paper for paper in papers if paper.meta.kind == "series"]
    for second in series[1:]:
        raise SourceError(second.path, second.meta.lines.get("kind"),
                          f"a second series page; {series[0].path.name} is the series page already "
                          "(give this one kind: paper and a number, or merge the two)")
