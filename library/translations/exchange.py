"""What XLIFF, TMX and TBX share: hardened XML reading, XML writing, and inline Markdown as tags.

Translators bring files back from tools and from strangers, so every XML file is read with
defusedxml's expat parser: entity declarations and external references refused, an external
DTD named by a DOCTYPE never read (no file is ever read, no entity expands), streamed in
chunks under a size limit, one record element at a time, with the line each element starts
on for the error messages.

Inline Markdown travels as XLIFF/TMX inline codes that keep Markdown's own characters inside
them (``<bpt id="1" ctype="bold">**</bpt>``, ``<ph id="2" ctype="x-code">`code`</ph>``): a
CAT tool shows each as one locked tag the translator moves but cannot break, a reader that
ignores tags still sees the exact Markdown, and the import puts back the English's own code
for each tag id, never the text a tool wrote inside it.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces

from library.core.errors import CatalogError

if TYPE_CHECKING:
    from xml.sax.xmlreader import AttributesNSImpl, Locator

    from defusedxml.expatreader import DefusedExpatParser
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["ExchangeError", "Element", "Code", "MAX_BYTES", "iter_records", "root_of", "inline_pieces",
           "native", "aligned",
           "escape_text", "escape_attribute", "write_unchanged_since", "XML_NS"]

XML_NS = "http://www.w3.org/XML/1998/namespace"
# Far beyond any export of the library (about 100 kB a catalog) or a real memory of a few
# papers; a larger file is a mistake or an attack, and is refused unread.
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64  # XLIFF nests about six deep; a deeper file is built to exhaust the reader
_CHUNK = 64 * 1024


class ExchangeError(CatalogError):
    """A translators' exchange file (XLIFF, TMX) that cannot be taken in, at its line."""


@dataclass
class Element:
    """An XML element: its local name, attributes (xml:lang as 'xml:lang'), line and content."""

    tag: str
    namespace: str
    attrs: dict[str, str]
    line: int
    children: list[Element | str] = field(default_factory=list)

    def elements(self, tag: str | None = None) -> list[Element]:
        return [child for child in self.children if isinstance(child, Element) and tag in (None, child.tag)]

    def first(self, tag: str) -> Element | None:
        found = self.elements(tag)
        return found[0] if found else None

    def text(self) -> str:
        """All the text inside, inline elements' text included."""
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class _Handler(ContentHandler):
    """Builds the record elements (trans-unit, tu, ...) and the chain of their ancestors."""

    def __init__(self, path: Path, records: frozenset[str]) -> None:
        super().__init__()
        self.path, self.records = path, records
        self.stack: list[Element] = []  # open elements; below a record, they are built
        self.record_depth: int | None = None
        self.done: list[tuple[Element, tuple[Element, ...]]] = []
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl) -> None:
        namespace, tag = name
        line = (self.locator.getLineNumber() if self.locator else 0) or 0
        if len(self.stack) >= MAX_DEPTH:
            raise ExchangeError(self.path, line, f"elements nested more than {MAX_DEPTH} deep; refused")
        values = {("xml:" if uri == XML_NS else "") + local: value for (uri, local), value in attrs.items()}
        element = Element(tag, namespace or "", values, line)
        if self.record_depth is not None:
            self.stack[-1].children.append(element)
        elif tag in self.records:
            self.record_depth = len(self.stack)
        self.stack.append(element)
        if len(self.stack) == 1:
            self.done.append((element, ()))

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        element = self.stack.pop()
        if self.record_depth == len(self.stack):
            self.record_depth = None
            self.done.append((element, tuple(self.stack)))

    def skippedEntity(self, name: str) -> None:
        # Only an external DTD, which is never read, could define it: the text would silently lose it.
        line = self.locator.getLineNumber() if self.locator else None
        raise ExchangeError(self.path, line, f"the entity &{name}; is defined nowhere this reader looks "
                                             "(external DTDs are not read); write the character itself")

    def characters(self, content: str) -> None:
        if self.record_depth is None:
            return
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += content
        else:
            children.append(content)


