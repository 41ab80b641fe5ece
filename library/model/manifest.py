"""The PDF and EPUB stages' manifests: what each published, drafted and refused, and each PDF's page map.

The site links, and search points into, exactly the PDFs and EPUBs listed here as published;
neither looks into their folders. A manifest is written last, atomically, after its files.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Literal

from library.core.config import Config
from library.core.errors import LibraryError
from library.core.files import write_if_changed
from library.core.paths import epub_manifest_path, pdf_manifest_path

__all__ = ["DamagedManifest", "Verdict", "Kind", "Entry", "PdfEntry", "read_manifest", "write_manifest", "published",
           "is_published", "read_pdf_manifest", "write_pdf_manifest", "published_pdfs"]

Verdict = Literal["published", "draft", "refused"]
Kind = Literal["pdf", "epub"]  # the documents the gate publishes, each kind with its manifest

# Each kind's manifest, its name in messages and the command that writes it again.
_MANIFESTS = {"pdf": (pdf_manifest_path, "PDF", "library build pdf"),
              "epub": (epub_manifest_path, "EPUB", "library build epub")}


@dataclass(frozen=True)
class Entry:
    """One paper (or the volume) in one language, as the last build of its kind left it."""

    language: str
    slug: str
    verdict: Verdict
    percent: float  # the figure the gate judged
    inputs: str  # hash of the files the PDF is made from
    pages: dict[str, int] = field(default_factory=dict)  # a PDF's anchor -> page, for published and drafts
    omitted: list[str] = field(default_factory=list)  # a volume's papers the gate held back

    @property
    def key(self) -> str:
        return f"{self.language}/{self.slug}"


PdfEntry = Entry  # the name the PDF stage's callers know it by
_ENTRY_FIELDS = tuple(entry_field.name for entry_field in fields(Entry))


class DamagedManifest(LibraryError):
    """A manifest that cannot be read: read as empty, it would unpublish every file without a word."""


def read_manifest(config: Config, kind: Kind) -> dict[str, Entry]:
    """A manifest's entries by 'language/slug' ({} before the first build of its kind).

    DamagedManifest if it cannot be read.
    """
    path = _MANIFESTS[kind][0](config)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return dict(_read(path, kind, stamp))


@lru_cache(maxsize=8)
def _read(path: Path, kind: Kind, _stamp: int) -> tuple[tuple[str, Entry], ...]:
    # Keyed by modification time too, so a server sees a rebuild without rereading on every query.
    noun = _MANIFESTS[kind][1]
    try:
        text = path.read_text("utf-8")
        rows = json.loads(text)[f"{kind}s"]
        entries = [Entry(**row) for row in rows]
    except json.JSONDecodeError as error:
        raise _damaged(path, kind, error.lineno, error.msg) from None
    except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as error:
        raise _damaged(path, kind, None, f"not the {noun} stage's entries: {error}") from None
    except OSError as error:
        raise _damaged(path, kind, None, error.strerror or str(error)) from None
    return tuple((entry.key, entry) for entry in entries)


def _damaged(path: Path, kind: Kind, line: int | None, problem: str) -> DamagedManifest:
    _, noun, command = _MANIFESTS[kind]
    where = f"{path}:{line}" if line else f"{path}"
    return DamagedManifest(f"{where}: the {noun} manifest is damaged ({problem}); "
                           f"run `{command}` to render the {noun}s and write it again")


def write_manifest(config: Config, kind: Kind, entries: dict[str, Entry]) -> None:
    # Field by field, not asdict: its deep copies of every PDF's page map took 0.2 s at 200 papers.
    # A file per line, each by json's C encoder (indent would take its Python one: 65 ms for 723 PDFs).
    rows = [json.dumps({name: getattr(entry, name) for name in _ENTRY_FIELDS}, ensure_ascii=False)
            for _key, entry in sorted(entries.items())]
    body = "\n" + ",\n".join(rows) + "\n" if rows else ""
    data = f'{{"{kind}s": [{body}]}}\n'.encode()
    write_if_changed(_MANIFESTS[kind][0](config), data)


def published(config: Config, kind: Kind) -> dict[tuple[str, str], Entry]:
    """The published files of a kind by (language, slug)."""
    return {(e.language, e.slug): e for e in read_manifest(config, kind).values() if e.verdict == "published"}


def is_published(config: Config, kind: Kind, language: str, slug: str) -> bool:
    """Whether the manifest publishes one file: asked per version (600 at 200 papers), read once while it stays."""
    path = _MANIFESTS[kind][0](config)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return False
    return (language, slug) in _published_keys(path, kind, stamp)


@lru_cache(maxsize=8)
def _published_keys(path: Path, kind: Kind, stamp: int) -> frozenset[tuple[str, str]]:
    return frozenset((entry.language, entry.slug) for _, entry in _read(path, kind, stamp)
                     if entry.verdict == "published")


def read_pdf_manifest(config: Config) -> dict[str, Entry]:
    return read_manifest(config, "pdf")


def write_pdf_manifest(config: Config, entries: dict[str, Entry]) -> None:
    write_manifest(config, "pdf", entries)


def published_pdfs(config: Config) -> dict[tuple[str, str], Entry]:
    """The published PDFs by (language, slug)."""
    return published(config, "pdf")
