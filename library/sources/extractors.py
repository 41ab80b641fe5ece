"""A Babel extractor for the papers, so `pybabel extract` sees what `library extract` sees."""
from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from library.sources.papers import parse_paper
from library.sources.segments import segment_paper

__all__ = ["extract_papers"]


def extract_papers(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                   options: Mapping[str, Any]) -> Iterator[tuple[int, None, str, list[str]]]:
    """Yield (line, funcname, message, comments) for each segment of one paper file."""
    path = Path(getattr(fileobj, "name", "paper.md"))
    data: bytes | str = fileobj.read()
    text = data.decode(options.get("encoding", "utf-8")) if isinstance(data, bytes) else data
    for segment in segment_paper(parse_paper(text, path)):
        yield segment.line, None, segment.msgid, list(segment.comments)
