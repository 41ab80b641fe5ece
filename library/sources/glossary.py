"""The official terminology: locales/glossary.csv, read strictly.

Columns: the source language, one per target language (the official term), optional
variant columns, then a note. A variant column is named `<language>:accepted` (forms a
reader may type that mean the term, which search matches) or `<language>:avoid` (forms a
translation must not use, which `library check` flags); its cell lists forms separated by ";".
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from library.core.errors import GlossaryError
from library.core.files import read_checked

__all__ = ["Term", "Glossary", "read_glossary", "search_forms"]

NOTE = "note"
VARIANT_KINDS = ("accepted", "avoid")


@dataclass(frozen=True)
class Term:
    """One English term with its official translations (empty where there is none)."""

    english: str
    translations: dict[str, str]
    note: str
    line: int
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    avoid: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def translation(self, language: str) -> str:
        return self.translations.get(language, "")

    def accepted_variants(self, language: str) -> tuple[str, ...]:
        """Other forms of the term in language that mean the same (for search), source language included."""
        return self.accepted.get(language, ())

    def avoided_variants(self, language: str) -> tuple[str, ...]:
        """Forms a translation into language must not use (for `library check`)."""
        return self.avoid.get(language, ())


@dataclass(frozen=True)
class Glossary:
    """The terms of the glossary, in file order."""

    path: Path | None
    terms: tuple[Term, ...] = ()


def read_glossary(path: Path, source_language: str = "en", root: Path | None = None) -> Glossary:
    """Read a glossary CSV (columns: source language, target languages, note), or raise GlossaryError.

    Anything but a regular file inside root (the locales folder; else the glossary's own) is
    refused unread: see files.checked_file.
    """
    if not (path.exists() or path.is_symlink()):
        return Glossary(None)
    data = read_checked(path, root if root is not None else path.parent, GlossaryError)
    text = _decode(data, path)
    rows = _rows(text, path)
    if not rows:
        raise GlossaryError(path, 1, f"empty glossary: the first line names the columns ({source_language},…,{NOTE})")
    header = _header(rows[0][1], path, source_language)
    return Glossary(path, tuple(_terms(rows[1:], header, path, source_language)))


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise GlossaryError(path, line, "not valid UTF-8; save the file as UTF-8") from None


def _rows(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """Each non-blank row with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, start = [], 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        raise GlossaryError(path, start, f"not valid CSV: {error}") from None
    return rows


def _header(row: list[str], path: Path, source_language: str) -> list[str]:
    names = [cell.strip() for cell in row]
    if not names or names[0] != source_language or names[-1] != NOTE:
        raise GlossaryError(path, 1, f"the first line must name the columns: {source_language}, the languages, {NOTE}")
    if len(set(names)) != len(names) or not all(names):
        raise GlossaryError(path, 1, "each column must have a name of its own")
    languages = {names[0]} | {name for name in names[1:-1] if ":" not in name}
    for name in names[1:-1]:
        code, _, kind = name.partition(":")
        if kind and (kind not in VARIANT_KINDS or code not in languages):
            raise GlossaryError(path, 1, f"column {name!r}: a variant column is named <language>:accepted or "
                                         f"<language>:avoid, for a language of the glossary")
    return names


def _terms(rows: list[tuple[int, list[str]]], header: list[str], path: Path,
           source_language: str) -> Iterator[Term]:
    seen: dict[str, int] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise GlossaryError(path, line, f"{len(row)} fields, but the first line names {len(header)} columns")
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        english = cells.pop(source_language)
        note = cells.pop(NOTE)
        if not english:
            raise GlossaryError(path, line, f"the {source_language!r} column is empty")
        key = english.casefold()
        if key in seen:
            raise GlossaryError(path, line, f"{english!r} is already defined on line {seen[key]}")
        seen[key] = line
        variants = {kind: _variants(cells, kind) for kind in VARIANT_KINDS}
        translations = {code: text for code, text in cells.items() if ":" not in code}
        yield Term(english=english, translations=translations, note=note, line=line, **variants)


def _variants(cells: dict[str, str], kind: str) -> dict[str, tuple[str, ...]]:
    """The forms listed in the `<language>:kind` columns, by language."""
    found = {}
    for name, text in cells.items():
        code, _, column_kind = name.partition(":")
        forms = tuple(form.strip() for form in text.split(";") if form.strip())
        if column_kind == kind and forms:
            found[code] = forms
    return found


def search_forms(terms: tuple[Term, ...], source_language: str, language: str) -> list[dict[str, Any]]:
    """Each term with an official form in language, and the other forms a reader may type for it.

    Those are its official forms in the other languages and the accepted variants of every
    language (`<language>:accepted`): typed in a query, each also finds the official form. The
    server's index and the static site's table both keep them.
    """
    table = []
    for term in terms:
        official = term.english if language == source_language else term.translation(language)
        every_form = {(source_language, term.english), *term.translations.items(),
                      *((code, form) for code in term.accepted for form in term.accepted_variants(code))}
        forms = sorted((code, form) for code, form in every_form if form and form != official)
        if official and forms:
            table.append({"official": official, "english": term.english, "forms": forms})
    return table
