"""What a result shows: a snippet cut around the matched words; and the closest known word, for did-you-mean."""
from __future__ import annotations

from typing import Any

from library.outputs.analysis import word_spans
from library.outputs.results import Snippet

__all__ = ["SNIPPET_CHARACTERS", "closest", "snippet"]

SNIPPET_CHARACTERS = 220
LEAD = 60  # characters a snippet shows before its first marked word


def snippet(text: str, language: str, stems: frozenset[str]) -> Snippet:
    """text, cut around its densest run of matched words when it is long, those words marked."""
    marks = [(start, end) for start, end, stem_ in word_spans(text, language) if stem_ in stems]
    if len(text) <= SNIPPET_CHARACTERS:
        return Snippet(text, tuple(marks))
    start = window(text, marks)
    end = start + SNIPPET_CHARACTERS
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    prefix, suffix = ("… " if start else ""), (" …" if end < len(text) else "")
    shift = len(prefix) - start
    kept = tuple((s + shift, e + shift) for s, e in marks if s >= start and e <= end)
    return Snippet(prefix + text[start:end] + suffix, kept)


def window(text: str, marks: list[tuple[int, int]]) -> int:
    """Where to start a snippet of text: a little before the mark followed by the most marks within reach."""
    if not marks:
        return 0
    reach = SNIPPET_CHARACTERS - LEAD
    best = max(range(len(marks)), key=lambda i: (sum(1 for s, _e in marks[i:] if s < marks[i][0] + reach), -i))
    start = max(0, marks[best][0] - LEAD)
    if start == 0:
        return 0
    space = text.find(" ", start, marks[best][0])
    return space + 1 if space >= 0 else marks[best][0]


def closest(vocabulary: dict[str, list[Any]], folded: str) -> str | None:
    """The most frequent indexed word within one or two edits of folded, as it is written."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    found = process.extract(folded, vocabulary.keys(), scorer=DamerauLevenshtein.distance,
                            score_cutoff=1 if len(folded) <= 5 else 2, limit=5)
    if not found:
        return None
    best = min(found, key=lambda match: (match[1], -vocabulary[match[0]][0]))
    return str(vocabulary[best[0]][1])
