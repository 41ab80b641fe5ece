"""The search engine: a reader's query in one language, answered from the open index generations.

One SearchEngine is made by whoever answers queries (the server, `library search`) and passed
where it is needed: it owns the generations it has opened and the results it has given, so a
server opens each generation once and answers a repeated query from memory, and a test or a
benchmark starts from a fresh one.
"""
from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

from library.core.config import Config
from library.core.errors import LibraryError
from library.core.paths import index_folder, pdf_manifest_path
from library.model.manifest import DamagedManifest
from library.model.project import Project
from library.outputs.passages import pdf_pages
from library.outputs.results import PaperHits, Passage, SearchResults
from library.outputs.search.generation import Generation
from library.outputs.search.index import VOCABULARY
from library.outputs.search.query import clean_query

__all__ = ["SearchEngine"]

_LOG = logging.getLogger(__name__)


class SearchEngine:
    """Answers queries; keeps what it opened and what it answered while the index generations stay the same."""

    def __init__(self, *, results: int = 512, generations: int = 32) -> None:
        # A server has one generation per language open; tests open many small projects.
        self._max_results, self._max_generations = results, generations
        self._opened: dict[Path, tuple[Path, Generation]] = {}  # link -> (the generation it points to, opened)
        self._results: OrderedDict[tuple[Any, ...], SearchResults] = OrderedDict()
        self._vocabularies: dict[tuple[Path, ...], frozenset[str]] = {}
        self._lock = threading.Lock()

    def search(self, project: Project, query: str, language: str, limit: int = 20) -> SearchResults:
        """Search language's index for query, falling back on the other languages, then on most of the words."""
        config = project.config
        (language,) = project.select_languages((language,))
        cleaned, notices = clean_query(query)
        if not cleaned:
            return SearchResults(query=cleaned, language=language, notices=(*notices, "empty"))
        generations = _generations_now(config)
        if generations[language] is None:
            raise LibraryError(f"{index_folder(config) / language}: no search index; run `library index` first")
        try:
            results = self._cached(config, language, cleaned, limit, generations)
        except Exception as error:  # noqa: BLE001 (only a generation swapped out between the two steps is retried)
            if not _vanished(error):
                raise
            generations = _generations_now(config)  # a rebuild swapped in a newer one: ask that
            results = self._cached(config, language, cleaned, limit, generations)
        return replace(results, notices=(*notices, *results.notices)) if notices else results

    def forget(self) -> None:
        """Drop every result and cached score, keeping the generations open (a benchmark's cold start)."""
        with self._lock:
            self._results.clear()
            for _folder, generation in self._opened.values():
                generation.scoring.forget()

    # --- what it keeps ------------------------------------------------------------------------

    def _cached(self, config: Config, language: str, query: str, limit: int,
                generations: dict[str, Any]) -> SearchResults:
        """The results of query: the same for as long as the index generations and the PDF manifest stay the same."""
        key = (config, language, query, limit, tuple(generations.items()), _manifest_stamp(config))
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        results = self._answer(config, language, query, limit, generations)
        with self._lock:
            self._results[key] = results
            while len(self._results) > self._max_results:
                self._results.popitem(last=False)
        return results

    def _generation(self, config: Config, language: str, folder: Path) -> Generation:
        """The generation folder of language's index, opened on first use."""
        link = index_folder(config) / language
        with self._lock:
            opened = self._opened.get(link)
            if opened is not None and opened[0] == folder:
                return opened[1]
        generation = Generation(folder, language, config.source_language)  # opened outside the lock: it reads files
        with self._lock:
            # The generation replaced is left to the garbage collector: a query may still be reading it.
            self._opened[link] = (folder, generation)
            while len(self._opened) > self._max_generations:
                del self._opened[next(iter(self._opened))]
        return generation

    def _vocabulary_elsewhere(self, generations: tuple[Path, ...]) -> frozenset[str]:
        """The folded words of the other languages' generations, merged once per set, not per query."""
        with self._lock:
            if generations in self._vocabularies:
                return self._vocabularies[generations]
        merged = frozenset(word for generation in generations
                           for word in json.loads((generation / VOCABULARY).read_text("utf-8")))
        with self._lock:
            self._vocabularies[generations] = merged
            while len(self._vocabularies) > self._max_generations:
                del self._vocabularies[next(iter(self._vocabularies))]
        return merged

    # --- answering ----------------------------------------------------------------------------

    def _answer(self, config: Config, language: str, query: str, limit: int, folders: dict[str, Any]) -> SearchResults:
        own = self._generation(config, language, folders[language])
        parsed = own.parse(query)
        if parsed is None:
            return SearchResults(query=query, language=language, notices=("no-words",))
        pdfs = _pdf_pages(config, language)
        hits, matched, partial = own.hits(parsed, limit, pdfs), None, False
        missing: tuple[str, ...] = ()
        if not hits:
            hits, matched = self._elsewhere(config, folders, own, query, limit, pdfs)
        if not hits:
            hits, missing = own.most_words(parsed, limit, pdfs)
            partial = bool(hits)
        others = tuple(folder for code, folder in folders.items() if code != language and folder is not None)
        suggestion = own.suggest(query, self._vocabulary_elsewhere(others))
        corrected = _corrected(own, suggestion, limit, pdfs) if not hits and suggestion else None
        if corrected is not None:
            hits, partial = corrected
        papers = _group(hits)
        return SearchResults(query, language, papers, sum(len(p.passages) for p in papers), suggestion, matched,
                             (), partial, missing, showing_suggestion=corrected is not None)

    def _elsewhere(self, config: Config, folders: dict[str, Any], own: Generation, query: str, limit: int,
                   pdfs: dict[str, Any]) -> tuple[list[_Hit], str | None]:
        """Hits from the first other language whose index holds every word, shown through the reader's segments."""
        for other, folder in folders.items():
            foreign = self._generation(config, other, folder) if other != own.language and folder is not None else None
            parsed = foreign.parse(query) if foreign is not None else None
            found = foreign.hits(parsed, limit, {}) if foreign is not None and parsed is not None else []
            if found:
                return [own.counterpart(hit, pdfs) for hit in found], other
        return [], None


