"""A generation's papers in groups, one Whoosh segment each: the groups that changed are written, the rest linked.

A language's index holds one segment per GROUP_SIZE consecutive papers, in series order, so
its documents are numbered as one segment of all of them would number them: the scores, the
ties and the results are those of a whole rebuild. A new generation links (hard links: Whoosh
never writes a segment's file again once it is assembled) the segments of the groups whose
papers did not change from the generation before, and analyses only the others' passages.
GROUPS, beside the segments, says which papers and inputs each segment holds, and its words.
"""
from __future__ import annotations

import json
import os
import shutil
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from library.outputs.analysis import words

__all__ = ["GROUPS", "GROUP_SIZE", "LAYOUT", "Group", "group_papers", "read_groups", "segment_ids", "vocabulary",
           "write_groups"]

GROUP_SIZE = 10  # papers per segment: what one changed paper costs to index again, and a search's segments
GROUPS = "groups.json"
LAYOUT = 1  # how GROUPS and the segments are laid out; a generation of another layout is never reused
_INDEX_NAME = "MAIN"  # Whoosh's default index name, in every file name of a generation


@dataclass
class Group:
    """Some consecutive papers of one language's index: what their passages come from, and where they are."""

    papers: tuple[str, ...]
    inputs: str  # the digest of the code and the files the papers' passages are made from
    documents: Callable[[], list[dict[str, Any]]] | None = None  # the passages, made when they must be indexed
    passages: str = ""  # the digest of the passages themselves
    segment: str | None = None  # the Whoosh segment's id in its generation (None: no passage)
    count: int = 0
    words: dict[str, int] = field(default_factory=dict)  # each word as written, and how often, in passage order

    def record(self) -> dict[str, Any]:
        return {"papers": list(self.papers), "inputs": self.inputs, "passages": self.passages,
                "segment": self.segment, "documents": self.count, "words": self.words}


def group_papers(slugs: Sequence[str], size: int | None = None) -> list[tuple[str, ...]]:
    """The papers in series order, cut into groups of size (GROUP_SIZE)."""
    size = size or GROUP_SIZE
    return [tuple(slugs[start:start + size]) for start in range(0, len(slugs), size)]


def read_groups(generation: Path | None) -> list[Group]:
    """The groups a generation holds; none when it has no GROUPS of this layout (written otherwise)."""
    try:
        table = json.loads((generation / GROUPS).read_text("utf-8")) if generation is not None else None
    except (OSError, ValueError):
        return []
    if not isinstance(table, dict) or table.get("layout") != LAYOUT:
        return []
    return [Group(tuple(entry["papers"]), entry["inputs"], None, entry["passages"], entry["segment"],
                  entry["documents"], entry["words"]) for entry in table["groups"]]


def write_groups(generation: Path, schema: Any, groups: list[Group], fields: Callable[[dict[str, Any]], dict[str, Any]],
                 previous: Path | None = None, kept: dict[int, Group] | None = None) -> None:
    """Write generation's segments: group i as kept[i] (its segment linked from previous), or indexed anew.

    fields: a passage as the Whoosh fields it goes into. The table of contents lists the segments
    in the groups' order, and GROUPS records them.
    """
    from whoosh import index
    from whoosh.index import TOC

    kept = kept or {}
    ix = index.create_in(generation, schema)
    storage = ix.storage
    old = {segment.segment_id(): segment for segment in TOC.read(_storage(previous), _INDEX_NAME).segments} \
        if kept and previous is not None else {}
    segments: dict[str, Any] = {}
    files = _segment_files(previous) if kept and previous is not None else {}
    for number, group in kept.items():
        if group.segment is not None:
            _link(previous, generation, files.get(group.segment, []))  # type: ignore[arg-type]
            segments[group.segment] = old[group.segment]
        groups[number] = Group(group.papers, groups[number].inputs, None, group.passages, group.segment,
                               group.count, group.words)  # under the inputs it has now
    TOC(schema, list(segments.values()), 1).write(storage, _INDEX_NAME)
    for number, group in enumerate(groups):
        if number in kept:
            continue
        segment = _index_group(ix, group, fields)
        if segment is not None:
            segments[segment.segment_id()] = segment
    final = TOC.read(storage, _INDEX_NAME)
    ordered = [segments[group.segment] for group in groups if group.segment is not None]
    TOC(schema, ordered, final.generation + 1).write(storage, _INDEX_NAME)
    for name in os.listdir(generation):  # the tables of contents on the way there
        if name.startswith(f"_{_INDEX_NAME}_") and name.endswith(".toc") and name != f"_{_INDEX_NAME}_" \
                f"{final.generation + 1}.toc":
            os.unlink(generation / name)
    table = {"layout": LAYOUT, "groups": [group.record() for group in groups]}
    (generation / GROUPS).write_text(json.dumps(table, ensure_ascii=False), "utf-8")


def vocabulary(groups: Iterable[Group]) -> Counter[str]:
    """Every group's words together, counted, in the order a whole rebuild would meet them."""
    total: Counter[str] = Counter()
    for group in groups:
        total.update(group.words)
    return total


def _storage(previous: Path | None) -> Any:
    from whoosh.filedb.filestore import FileStorage

    return FileStorage(str(previous))


def _index_group(ix: Any, group: Group, fields: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """Analyse the group's passages into a segment of its own, added to ix; the segment (None: no passage)."""
    writer = ix.writer(limitmb=64)
    seen: Counter[str] = Counter()
    count = 0
    try:
        for document in group.documents() if group.documents is not None else ():
            document = {name: unicodedata.normalize("NFC", value) for name, value in document.items()}
            writer.add_document(**fields(document))
            seen.update(words(document["text"], document["language"]))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    segment = writer.newsegment if count else None
    writer.commit(merge=False)  # the other groups' segments stay as they are
    group.segment = segment.segment_id() if segment is not None else None
    group.count, group.words, group.documents = count, dict(seen), None
    return segment


def segment_ids(generation: Path) -> set[str]:
    """The ids of the segments whose files generation holds."""
    try:
        return set(_segment_files(generation))
    except OSError:
        return set()


def _segment_files(generation: Path) -> dict[str, list[str]]:
    """Each segment's files in generation ('MAIN_x.seg'), by the segment's id ('MAIN_x')."""
    files: dict[str, list[str]] = {}
    for name in os.listdir(generation):
        if name.startswith(f"{_INDEX_NAME}_"):
            files.setdefault(name.split(".", 1)[0], []).append(name)
    return files


def _link(previous: Path, generation: Path, names: list[str]) -> None:
    """A segment's files, from the previous generation into this one: hard links, or copies where links fail."""
    for name in names:
        try:
            os.link(previous / name, generation / name)
        except OSError:
            shutil.copy2(previous / name, generation / name)
