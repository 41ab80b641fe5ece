"""Each paper's passages in one language, with their words and stems, kept by the bytes of the paper's files.

A language's index needs every passage's text, length, stems and words; kept per paper in
build/state/static_search/<lang>.json under the stamp of the files the text comes from, they
are read again, and analysed, only for the papers whose files changed.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from library.core.files import write_if_changed
from library.core.paths import state_path
from library.model.figures import KnownFigures
from library.model.project import Project
from library.model.stamps import Digest, read_state
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
    """Every paper's passages in language: each from the record when its files are as then, else read."""
    name = f"static_search/{language}"
    code = Digest().code(__name__).hexdigest()
    state = read_state(project.config, name)
    kept: dict[str, Any] = state.get("papers", {}) if state.get("code") == code else {}
    now, whole = {}, LanguagePassages()
    for paper in project.papers:
        stamp = known.text_stamp(paper.slug, language)
        entry = kept.get(paper.slug)
        if entry is None or entry["stamp"] != stamp:
            entry = _paper(project, paper.slug, language, stamp)
        now[paper.slug] = entry
        _add(whole, entry)
    # Compact: at 200 papers a language's record is a few megabytes, rewritten when one paper changes.
    data = json.dumps({"code": code, "papers": now}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    write_if_changed(state_path(project.config, name), data.encode("utf-8"))
    return whole


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