def _vanished(error: Exception) -> bool:
    """Whether error says a generation was removed between finding it and opening it."""
    from whoosh.index import EmptyIndexError

    return isinstance(error, (FileNotFoundError, EmptyIndexError))


def _generations_now(config: Config) -> dict[str, Path | None]:
    """The generation each language's index link points to now (None: no index)."""
    folders: dict[str, Path | None] = {}
    for code in config.all_languages:
        try:
            folders[code] = (index_folder(config) / code).resolve(strict=True)
        except OSError:
            folders[code] = None
    return folders


def _manifest_stamp(config: Config) -> int | None:
    try:
        return pdf_manifest_path(config).stat().st_mtime_ns
    except OSError:
        return None


def _pdf_pages(config: Config, language: str) -> dict[str, Any]:
    """The PDF pages to link passages to; none while the manifest is damaged (the next build says so, and stops)."""
    try:
        return pdf_pages(config, language)
    except DamagedManifest as error:
        _LOG.warning("%s", error)
        return {}


def _corrected(own: Generation, suggestion: str, limit: int, pdfs: dict[str, Any]) -> tuple[list[_Hit], bool] | None:
    """The passages the suggestion finds, all its words or most of them, when the query found none."""
    parsed = own.parse(suggestion)
    if parsed is None:
        return None
    hits = own.hits(parsed, limit, pdfs)
    if hits:
        return hits, False
    hits, _missing = own.most_words(parsed, limit, pdfs)
    return (hits, True) if hits else None


# A passage found: its paper, its paper's title, the passage.
_Hit = tuple[str, str, Passage]


def _group(passages: list[tuple[str, str, Passage]]) -> tuple[PaperHits, ...]:
    """Passages grouped by paper, papers in the order of their two best passages together.

    A paper that answers in two passages (its title and its summary, say) comes before a
    page that names the same words once, such as the series page listing every title.
    """
    groups: dict[str, list[Any]] = {}
    titles: dict[str, str] = {}
    for paper, title, passage in passages:
        groups.setdefault(paper, []).append(passage)
        titles.setdefault(paper, title)
    ranked = sorted(groups.items(), key=lambda item: -sum(p.score for p in item[1][:2]))
    return tuple(
        PaperHits(paper, titles[paper], passages_[0].path.split("#")[0], tuple(passages_))
        for paper, passages_ in ranked
    )
