"""The PDF stage's manifest: what it published, drafted and refused, and each PDF's page map.

The site links, and search points into, exactly the PDFs listed here as published; neither
looks into the PDF folders. The manifest is written last, atomically, after the PDFs.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from library.core.config import Config
from library.core.errors import LibraryError
from library.core.files import write_if_changed
from library.core.paths import pdf_manifest_path

__all__ = ["DamagedManifest", "Verdict", "PdfEntry", "read_pdf_manifest", "write_pdf_manifest", "published_pdfs"]

Verdict = Literal["published", "draft", "refused"]


@dataclass(frozen=True)
class PdfEntry:
    """One paper (or the volume) in one language, as the last PDF build left it."""

    language: str
    slug: str
    verdict: Verdict
    percent: float  # the figure the gate judged
    inputs: str  # hash of the files the PDF is made from
    pages: dict[str, int] = field(default_factory=dict)  # anchor -> page, for published and drafts
    omitted: list[str] = field(default_factory=list)  # a volume's papers the gate held back

    @property
    def key(self) -> str:
        return f"{self.language}/{self.slug}"


class DamagedManifest(LibraryError):
    """A manifest that cannot be read: read as empty, it would unpublish every PDF without a word."""


def read_pdf_manifest(config: Config) -> dict[str, PdfEntry]:
    """The manifest's entries by 'language/slug' ({} before the first PDF build); DamagedManifest if unreadable."""
    path = pdf_manifest_path(config)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return dict(_read(path, stamp))


@lru_cache(maxsize=8)
def _read(path: Path, _stamp: int) -> tuple[tuple[str, PdfEntry], ...]:
    # Keyed by modification time too, so a server sees a rebuild without rereading on every query.
    try:
        text = path.read_text("utf-8")
        rows = json.loads(text)["pdfs"]
        entries = [PdfEntry(**row) for row in rows]
    except json.JSONDecodeError as error:
        raise _damaged(path, error.lineno, error.msg) from None
    except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as error:
        raise _damaged(path, None, f"not the PDF stage's entries: {error}") from None
    except OSError as error:
        raise _damaged(path, None, error.strerror or str(error)) from None
    return tuple((entry.key, entry) for entry in entries)


def _damaged(path: Path, line: int | None, problem: str) -> DamagedManifest:
    where = f"{path}:{line}" if line else f"{path}"
    return DamagedManifest(f"{where}: the PDF manifest is damaged ({problem}); "
                           "run `library build pdf` to render the PDFs and write it again")


def write_pdf_manifest(config: Config, entries: dict[str, PdfEntry]) -> None:
    rows = [asdict(entry) for _key, entry in sorted(entries.items())]
    write_if_changed(pdf_manifest_path(config), json.dumps({"pdfs": rows}, ensure_ascii=False, indent=1).encode())


def published_pdfs(config: Config) -> dict[tuple[str, str], PdfEntry]:
    """The published PDFs by (language, slug)."""
    return {(e.language, e.slug): e for e in read_pdf_manifest(config).values() if e.verdict == "published"}
