"""What a search found, as the site's page, `library search` and its JSON show it, whoever searched."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import escape

__all__ = ["MAX_QUERY_LENGTH", "PaperHits", "Passage", "SearchResults", "Snippet", "results_json", "results_text"]

# The longest query any engine reads, and the search box's maxlength: a query is a few words.
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class Snippet:
    """A passage's text, or the part of it that matched, with the reader's words marked.

    Plain text and the (start, end) character ranges of the marked words: the JSON output
    carries both as they are, the site gets them through __html__, escaped, in <mark>.
    """

    text: str
    marks: tuple[tuple[int, int], ...] = ()

    def pieces(self) -> list[tuple[str, bool]]:
        """The text in order, in pieces, each with whether it is a marked word."""
        pieces, done = [], 0
        for start, end in self.marks:
            pieces += [(self.text[done:start], False), (self.text[start:end], True)]
            done = end
        return [*pieces, (self.text[done:], False)]

    def __html__(self) -> str:
        return "".join(f"<mark>{escape(text)}</mark>" if marked else str(escape(text))
                       for text, marked in self.pieces())

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Passage:
    """One matching segment, shown in the reader's language."""

    anchor: str
    section: str
    snippet: Snippet  # the matching words marked; none when the passage matched in another language
    path: str  # site path of the paragraph: fr/what-is-the-imrf.html#p-1234abcd
    language: str  # the language of the snippet's text
    score: float
    matched_language: str  # the index the query matched in
    matched_snippet: Snippet | None = None  # the matching text, when it matched in another language
    pdf_path: str | None = None  # the paper's PDF at the passage's page: fr/what-is-the-imrf.pdf#page=3


@dataclass(frozen=True)
class PaperHits:
    """The passages of one paper, best first."""

    paper: str
    title: str
    path: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class SearchResults:
    """What a query found in one language, and what to tell the reader about it."""

    query: str
    language: str
    papers: tuple[PaperHits, ...] = ()
    total: int = 0
    suggestion: str | None = None  # a corrected query, when a word looks misspelt
    matched_language: str | None = None  # set when nothing matched in the reader's language
    notices: tuple[str, ...] = field(default=())  # "empty", "shortened", "no-words", "no-index"
    partial: bool = False  # no passage holds every word: these hold the most of them
    missing_words: tuple[str, ...] = ()  # words of the query that no passage holds
    showing_suggestion: bool = False  # nothing matched the query: the passages are the suggestion's


def results_text(results: SearchResults, mark: Callable[[str], str] = str) -> str:
    """Results for a terminal: papers, then passages with their section, snippet and link (mark: marked words)."""
    notes = {
        "empty": "Type one or more words to search for.",
        "no-words": "Nothing to search for: the query has no words (common words such as 'the' are skipped).",
        "shortened": "The query was too long and has been shortened.",
    }
    lines = [notes[notice] for notice in results.notices]
    if results.showing_suggestion:
        lines.append(f"No passage matches {results.query!r}. Showing the passages for {results.suggestion!r}.")
    elif results.suggestion:
        lines.append(f"Did you mean: {results.suggestion}")
    if results.matched_language:
        lines.append(f"No match in '{results.language}'; these passages matched in '{results.matched_language}'.")
    if results.partial:
        lines.append("No passage has all your words; these have most of them.")
    if results.missing_words:
        lines.append(f"Not found: {', '.join(results.missing_words)}")
    if results.query and not results.total and "no-words" not in results.notices:
        lines.append(f"No passage matches {results.query!r}.")
    for paper in results.papers:
        lines.append(f"\n{paper.title}")
        for passage in paper.passages:
            where = f" ({passage.section})" if passage.section else ""
            lines.append(f"  {passage.path}{where}")
            lines.append("    " + "".join(mark(text) if marked else text for text, marked in passage.snippet.pieces()))
    return "\n".join(lines)


def results_json(results: SearchResults) -> str:
    """Results as JSON, every field as it is."""
    data = dataclasses.asdict(results)
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
