"""The official terminology: locales/glossary.csv, read strictly."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import GlossaryError

__all__ = ["Term", "Glossary", "read_glossary"]

NOTE = "note"


@dataclass(frozen=True)
class Term:
    """One English term with its official translations (empty where there is none)."""

    english: str
    translations: dict[str, str]
    note: str
    line: int

    def translation(self, language: str) -> str:
        return self.translations.get(language, "")


@dataclass(frozen=True)
class Glossary:
    """The terms of the glossary, in file order."""

    path: Path | None
    terms: tuple[Term, ...] = ()


def read_glossary(path: Path, source_language: str = "en") -> Glossary:
    """Read a glossary CSV (columns: source language, target languages, note), or raise GlossaryError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Glossary(None)
    except OSError as error:
        raise GlossaryError(path, None, f"cannot read: {error.strerror}") from None
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
    return names


def _terms(rows: list[tuple[int, list[str]]], header: list[str], path: Path, source_language: str):
    seen: dict[str, int] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise GlossaryError(path, line, f"{len(row)} fields, but the first line names {len(header)} columns")
        cells = dict(zip(header, (cell.strip() for cell in row)))
        english = cells.pop(source_language)
        note = cells.pop(NOTE)
        if not english:
            raise GlossaryError(path, line, f"the {source_language!r} column is empty")
        key = english.casefold()
        if key in seen:
            raise GlossaryError(path, line, f"{english!r} is already defined on line {seen[key]}")
        seen[key] = line
        yield Term(english=english, translations=cells, note=note, line=line)
