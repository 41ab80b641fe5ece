"""Each paper's passages in one language, with their words and stems, kept by the bytes of the paper's files.

A language's index needs every passage's text, length, stems and words; kept in a record per
paper, build/state/static_search/<lang>/<paper>.json, under the stamp of the files the text
comes from, they are read again, analysed and written, only for the papers whose files changed
(a language's whole record is some 8 MB at 200 papers: one file, it was rewritten for one edit).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from library.core.config import Config
from library.core.files import write_atomic
from library.core.paths import state_path
from library.model.figures import KnownFigures
from library.model.project import Project
from library.model.stamps import Digest
from library.outputs.analysis import fold, word_spans, words
from library.outputs.passages import searchable_passages

__all__ = ["LanguagePassages", "language_passages"]

_FIELDS = ("text", "paper", "anchor", "language", "section", "paper_title")


@dataclass
class LanguagePassages:
    """A language's passages in series order, their lengths in indexed words, their stems and their words."""

    passages: list[dict[str, Any]] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    stems: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # language -> stem -> folded forms
    counts: Counter[str] = field(default_factory=Counter)  # word as written (lowercase) -> how often


def language_passages(project: Project, known: KnownFigures, language: str) -> LanguagePassages:
    """Every paper's passages in language: each from its record when its files are as then, else read anew."""
    folder = _records_folder(project.config, language)
    code = Digest().code(__name__).hexdigest()
    whole = LanguagePassages()
    for paper in project.papers:
        stamp = known.text_stamp(paper.slug, language)
        path = folder / f"{paper.slug}.json"
        entry = _kept_record(path, code, stamp)
        if entry is None:
            entry = _paper(project, paper.slug, language, stamp)
            folder.mkdir(parents=True, exist_ok=True)
            data = json.dumps({"code": code, **entry}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            write_atomic(path, data.encode("utf-8"), sync=False)  # a record lost to a crash is only made again
        _add(whole, entry)
    _remove_other_records(project, folder, language)
    return whole


def _records_folder(config: Config, language: str) -> Path:
    return state_path(config, f"static_search/{language}").with_suffix("")


def _kept_record(path: Path, code: str, stamp: str) -> dict[str, Any] | None:
    """The paper's record if this code wrote it for the files as they are now; None if not, or unreadable."""
    try:
        entry = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("code") == code and entry.get("stamp") == stamp else None


def _remove_other_records(project: Project, folder: Path, language: str) -> None:
    """The records of papers no longer in the series, and the whole-language record of earlier versions."""
    state_path(project.config, f"static_search/{language}").unlink(missing_ok=True)
    slugs = {f"{slug}.json" for slug in project.slugs}
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.name not in slugs:
            path.unlink(missing_ok=True)


def _paper(project: Project, slug: str, language: str, stamp: str) -> dict[str, Any]:
    """One paper's passages in language, analysed: rows of their fields, lengths, stems, word counts."""
    passages = list(searchable_passages([project.translation(slug, language)]))
    stems: dict[str, dict[str, set[str]]] = {}
    counts: Counter[str] = Counter()
    lengths = []
    for passage in passages:
        text, code = passage["text"], passage["language"]
        spans = word_spans(text, code)
        lengths.append(len(spans))
        for start, end, stem in spans:
            stems.setdefault(code, {}).setdefault(stem, set()).add(fold(text[start:end].lower()))
        counts.update(words(text, code))
    return {"stamp": stamp, "rows": [[passage[name] for name in _FIELDS] for passage in passages],
            "lengths": lengths, "counts": dict(sorted(counts.items())),
            "stems": {code: {stem: sorted(forms) for stem, forms in sorted(found.items())}
                      for code, found in sorted(stems.items())}}


def _add(whole: LanguagePassages, entry: dict[str, Any]) -> None:
    whole.passages.extend(dict(zip(_FIELDS, row, strict=True)) for row in entry["rows"])
    whole.lengths.extend(entry["lengths"])
    whole.counts.update(entry["counts"])
    for code, found in entry["stems"].items():
        mine = whole.stems.setdefault(code, {})
        for stem, forms in found.items():
            mine.setdefault(stem, set()).update(forms)