def iter_records(path: Path, records: set[str]) -> Iterator[tuple[Element, tuple[Element, ...]]]:
    """The root element (without its content) first, then each record element whole, with its ancestors.

    Raises ExchangeError, naming the file and line, for a file that is too large, not
    well-formed, or has a DOCTYPE, an entity or an external reference.
    """
    from defusedxml import DefusedXmlException

    _check_size(path)
    handler = _Handler(path, frozenset(records))
    parser = _parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    handler.setDocumentLocator(parser)  # fed in chunks, the reader never hands out a locator itself
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                parser.feed(chunk)
                yield from _take(handler)
            parser.close()
    except SAXParseException as error:
        raise ExchangeError(path, error.getLineNumber(), f"not well-formed XML: {error.getMessage()}") from None
    except DefusedXmlException as error:
        raise ExchangeError(path, _line(parser), f"{_forbidden(error)}: refused, nothing read from it") from None
    except OSError as error:
        raise ExchangeError(path, None, f"cannot read: {error.strerror}") from None
    yield from _take(handler)


def _parser() -> DefusedExpatParser:
    """defusedxml's expat reader: entity declarations and external references refused, and the
    external DTD a DOCTYPE names (tmx14.dtd, as CAT tools write) never fetched, not even asked for."""
    from xml.parsers import expat

    from defusedxml.expatreader import DefusedExpatParser

    class Parser(DefusedExpatParser):
        def reset(self) -> None:
            super().reset()
            # The expat parser the reader keeps (its stubs leave it out).
            self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)  # type: ignore[attr-defined]

    return Parser(forbid_dtd=False, forbid_entities=True, forbid_external=True)


def root_of(path: Path) -> Element:
    """The root element of an XML file (its name, namespace and attributes), read safely."""
    for element, _ in iter_records(path, set()):
        return element
    raise ExchangeError(path, 1, "no XML element in the file")


def _take(handler: _Handler) -> list[tuple[Element, tuple[Element, ...]]]:
    done, handler.done = handler.done, []
    return done


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ExchangeError(path, None, f"cannot read: {error.strerror}") from None
    if size > MAX_BYTES:
        raise ExchangeError(path, None, f"{size:,} bytes: larger than {MAX_BYTES // 2**20} MiB, refused unread")


def _line(parser: DefusedExpatParser) -> int | None:
    try:
        return int(parser.getLineNumber())
    except Exception:  # noqa: BLE001 - the parser may already be closed
        return None


def _forbidden(error: Exception) -> str:
    from defusedxml import EntitiesForbidden

    if isinstance(error, EntitiesForbidden):
        return f"an entity declaration ({error.name!r}), which could expand without end or read a file"
    return "a reference to an external file or address"


# --- writing -------------------------------------------------------------------------------

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;",
                            "\n": "&#10;", "\t": "&#9;"})


def escape_text(text: str) -> str:
    """text as XML character data (a carriage return kept as a reference, which parsers would drop)."""
    return text.translate(_TEXT)


def escape_attribute(text: str) -> str:
    return text.translate(_ATTRIBUTE)


def write_unchanged_since(writes: dict[Path, tuple[bytes | None, bytes]]) -> list[Path]:
    """Write each path's new bytes atomically, unless the file changed since it was read (None: absent).

    Every file is checked before any is written, and each again just before its rename
    (files.write_if_unchanged), so a translator's save in an editor meanwhile is never overwritten.
    """
    from library.core.errors import EditedMeanwhile
    from library.core.files import read_current, write_if_unchanged

    for path, (before, _) in writes.items():
        if read_current(path) != before:
            raise EditedMeanwhile(path, None, "changed while this command ran; it was left as saved, "
                                              "nothing was imported: import again")
    return [path for path, (before, data) in writes.items() if write_if_unchanged(path, data, before)]


# --- inline Markdown as codes ---------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """One inline code: an opening or closing half of a pair (bpt, ept) or a standalone one (ph)."""

    role: str  # "bpt", "ept" or "ph"
    id: int
    native: str  # the Markdown (or placeholder) characters themselves
    kind: str  # "bold", "italic", "link", "x-image", "x-code", "lb", "x-python-format"


