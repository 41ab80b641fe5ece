"""Search without a server: a Pagefind index of every passage, one per language, written into the site.

Each passage goes to Pagefind as a little page of its own, so that a result is a paragraph,
as it is on the server; Pagefind stems its words and folds their accents by <html lang>.
The reader's browser downloads only the parts of the index its query needs.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

from .errors import LibraryError
from .passages import pdf_page_path, pdf_pages, searchable_passages
from .paths import SiteMap, scratch_folder
from .project import Project
from .stamps import Digest, code_files, distribution_version

__all__ = ["FOLDER", "static_search_files"]

FOLDER = "pagefind"  # under the site's root; the search page loads pagefind.js from here
# Pagefind also writes its ready-made interfaces and a worker; the site has its own page, and a
# search page searches once, on the main thread: only the engine is kept.
_ENGINE = re.compile(r"(pagefind\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind"
                     r"|pagefind\.[\w-]+\.pf_meta|(index|fragment|filter)/[\w-]+\.pf_\w+)")
_SECONDS = 300


def static_search_files(project: Project, site: Path, last_key: str | None) -> tuple[dict[Path, bytes] | None, str]:
    """Pagefind's files to write, by path under site, and the key of what they hold.

    Pagefind runs only when the passages (or the PDF pages they link) changed since last_key;
    otherwise the files are None: those on disk are current.
    """
    records = {language: _records(project, language) for language in project.select_languages(())}
    key = Digest(distribution_version("pagefind-bin"), records).files(
        code_files("static_search"), Path(__file__).parent).hexdigest()
    folder = site / FOLDER
    if key == last_key and (folder / "pagefind-entry.json").is_file():
        return None, key
    scratch = scratch_folder(project.config)
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".static-search-", dir=scratch) as work:
        written = _run_pagefind(Path(work), records)
    return {folder / name: data for name, data in written.items()}, key


def _records(project: Project, language: str) -> list[dict]:
    """Language's passages, each with what its result shows: its paper, its section, its links."""
    pdfs = pdf_pages(project.config, language)
    translations = [project.translation(paper.slug, language) for paper in project.papers]
    return [{
        "text": passage["text"],
        "paper": passage["paper"],
        "anchor": passage["anchor"],
        "shown": {
            "paper_title": passage["paper_title"],
            "paper_path": SiteMap.paper(language, passage["paper"]),
            "path": f"{SiteMap.paper(language, passage['paper'])}#{passage['anchor']}",
            "section": passage["section"],
            "language": passage["language"],
            "pdf_path": pdf_page_path(language, passage["paper"], passage["anchor"], pdfs) or "",
        },
    } for passage in searchable_passages(translations)]


def _run_pagefind(work: Path, records: dict[str, list[dict]]) -> dict[str, bytes]:
    """Write one page per passage under work, index them with Pagefind, and return the engine's files."""
    source, output = work / "passages", work / "output"
    for language, passages in records.items():
        for record in passages:
            page = source / language / record["paper"] / f"{record['anchor']}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(_passage_page(language, record), "utf-8")
    command = [sys.executable, "-m", "pagefind", "--site", str(source), "--output-path", str(output)]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LibraryError(f"static search: Pagefind could not run: {error}") from None
    if finished.returncode != 0:
        last = (finished.stderr or finished.stdout).strip().splitlines()[-1:] or ["no message"]
        raise LibraryError(f"static search: Pagefind failed (exit code {finished.returncode}): {last[0]}")
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in sorted(output.rglob("*"))
            if path.is_file() and _ENGINE.fullmatch(path.relative_to(output).as_posix())}


def _passage_page(language: str, record: dict) -> str:
    """One passage as Pagefind reads it: its text indexed, in the index of the reader's language.

    What the result shows rides along as Pagefind filters, not metadata: Pagefind searches
    metadata as words (every passage would match its paper's title), filters it does not. An
    English passage standing in for a missing translation goes to the page's language's index,
    as it sits on that language's page.
    """
    shown = "".join(f'<meta data-pagefind-filter="{name}[content]" content="{escape(value)}">'
                    for name, value in record["shown"].items() if value)
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"><title></title></head>'
            f'<body>{shown}<main data-pagefind-body><p>{escape(record["text"])}</p></main></body></html>')
