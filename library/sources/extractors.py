"""A Babel extractor for the papers, so `pybabel extract` sees what `library extract` sees."""
from __future__ import annotations

from pathlib import Path

from library.sources.papers import parse_paper
from library.sources.segments import segment_paper

__all__ = ["extract_papers"]


def extract_papers(fileobj, keywords, comment_tags, options):
    """Yield (line, funcname, message, comments) for each segment of one paper file."""
    path = Path(getattr(fileobj, "name", "paper.md"))
    text = fileobj.read()
    if isinstance(text, bytes):
        text = text.decode(options.get("encoding", "utf-8"))
    for segment in segment_paper(parse_paper(text, path)):
        yield segment.line, None, segment.msgid, list(segment.comments)