class _Mismatch(Exception):
    """The token stream and the text disagree: the text is sent as plain text."""


_PAIRED = {"strong_open": "bold", "em_open": "italic", "link_open": "link"}
_CLOSING = {"strong_close", "em_close", "link_close"}
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SOFTBREAK = re.compile(r" *\n[ \t]*")
_HARDBREAK = re.compile(r"(?: {2,}|\\)\n[ \t]*")
_PYTHON_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlL]?[diouxXeEfFgGcrsa%]")


# Before numbering: plain text, or a code as (role, native, kind).
_RawPiece = str | tuple[str, str, str]


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    from library.sources.markup import is_allowed_link

    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = is_allowed_link  # type: ignore[method-assign]  # links exactly as the site reads them
    return md


@lru_cache(maxsize=4096)
def inline_pieces(text: str, python_format: bool = False) -> tuple[str | Code, ...]:
    """text as plain pieces and codes, numbered from 1; joined natively, the pieces are text again.

    Markdown the parser reads as emphasis, links, images, code spans and hard line breaks
    becomes codes, and so do python-format placeholders when python_format; anything the
    walk cannot line up with the text stays plain text (never lost, only unprotected).
    """
    pieces: list[_RawPiece]
    try:
        pieces = _Walk(text).pieces()
    except _Mismatch:
        pieces = [text]
    if python_format:
        pieces = [part for piece in pieces for part in _placeholders(piece)]
    return tuple(_numbered(pieces))


def native(pieces: Iterable[str | Code]) -> str:
    """The text the pieces stand for."""
    return "".join(piece if isinstance(piece, str) else piece.native for piece in pieces)


def _placeholders(piece: _RawPiece) -> Iterator[_RawPiece]:
    if not isinstance(piece, str):
        yield piece
        return
    position = 0
    for match in _PYTHON_PLACEHOLDER.finditer(piece):
        if match.start() > position:
            yield piece[position:match.start()]
        yield ("ph", match[0], "x-python-format")
        position = match.end()
    if position < len(piece):
        yield piece[position:]


def _numbered(pieces: Iterable[_RawPiece]) -> list[str | Code]:
    """Codes from (role, native, kind) tuples, numbered in order; a pair shares its opening's number."""
    number, open_pairs, merged = 0, list[int](), list[str | Code]()
    for piece in pieces:
        if isinstance(piece, str):
            if merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + piece
            elif piece:
                merged.append(piece)
            continue
        role, text, kind = piece
        if role == "ept":
            merged.append(Code("ept", open_pairs.pop(), text, kind))
            continue
        number += 1
        if role == "bpt":
            open_pairs.append(number)
        merged.append(Code(role, number, text, kind))
    return merged


