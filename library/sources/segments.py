"""Cut a Paper into translatable segments, each with a stable anchor id."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace

from library.sources.papers import TEXT_FIELDS, Block, Paper

__all__ = ["Segment", "segment_paper", "slugify"]

# What translators are told about each front-matter field.
_FIELD_NOTES = {
    "title": "Paper title",
    "subtitle": "Paper subtitle",
    "publisher": "Publisher's name",
    "summary": "Paper summary, shown on the home page and in search results",
    "keyword": "Keyword: a word or short phrase",
}
_ROLE_NOTES = {"image": "Image description (alt text)", "cell": "Table cell"}


@dataclass(frozen=True)
class Segment:
    """One translatable unit: its msgid, where it comes from, and its anchor id."""

    id: str
    msgid: str
    line: int
    role: str  # a front-matter field, or the kind of its block
    comments: tuple[str, ...] = ()
    block: int | None = None  # index in paper.blocks, None for front-matter fields
    paper: str = ""  # the slug of the paper it belongs to


def segment_paper(paper: Paper) -> tuple[Segment, ...]:
    """The paper's segments in reading order, front matter first."""
    drafts = [*_front_matter_segments(paper), *_body_segments(paper.blocks)]
    return tuple(replace(segment, paper=paper.slug) for segment in _with_unique_ids(drafts))


def slugify(text: str, limit: int = 60) -> str:
    """ASCII words of text joined by '-', cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def _front_matter_segments(paper: Paper) -> list[Segment]:
    meta, lines = paper.meta, paper.meta.lines
    segments = [
        Segment(id=name, msgid=getattr(meta, name), line=lines.get(name, 1), role=name, comments=(_FIELD_NOTES[name],))
        for name in TEXT_FIELDS
    ]
    for index, keyword in enumerate(meta.keywords):
        line = lines.get(f"keywords.{index}", lines.get("keywords", 1))
        segments.append(
            Segment(id=f"keyword-{slugify(keyword) or index + 1}", msgid=keyword, line=line, role="keyword",
                    comments=(_FIELD_NOTES["keyword"],))
        )
    return sorted(segments, key=lambda s: s.line)


def _body_segments(blocks: tuple[Block, ...]) -> list[Segment]:
    segments = []
    for index, block in enumerate(blocks):
        if not block.text or block.kind in ("code", "rule"):
            continue
        notes = tuple(note for note in (_ROLE_NOTES.get(block.kind), block.comment) if note)
        segments.append(
            Segment(id=_anchor(block), msgid=block.text, line=block.line, role=_role(block), comments=notes,
                    block=index)
        )
    return segments


def _role(block: Block) -> str:
    kinds = {container.kind for container in block.path}
    if block.kind != "paragraph":
        return block.kind
    if "list_item" in kinds:
        return "list_item"
    return "quote" if "blockquote" in kinds else "paragraph"


def _anchor(block: Block) -> str:
    # Headings get readable ids (#key-points); other blocks a short hash of their English text.
    if block.kind == "heading" and slugify(block.text):
        return slugify(block.text)
    digest = hashlib.blake2b(block.text.encode("utf-8"), digest_size=4).hexdigest()
    return f"p-{digest}"


def _with_unique_ids(drafts: list[Segment]) -> list[Segment]:
    """Suffix -2, -3, ... to repeated ids, in reading order, so ids stay deterministic."""
    taken: set[str] = set()
    unique = []
    for segment in drafts:
        candidate, counter = segment.id, 1
        while candidate in taken:
            counter += 1
            candidate = f"{segment.id}-{counter}"
        taken.add(candidate)
        unique.append(segment if candidate == segment.id else replace(segment, id=candidate))
    return unique
