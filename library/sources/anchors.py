"""Anchors that last: a passage keeps its id through edits of its text, moves and insertions.

`library extract` records each passage's id in locales/<slug>.anchors.json, beside the POT.
Whenever the paper is cut into segments again, a passage whose text is recorded keeps its id;
one whose text changed inherits the id of the recorded passage it most resembles; an id whose
passage is gone is retired and from then on leads to the section the passage was in. A paper
with no record yet gets the ids its text gives (a heading's words, a hash of a paragraph).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from library.core.errors import SourceError
from library.sources.segments import Segment

__all__ = ["AnchorRecord", "SAME_PASSAGE_SIMILARITY", "assign_anchors", "read_anchor_record",
           "render_anchor_record"]

# Word-level similarity from which an edited passage is taken for the recorded one it resembles
# most. Half the words may change and it is still the passage a reader linked to; below that it
# is a new passage. Kinds never mix: a heading inherits only from a heading.
SAME_PASSAGE_SIMILARITY = 0.5
TOP = ""  # the section of what comes before the first heading: the top of the page


@dataclass(frozen=True)
class RecordedPassage:
    id: str
    text: str
    heading: bool
    section: str  # the id of the heading before it, or TOP


@dataclass(frozen=True)
class AnchorRecord:
    """The ids a paper's passages had, in reading order, and the retired ids with their section."""

    passages: tuple[RecordedPassage, ...] = ()
    retired: dict[str, str] = field(default_factory=dict)

    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Section id (or TOP) -> the retired ids that now lead there."""
        found: dict[str, list[str]] = {}
        for anchor, section in sorted(self.retired.items()):
            found.setdefault(section, []).append(anchor)
        return {section: tuple(anchors) for section, anchors in found.items()}


def read_anchor_record(path: Path, data: bytes | None) -> AnchorRecord:
    """The record in data, read from path; no file (None) is an empty record, a damaged one a located error."""
    if data is None:
        return AnchorRecord()
    try:
        parsed = json.loads(data.decode("utf-8"))
        passages = tuple(RecordedPassage(p["id"], p["text"], bool(p["heading"]), p["section"])
                         for p in parsed["passages"])
        retired = {str(anchor): str(section) for anchor, section in parsed["retired"].items()}
    except json.JSONDecodeError as error:
        raise SourceError(path, error.lineno, f"not valid JSON ({error.msg}); run `library extract` "
                                              "after restoring it from version control") from None
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise SourceError(path, None, "not an anchor record; restore it from version control") from None
    return AnchorRecord(passages, retired)


def render_anchor_record(record: AnchorRecord) -> bytes:
    """The record as stable JSON with one passage a line, so a diff shows what moved."""
    def line(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    passages = ",\n".join("  " + line({"id": p.id, "heading": p.heading, "section": p.section, "text": p.text})
                           for p in record.passages)
    retired = ",\n".join(f"  {line(anchor)}: {line(section)}" for anchor, section in sorted(record.retired.items()))
    text = f'{{\n "passages": [\n{passages}\n ],\n "retired": {{\n{retired}\n }}\n}}\n'
    return text.replace("[\n\n ]", "[]").replace("{\n\n }", "{}").encode("utf-8")


def assign_anchors(segments: tuple[Segment, ...], record: AnchorRecord) -> tuple[tuple[Segment, ...], AnchorRecord]:
    """The segments with lasting ids, and the record that says so from now on."""
    body = [index for index, segment in enumerate(segments) if segment.block is not None]
    matched = _match(segments, body, record)
    taken = {p.id for p in record.passages} | set(record.retired) | {s.id for s in segments if s.block is None}
    ids = {}
    for index in body:
        ids[index] = matched.get(index) or _fresh(segments[index].id, taken)
        taken.add(ids[index])
    result = tuple(replace(segment, id=ids[index]) if index in ids else segment
                   for index, segment in enumerate(segments))
    return result, _new_record(result, record, set(matched.values()))


def _match(segments: tuple[Segment, ...], body: list[int], record: AnchorRecord) -> dict[int, str]:
    """Segment index -> recorded id: the same text first, then the most alike above the threshold."""
    by_text: dict[str, list[RecordedPassage]] = {}
    for passage in record.passages:
        by_text.setdefault(passage.text, []).append(passage)
    matched, used = {}, set()
    for index in body:
        candidates = by_text.get(segments[index].msgid, [])
        if candidates:
            matched[index] = candidates.pop(0).id
            used.add(matched[index])
    left = [p for p in record.passages if p.id not in used]
    for index, passage in _most_alike([i for i in body if i not in matched], segments, left):
        matched[index] = passage.id
    return matched


def _most_alike(indexes: list[int], segments: tuple[Segment, ...],
                passages: list[RecordedPassage]) -> Iterator[tuple[int, RecordedPassage]]:
    """Pairs of an unmatched segment and an unused passage of its kind, best first, each used once."""
    from rapidfuzz.distance import Levenshtein

    scored = []
    for index in indexes:
        words, heading = segments[index].msgid.split(), segments[index].role == "heading"
        for order, passage in enumerate(passages):
            if passage.heading == heading:
                score = Levenshtein.normalized_similarity(words, passage.text.split())
                if score >= SAME_PASSAGE_SIMILARITY:
                    scored.append((-score, index, order, passage))
    taken_indexes, taken_ids = set(), set()
    for _, index, _, passage in sorted(scored, key=lambda item: item[:3]):
        if index not in taken_indexes and passage.id not in taken_ids:
            taken_indexes.add(index)
            taken_ids.add(passage.id)
            yield index, passage


def _fresh(candidate: str, taken: set[str]) -> str:
    """The id the text gives, suffixed if a recorded or retired passage already has it."""
    anchor, counter = candidate, 1
    while anchor in taken:
        counter += 1
        anchor = f"{candidate}-{counter}"
    return anchor


def _new_record(segments: tuple[Segment, ...], old: AnchorRecord, kept: set[str]) -> AnchorRecord:
    passages, section = [], TOP
    for segment in segments:
        if segment.block is None:
            continue
        # A heading's own section is the one before it, where a link to it leads if it goes.
        passages.append(RecordedPassage(segment.id, segment.msgid, segment.role == "heading", section))
        if segment.role == "heading":
            section = segment.id
    live = {p.id for p in passages}
    retired = {**old.retired, **{p.id: p.section for p in old.passages if p.id not in kept}}
    retired = {anchor: _live_section(section, retired, live)
               for anchor, section in retired.items() if anchor not in live}
    return AnchorRecord(tuple(passages), retired)


def _live_section(section: str, retired: dict[str, str], live: set[str]) -> str:
    """Where a retired id leads now: its section, or where that section's own id leads, or the top."""
    seen = set()
    while section != TOP and section not in live and section not in seen:
        seen.add(section)
        section = retired.get(section, TOP)
    return section if section in live else TOP