class _Walk:
    """Lines markdown-it's inline tokens up with the text, cutting it into plain pieces and codes."""

    def __init__(self, text: str) -> None:
        self.text, self.position = text, 0
        self.out: list[_RawPiece] = []
        self.kinds: list[str] = []

    def pieces(self) -> list[_RawPiece]:
        parsed = _markdown().parseInline(self.text)
        self.walk(parsed[0].children or () if parsed else ())
        self.plain(len(self.text))  # trailing spaces the parser trimmed
        return self.out

    def walk(self, tokens: Iterable[Token]) -> None:
        tokens = list(tokens)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "link_open" and token.markup == "autolink":
                end = self.text.find(">", self.position)
                if not self.text.startswith("<", self.position) or end < 0:
                    raise _Mismatch
                self.code("ph", end + 1, "link")
                while tokens[index].type != "link_close":
                    index += 1
            else:
                self.token(token)
            index += 1

    def token(self, token: Token) -> None:
        kind = token.type
        if kind == "text":
            self.literal(token.content)
        elif kind == "softbreak":
            self.match(_SOFTBREAK, None)
        elif kind == "hardbreak":
            self.match(_HARDBREAK, "lb")
        elif kind in _PAIRED:
            self.expect(token.markup if kind != "link_open" else "[", "bpt", _PAIRED[kind])
        elif kind in _CLOSING:
            kind_name = self.kinds[-1] if self.kinds else ""
            if kind == "link_close":
                self.code("ept", self.destination_end(), "link")
            else:
                self.expect(token.markup, "ept", kind_name)
        elif kind == "image":
            self.expect("![", "bpt", "x-image")
            self.walk(token.children or ())
            self.code("ept", self.destination_end(), "x-image")
        elif kind == "code_inline":
            self.code_span(token.markup)
        else:
            raise _Mismatch

    def literal(self, content: str) -> None:
        """Plain text: the token's content, written in the text perhaps with escapes or entities."""
        start, text, index = self.position, self.text, 0
        while index < len(content):
            char = text[self.position:self.position + 1]
            if char == "&" and (entity := _ENTITY.match(text, self.position)) and \
                    content.startswith(html.unescape(entity[0]), index):
                index += len(html.unescape(entity[0]))
                self.position = entity.end()
            elif char == content[index]:
                self.position += 1
                index += 1
            elif char == "\\" and text[self.position + 1:self.position + 2] == content[index]:
                self.position += 2
                index += 1
            elif char and char in " \t\n":
                self.position += 1  # spaces the parser trimmed
            else:
                raise _Mismatch
        self.out.append(text[start:self.position])

    def plain(self, end: int) -> None:
        rest = self.text[self.position:end]
        if rest.strip():
            raise _Mismatch
        self.out.append(rest)
        self.position = end

    def match(self, pattern: re.Pattern[str], kind: str | None) -> None:
        found = pattern.match(self.text, self.position)
        if not found:
            raise _Mismatch
        if kind is None:
            self.out.append(found[0])
            self.position = found.end()
        else:
            self.code("ph", found.end(), kind)

    def expect(self, markup: str, role: str, kind: str) -> None:
        if not self.text.startswith(markup, self.position):
            raise _Mismatch
        if role == "bpt":
            self.kinds.append(kind)
        self.code(role, self.position + len(markup), kind)

    def code(self, role: str, end: int, kind: str) -> None:
        if role == "ept" and self.kinds:
            self.kinds.pop()
        elif role == "ept":
            raise _Mismatch
        self.out.append((role, self.text[self.position:end], kind))
        self.position = end

    def code_span(self, fence: str) -> None:
        if not self.text.startswith(fence, self.position):
            raise _Mismatch
        search = self.position + len(fence)
        while True:
            end = self.text.find(fence, search)
            if end < 0:
                raise _Mismatch
            after = end + len(fence)
            if self.text[end - 1] != "`" and self.text[after:after + 1] != "`":
                break
            search = end + 1
        self.code("ph", after, "x-code")

    def destination_end(self) -> int:
        """Where "](destination "title")" after a link's or image's text ends."""
        text, position = self.text, self.position
        if not text.startswith("](", position):
            raise _Mismatch
        position, depth, quote = position + 2, 0, ""
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'" and text[position - 1] in " \t\n":
                quote = char
            elif char == "<" and text[position - 1] == "(":
                closing = text.find(">", position)
                if closing < 0:
                    raise _Mismatch
                position = closing
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    return position + 1
                depth -= 1
            position += 1
        raise _Mismatch


def aligned(pieces: Iterable[str | Code], english: Iterable[str | Code]) -> list[str | Code]:
    """The translation's codes numbered as the English's same codes; one the English lacks stays plain text."""
    available = [code for code in english if isinstance(code, Code) and code.role != "ept"]
    used: set[int] = set()
    pairs: dict[int, int] = {}
    out: list[str | Code] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif piece.role == "ept":
            out.append(replace(piece, id=pairs[piece.id]) if piece.id in pairs else piece.native)
        else:
            match = next((code for code in available if code.id not in used and code.role == piece.role
                          and code.native == piece.native), None)
            if match is None:
                out.append(piece.native)
                continue
            used.add(match.id)
            pairs[piece.id] = match.id
            out.append(replace(piece, id=match.id))
    return out
