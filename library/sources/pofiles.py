"""Strict reading of PO and POT files (powriter writes them).

Babel's reader is lenient: it drops the closing quote of an unterminated string,
keeps unknown escapes as text, lets a duplicate msgid overwrite the first and
turns ``#|`` previous msgids into translator comments. Translators' files are
too precious for that, so this module parses them itself, refuses anything
``msgfmt --check`` would refuse (and a little more), and only then builds a
Babel ``Catalog``. Writing them is powriter's job.
"""
from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from library.core.errors import CatalogError
from library.core.files import CONTROL_CHARACTERS, read_checked
from library.sources.placeholders import (
    FORMAT_FLAGS,
    PLURAL_SAMPLE,
    FormatError,
    compare_formats,
    often_used_forms,
    parse_format,
)

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

__all__ = ["IGNORE_COMMENT", "IGNORE_FLAG", "read_catalog", "parse_catalog", "silenced_checks"]

# A translator silences a check for one entry with the translator comment
# "# library-ignore: numbers, punctuation". gettext's tools (msgmerge, msgcat, Poedit) keep
# comments but drop the flags they do not know, so the "#, library-ignore-<check>" flag of
# earlier versions is read too and written back as that comment.
IGNORE_COMMENT = "library-ignore:"
IGNORE_FLAG = "library-ignore-"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"'}
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr\[(\d+)\]|msgstr)(?=\s|\"|$)\s*(.*)$")
_CONFLICT = re.compile(r"(<{7}|={7}|>{7}|\|{7})(\s|$)")
_PLURAL_FORMS = re.compile(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*([^;]+?)\s*;?\s*$")
_HEADER_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?\s*([+-]\d{4})?")
_HEADER_LINE = re.compile(r"[A-Za-z][A-Za-z0-9-]*:\s?.*")


@dataclass
class _Field:
    line: int
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


@dataclass
class _Entry:
    line: int
    obsolete: bool | None = None
    user_comments: list[str] = field(default_factory=list)
    auto_comments: list[str] = field(default_factory=list)
    locations: list[tuple[str, int | None]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous: dict[str, _Field] = field(default_factory=dict)
    fields: dict[str, _Field] = field(default_factory=dict)  # msgctxt, msgid, msgid_plural, msgstr, msgstr[N]

    @property
    def started(self) -> bool:
        return bool(self.fields)

    @property
    def key(self) -> tuple[str | None, str]:
        context = self.fields["msgctxt"].text if "msgctxt" in self.fields else None
        return context, self.fields["msgid"].text

    @property
    def translations(self) -> list[str]:
        return [f.text for name, f in self.fields.items() if name.startswith("msgstr")]

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def read_catalog(path: Path, *, language: str | None = None, domain: str | None = None,
                 root: Path | None = None) -> Catalog:
    """Read a PO or POT file strictly into a Babel Catalog, or raise CatalogError.

    With root (the locales folder), anything but a regular file inside it (a link out of it,
    a link to nothing, a named pipe) is refused unread: see files.checked_file.
    """
    if root is not None:
        data = read_checked(path, root, CatalogError)
    else:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CatalogError(path, None, f"cannot read: {error.strerror}") from None
    return parse_catalog(data, path, language=language, domain=domain)


def parse_catalog(data: bytes, path: Path, *, language: str | None = None, domain: str | None = None) -> Catalog:
    """Parse the bytes of a PO or POT file; path and language are for messages and checks."""
    lines = _decode_lines(data, path)
    entries = _Parser(path).parse(lines)
    _check_entries(entries, path, language)
    return _build_catalog(entries, path, language, domain)


def silenced_checks(message: Message) -> list[str]:
    """The checks an entry silences, from its comment and from the flags of earlier versions."""
    named = [flag[len(IGNORE_FLAG):] for flag in message.flags if flag.startswith(IGNORE_FLAG)]
    for comment in message.user_comments:
        if comment.startswith(IGNORE_COMMENT):
            named += [name.strip() for name in comment[len(IGNORE_COMMENT):].split(",") if name.strip()]
    return sorted(set(named))


def _decode_lines(data: bytes, path: Path) -> list[str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as error:
            raise CatalogError(
                path, number, f"not valid UTF-8 (byte 0x{raw[error.start]:02X}); save the file as UTF-8"
            ) from None
        control = CONTROL_CHARACTERS.search(line)
        if control:
            # msgfmt lets them through, and then they reach the pages; no translator means one.
            raise CatalogError(path, number, f"control character U+{ord(control[0]):04X} at column "
                                             f"{control.start() + 1}; delete it")
        lines.append(line)
    return lines


class _Parser:
    """A line-by-line PO parser that knows the grammar and says where it breaks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[_Entry] = []
        self.entry = _Entry(line=1)
        self.current: _Field | None = None

    def fail(self, line: int, message: str) -> NoReturn:
        raise CatalogError(self.path, line, message)

    def parse(self, lines: list[str]) -> list[_Entry]:
        for number, text in enumerate(lines, start=1):
            self._line(number, text.strip())
        self._finish(len(lines))
        return self.entries

    def _line(self, number: int, text: str) -> None:
        if not text:
            return
        if _CONFLICT.match(text):
            self.fail(number, "git conflict marker: resolve the merge conflict before using this file")
        if text.startswith("#~"):
            rest = text[2:].strip()
            if rest.startswith("|"):
                self._previous(number, rest[1:].strip(), obsolete=True)
            elif rest:
                self._message_line(number, rest, obsolete=True)
        elif text.startswith("#|"):
            self._previous(number, text[2:].strip(), obsolete=False)
        elif text.startswith("#"):
            self._comment(number, text)
        else:
            self._message_line(number, text, obsolete=False)

    def _new_entry_if_started(self, number: int) -> None:
        if self.entry.started:
            self._finish(number - 1)
            self.entry = _Entry(line=number)

    def _comment(self, number: int, text: str) -> None:
        self._new_entry_if_started(number)
        if not self.entry.user_comments and not self.entry.flags and not self.entry.auto_comments:
            self.entry.line = number
        self.current = None
        kind, body = text[:2], text[2:].strip()
        if kind == "#,":
            self.entry.flags.extend(flag.strip() for flag in body.split(",") if flag.strip())
        elif kind == "#:":
            self.entry.locations.extend(_location(word) for word in body.split())
        elif kind == "#.":
            if body:
                self.entry.auto_comments.append(body)
        else:
            self.entry.user_comments.append(text[1:].strip())

    def _previous(self, number: int, text: str, *, obsolete: bool) -> None:
        self._new_entry_if_started(number)
        match = _KEYWORD.match(text)
        if match and match[1] in ("msgctxt", "msgid", "msgid_plural"):
            self.entry.previous[match[1]] = _Field(number, [_string(self, number, match[3])])
        elif text.startswith('"') and self.entry.previous:
            last = list(self.entry.previous.values())[-1]
            last.chunks.append(_string(self, number, text))
        else:
            self.fail(number, "malformed previous-msgid comment (#|)")

    def _message_line(self, number: int, text: str, *, obsolete: bool) -> None:
        if text.startswith('"'):
            if self.current is None:
                self.fail(number, "a quoted string must follow msgctxt, msgid or msgstr")
            self._check_same_state(number, obsolete)
            self.current.chunks.append(_string(self, number, text))
            return
        match = _KEYWORD.match(text)
        if match is None:
            self.fail(number, f"unexpected text {text[:40]!r}: expected a comment, msgid, msgstr or a quoted string")
        keyword, index, rest = match[1], match[2], match[3]
        if keyword in ("msgctxt", "msgid") and "msgid" in self.entry.fields:
            self._new_entry_if_started(number)
        self._check_same_state(number, obsolete)
        self._check_order(number, keyword, index)
        self.entry.obsolete = obsolete
        self.current = self.entry.fields[keyword] = _Field(number, [_string(self, number, rest)])

    def _check_same_state(self, number: int, obsolete: bool) -> None:
        if self.entry.started and self.entry.obsolete != obsolete:
            self.fail(number, "an entry mixes obsolete (#~) and live lines")

    def _check_order(self, number: int, keyword: str, index: str | None) -> None:
        fields = self.entry.fields
        has_msgstr = any(name.startswith("msgstr") for name in fields)
        if keyword == "msgctxt" and fields:
            self.fail(number, "msgctxt must come before msgid")
        elif keyword == "msgid_plural" and ("msgid" not in fields or has_msgstr or "msgid_plural" in fields):
            self.fail(number, "msgid_plural must follow msgid")
        elif keyword == "msgstr" and ("msgid" not in fields or has_msgstr or "msgid_plural" in fields):
            what = "msgstr[N] for an entry with msgid_plural" if "msgid_plural" in fields else "one msgstr after msgid"
            self.fail(number, f"unexpected msgstr: expected {what}")
        elif keyword.startswith("msgstr["):
            expected = sum(name.startswith("msgstr[") for name in fields)
            if "msgid_plural" not in fields:
                self.fail(number, "msgstr[N] needs a msgid_plural")
            if int(index or -1) != expected:
                self.fail(number, f"expected msgstr[{expected}] here, found msgstr[{index}]")

    def _finish(self, last_line: int) -> None:
        entry = self.entry
        if not entry.started:
            return
        if "msgid" not in entry.fields:
            self.fail(entry.line, "msgctxt without msgid")
        if not any(name.startswith("msgstr") for name in entry.fields):
            self.fail(entry.fields["msgid"].line, "msgid without msgstr")
        self.entries.append(entry)
        self.current = None


def _string(parser: _Parser, number: int, text: str) -> str:
    """Decode one quoted PO string, refusing what Babel or msgfmt would misread."""
    if not text.startswith('"'):
        parser.fail(number, "expected a quoted string")
    out: list[str] = []
    position = 1
    while position < len(text):
        char = text[position]
        if char == '"':
            if text[position + 1 :].strip():
                parser.fail(number, f"unexpected text after the closing quote: {text[position + 1:].strip()[:30]!r}")
            return "".join(out)
        if char == "\\":
            code = text[position + 1 : position + 2]
            if code not in _ESCAPES:
                shown = f"\\{code}" if code else "\\ at the end of the line"
                parser.fail(number, f"unsupported escape sequence {shown}; write the character itself")
            out.append(_ESCAPES[code])
            position += 2
            continue
        out.append(char)
        position += 1
    parser.fail(number, "unterminated string: missing closing quote")


def _location(word: str) -> tuple[str, int | None]:
    filename, colon, line = word.rpartition(":")
    if colon and line.isdigit():
        return filename, int(line)
    return word, None


def _check_entries(entries: list[_Entry], path: Path, language: str | None) -> None:
    live = [entry for entry in entries if not entry.obsolete]
    if not live or live[0].key != (None, ""):
        raise CatalogError(path, 1, 'missing header entry (msgid "") at the top of the file')
    plural_forms = _check_header(live[0], path, language)
    # One msgid once, live or obsolete: msgfmt refuses an obsolete entry that repeats a live one.
    _check_duplicates([*live, *(entry for entry in entries if entry.obsolete)], path)
    for entry in live[1:]:
        _check_entry(entry, path, plural_forms)


def _longest_translation(english: str) -> int:
    """What one translation may cost: ten times its English, or 2,000 characters for a short text.

    French and Spanish run 15-30 % longer than English; a title a hundred times longer is an
    accident or an attack, and would keep a PDF build busy for many minutes.
    """
    return max(10 * len(english), 2000)


def _check_duplicates(entries: list[_Entry], path: Path) -> None:
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        line = entry.fields["msgid"].line
        if entry.key in seen:
            raise CatalogError(path, line,
                               f"duplicate message: the same msgid is already defined at line {seen[entry.key]}")
        seen[entry.key] = line


@dataclass(frozen=True)
class _PluralForms:
    """What the header's Plural-Forms says: how many forms, and which of them serve many numbers."""

    count: int
    often: tuple[bool, ...]


def _check_header(header: _Entry, path: Path, language: str | None) -> _PluralForms | None:
    """Check the header fields as msgfmt --check-header does; return its Plural-Forms if declared."""
    text = header.fields["msgstr"]
    fields: dict[str, tuple[str, int]] = {}
    for line_text, line in _header_lines(text):
        if not _HEADER_LINE.fullmatch(line_text):
            raise CatalogError(path, line, f"malformed header line {line_text[:40]!r}: expected 'Name: value'")
        name, _, value = line_text.partition(":")
        fields[name.strip().lower()] = (value.strip(), line)
    content_type, line = fields.get("content-type", ("", text.line))
    charset = re.search(r"charset\s*=\s*([\w.-]+)", content_type)
    if not charset or charset[1].lower() not in ("utf-8", "charset"):
        raise CatalogError(path, line, "the header must declare Content-Type: text/plain; charset=UTF-8")
    for name in ("POT-Creation-Date", "PO-Revision-Date"):
        value, line = fields.get(name.lower(), ("", 0))
        if value and "YEAR" not in value:
            _check_header_date(name, value, line, path)
    if language and "language" in fields:
        declared, line = fields["language"]
        if declared.replace("-", "_").split("_")[0].lower() != language.split("_")[0]:
            raise CatalogError(path, line,
                               f"the header says Language: {declared}, but this is the {language!r} catalog")
    if "plural-forms" in fields:
        return _check_plural_forms(*fields["plural-forms"], path)
    return None


def _check_header_date(name: str, value: str, line: int, path: Path) -> None:
    """Refuse a header date that is malformed or names no real moment (month 13, 25 o'clock)."""
    match = _HEADER_DATE.fullmatch(value)
    if not match:
        raise CatalogError(path, line, f"bad {name} {value!r}: expected a date like 2022-05-17 09:30+0000")
    moment, pattern = (value[:19], "%Y-%m-%d %H:%M:%S") if match[1] else (value[:16], "%Y-%m-%d %H:%M")
    try:
        dt.datetime.strptime(moment, pattern)
        if match[2]:
            dt.datetime.strptime(match[2], "%z")
    except ValueError:
        raise CatalogError(path, line, f"bad {name} {value!r}: no such date or time") from None


def _header_lines(text: _Field) -> Iterator[tuple[str, int]]:
    """Each 'Name: value' line of the header with the file line where it starts."""
    starts, offset = [], 0
    for chunk in text.chunks:  # chunk i sits on file line text.line + i
        starts.append(offset)
        offset += len(chunk)
    offset = 0
    for piece in text.text.split("\n"):
        chunk_index = max(i for i, start in enumerate(starts) if start <= offset) if starts else 0
        if piece.strip():
            yield piece.strip(), text.line + chunk_index
        offset += len(piece) + 1


def _check_plural_forms(value: str, line: int, path: Path) -> _PluralForms | None:
    if "INTEGER" in value:  # the placeholder of a template
        return None
    match = _PLURAL_FORMS.match(value)
    if not match:
        raise CatalogError(path, line, f"bad Plural-Forms {value!r}: expected 'nplurals=N; plural=EXPRESSION;'")
    nplurals = int(match[1])
    if not 1 <= nplurals <= 6:
        raise CatalogError(path, line, f"bad Plural-Forms: nplurals={nplurals} is out of range")
    try:
        plural = gettext.c2py(match[2])
        forms = [plural(n) for n in range(PLURAL_SAMPLE)]
    except (ValueError, SyntaxError, RecursionError, ArithmeticError):
        raise CatalogError(path, line, f"bad Plural-Forms: {match[2]!r} is not a valid plural expression") from None
    for n, form in enumerate(forms):
        # Checked before anything counts forms: n*100000000 would otherwise ask for that many.
        if not 0 <= form < nplurals:
            raise CatalogError(path, line, f"bad Plural-Forms: the expression gives form {form} for n = {n}, "
                                           f"but nplurals={nplurals} allows 0 to {nplurals - 1}")
    return _PluralForms(nplurals, tuple(often_used_forms(forms, nplurals)))


def _check_entry(entry: _Entry, path: Path, plural_forms: _PluralForms | None) -> None:
    msgid = entry.fields["msgid"]
    if msgid.text == "":
        # Babel would take it for a second header, and gettext's tools would not.
        raise CatalogError(path, msgid.line, 'an empty msgid is only allowed for the header '
                                             '(msgid "" without msgctxt, at the top of the file)')
    for name, translation in entry.fields.items():
        if name.startswith("msgstr") and len(translation.text) > _longest_translation(msgid.text):
            raise CatalogError(path, translation.line, f"a translation of {len(translation.text):,} characters "
                               f"for {len(msgid.text):,} of English: at most {_longest_translation(msgid.text):,}")
    plurals = [name for name in entry.fields if name.startswith("msgstr[")]
    if plurals and plural_forms is not None and len(plurals) != plural_forms.count:
        raise CatalogError(path, msgid.line,
                           f"{len(plurals)} plural forms, but the header says nplurals={plural_forms.count}")
    if entry.fuzzy:
        return  # msgfmt leaves fuzzy entries out, and so do its checks
    _check_plural_filled(entry, plurals, path)
    if plurals and plural_forms is None and any(entry.fields[name].text for name in plurals):
        raise CatalogError(path, entry.fields[plurals[0]].line,
                           "plural translations, but the header has no Plural-Forms line for them")
    for name, translation in entry.fields.items():
        if name.startswith("msgstr") and translation.text:
            _check_newlines(msgid.text, translation, path)
    for flag in FORMAT_FLAGS:
        if flag in entry.flags:
            _check_placeholders(entry, flag, path, plural_forms)


def _check_placeholders(entry: _Entry, flag: str, path: Path, plural_forms: _PluralForms | None) -> None:
    """Refuse a msgstr whose placeholders the program cannot fill, by msgfmt's rules for flag."""
    # Like msgfmt, every form of a plural entry is held to the msgid_plural.
    reference = entry.fields.get("msgid_plural", entry.fields["msgid"])
    try:
        wanted = parse_format(reference.text, flag)
    except FormatError:
        return  # the English itself is no format string; msgfmt leaves such entries alone too
    for name, translation in entry.fields.items():
        if not name.startswith("msgstr") or not translation.text:
            continue
        form = int(name[7:-1]) if name != "msgstr" else None
        strict = form is None or plural_forms is None or plural_forms.often[form]
        try:
            given = parse_format(translation.text, flag)
        except FormatError as error:
            raise CatalogError(path, translation.line, f"{name} is not a valid {flag} string: {error}") from None
        try:
            compare_formats(wanted, given, flag, strict=strict)
        except FormatError as error:
            raise CatalogError(path, translation.line, f"{flag} mismatch in {name}: {error}") from None


def _check_plural_filled(entry: _Entry, plurals: list[str], path: Path) -> None:
    # msgfmt and pocount call an entry with one filled form translated, and gettext then
    # shows an empty text for the other forms; translated must mean every form is there.
    forms = [entry.fields[name] for name in plurals]
    empty = [form for form in forms if not form.text]
    if empty and len(empty) < len(forms):
        raise CatalogError(path, empty[0].line,
                           "a plural entry with some forms empty: fill every msgstr[N] or mark it fuzzy")


def _check_newlines(msgid: str, msgstr: _Field, path: Path) -> None:
    for where, test in (("begin", str.startswith), ("end", str.endswith)):
        if test(msgid, "\n") != test(msgstr.text, "\n"):
            raise CatalogError(path, msgstr.line, f"msgid and msgstr must both {where} with a newline, or neither")


def _build_catalog(entries: list[_Entry], path: Path, language: str | None, domain: str | None) -> Catalog:
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale=language, domain=domain, fuzzy=False)
    for entry in entries:
        message = _message(entry)
        if entry.obsolete:
            catalog.obsolete[catalog._key_for(message.id, message.context)] = message
        elif message.id == "":
            _set_header(catalog, message, entry, path)
        else:
            catalog[message.id] = message
    return catalog


def _message(entry: _Entry) -> Message:
    from babel.messages.catalog import Message

    fields = entry.fields
    msgid: str | tuple[str, str] = fields["msgid"].text
    string: str | tuple[str, ...]
    if "msgid_plural" in fields:
        msgid = (fields["msgid"].text, fields["msgid_plural"].text)
        string = tuple(entry.translations)
    else:
        string = fields["msgstr"].text
    previous = [entry.previous[name].text for name in ("msgid", "msgid_plural") if name in entry.previous]
    message = Message(
        msgid,
        string,
        locations=entry.locations,  # type: ignore[arg-type]  # Babel writes a location without a line as its name
        flags=entry.flags,
        auto_comments=entry.auto_comments,
        user_comments=entry.user_comments,
        previous_id=previous,
        lineno=fields["msgid"].line,
        context=fields["msgctxt"].text if "msgctxt" in fields else None,
    )
    if "python-format" not in entry.flags:
        message.flags.discard("python-format")  # keep the file's flags exactly
    return message


def _set_header(catalog: Catalog, message: Message, entry: _Entry, path: Path) -> None:
    try:
        catalog[""] = message
    except Exception as error:  # Babel raises ValueError, or UnknownLocaleError for an unknown Language
        raise CatalogError(path, entry.fields["msgstr"].line, f"malformed header: {error}") from None
