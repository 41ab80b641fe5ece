"""Full-text search: one Whoosh index per language, built atomically, queried as readers type."""
from __future__ import annotations

import copy
import heapq
import json
import logging
import os
import re
import shutil
import threading
import time
import unicodedata
import weakref
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from library import __version__
from library.outputs.analysis import OPERATORS, analysis_name, analyzer, fold, is_question_word, word_spans, words
from library.core.config import Config
from library.core.errors import LibraryError
from library.sources.glossary import search_forms
from library.model.manifest import DamagedManifest
from library.outputs.passages import pdf_page_path, pdf_pages, searchable_passages
from library.core.paths import (SiteMap, anchor_record_path, catalog_path, glossary_path, index_folder, paper_paths,
                    pdf_manifest_path)
from library.model.project import Project
from library.outputs.results import MAX_QUERY_LENGTH, PaperHits, Passage, SearchResults, Snippet
from library.model.stamps import Digest, distribution_version, read_state, write_state

__all__ = [
    "MAX_QUERY_LENGTH",
    "IndexReport",
    "Passage",
    "PaperHits",
    "SearchResults",
    "Snippet",
    "build_index",
    "search",
]

STAGE = "index"
_LOG = logging.getLogger(__name__)
MAX_TERMS = 24
SNIPPET_CHARACTERS = 220
_LEAD = 60  # characters a snippet shows before its first marked word
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# A phrase typed, or copied from the help, in typographic quotation marks is still a phrase.
_QUOTES = str.maketrans({mark: '"' for mark in "“”„‟«»‹›"})
_VOCABULARY = "vocabulary.json"
_TERMINOLOGY = "terminology.json"
_READERS = "readers.lock"  # the leases of the processes reading a generation


# Building ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexReport:
    """What one language's index holds, and how long it took."""

    language: str
    path: Path
    documents: int
    seconds: float
    rebuilt: bool = True  # False: its inputs had not changed, so the index was left as it was
    withdrawn: bool = False  # its language was removed from setup.cfg, and so was the index
    analysis: str = ""  # how its words are analysed: stemmed, or folded only


def build_index(project: Project, languages: tuple[str, ...] = ()) -> list[IndexReport]:
    """Index every passage of every paper, one index per language, each swapped in whole.

    A language's index is rebuilt only when its passages changed; when not even the files
    they come from changed, nothing is parsed and Whoosh is not imported.
    """
    config = project.config
    state = read_state(config, STAGE)
    reports = []
    for language in project.select_languages(languages):
        started = time.perf_counter()
        before = state.get(language, {})
        link = index_folder(config) / language
        inputs = _index_inputs(project, language)
        if before.get("inputs") == inputs and link.exists() and "analysis" in before:
            reports.append(IndexReport(language, link, before["documents"], time.perf_counter() - started, False,
                                       analysis=before["analysis"]))
            continue
        documents = list(searchable_passages([project.translation(paper.slug, language) for paper in project.papers]))
        terminology = _terminology(project, language)
        passages = Digest(inputs.split(":")[0], documents, terminology).hexdigest()
        if before.get("passages") != passages or not link.exists():
            write_index(index_folder(config), language, config.source_language, documents, terminology)
        analysis = analysis_name(language)  # kept, so an unchanged build need not import Whoosh to say it
        state[language] = {"inputs": inputs, "passages": passages, "documents": len(documents), "analysis": analysis}
        write_state(config, STAGE, state)
        reports.append(IndexReport(language, link, len(documents), time.perf_counter() - started,
                                   before.get("passages") != passages, analysis=analysis))
    if not languages:
        reports += _withdraw_languages(project, state)
    return reports


def _withdraw_languages(project: Project, state: dict) -> list[IndexReport]:
    """Delete the indexes of languages no longer in setup.cfg, so search stops offering them."""
    config, folder, reports = project.config, index_folder(project.config), []
    for link in sorted(folder.glob("*")) if folder.is_dir() else ():
        language = link.name
        if language.startswith(".") or language in config.all_languages:
            continue
        for generation in _generations(folder, language):
            _remove_unread(generation)  # one a server still reads goes with a later build
        if link.is_symlink() or link.is_file():
            link.unlink()
        else:
            shutil.rmtree(link, ignore_errors=True)
        state.pop(language, None)
        write_state(config, STAGE, state)
        reports.append(IndexReport(language, link, 0, 0.0, withdrawn=True))
    return reports


def _index_inputs(project: Project, language: str) -> str:
    """'code:files': the indexing code and tools, then the bytes of the sources and catalogs read."""
    config = project.config
    code = Digest(__version__, distribution_version("whoosh-reloaded"), config.source_language, language)
    code = code.code(__name__).hexdigest()
    sources = paper_paths(config)
    files = [*sources, *(anchor_record_path(config, path.stem) for path in sources)]  # the passages' ids
    if language != config.source_language:
        files += [catalog_path(config, language, path.stem) for path in sources]
    files.append(glossary_path(config))
    return f"{code}:{Digest().files(files, config.root).hexdigest()}"


def write_index(folder: Path, language: str, source_language: str, documents, terminology: list[dict] = ()) -> int:
    """Write a new generation of language's index under folder and point folder/<language> at it.

    terminology: the glossary's terms as `_terminology` gives them, kept with the generation.
    """
    from whoosh import index

    folder.mkdir(parents=True, exist_ok=True)
    generation = folder / f".{language}-{time.time_ns()}"
    generation.mkdir()
    try:
        writer = index.create_in(generation, _schema(language, source_language)).writer(limitmb=128)
        vocabulary: Counter[str] = Counter()
        count = 0
        for document in documents:
            document = {name: unicodedata.normalize("NFC", value) for name, value in document.items()}
            writer.add_document(**_fields(document, language))
            vocabulary.update(words(document["text"], document["language"]))
            count += 1
        writer.commit()
        (generation / _VOCABULARY).write_text(json.dumps(_vocabulary_table(vocabulary), ensure_ascii=False), "utf-8")
        (generation / _TERMINOLOGY).write_text(json.dumps(list(terminology), ensure_ascii=False), "utf-8")
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    _swap_in(folder, language, generation)
    return count


def _fields(document: dict, language: str) -> dict:
    """The document as Whoosh fields: its text goes to the field analysed in its own language."""
    if document["language"] == language:
        return document
    fields = dict(document)
    fields["text_source"] = fields.pop("text")
    return fields


def _terminology(project: Project, language: str) -> list[dict]:
    """Each glossary term with an official form in language, and the other forms a reader may type for it."""
    config = project.config
    return search_forms(project.glossary.terms, config.source_language, language)


def _schema(language: str, source_language: str):
    from whoosh.fields import ID, STORED, TEXT, Schema

    fields = {
        "key": ID(stored=True, unique=True),
        "paper": ID(stored=True),
        "paper_title": STORED(),
        "anchor": ID(stored=True),
        "section": STORED(),
        "language": ID(stored=True),
        "text": TEXT(analyzer=analyzer(language), stored=True, phrase=True),
    }
    if language != source_language:
        # A segment still in English is indexed as English, with the English stemmer.
        fields["text_source"] = TEXT(analyzer=analyzer(source_language), stored=True, phrase=True)
    return Schema(**fields)


def _vocabulary_table(vocabulary: Counter[str]) -> dict[str, list]:
    """Folded word -> [frequency, the most frequent way it is written], for did-you-mean."""
    table: dict[str, list] = {}
    for word, count in vocabulary.most_common():
        entry = table.setdefault(fold(word), [0, word])
        entry[0] += count
    return table


def _swap_in(folder: Path, language: str, generation: Path) -> None:
    """Point the link folder/<language> at generation in one rename; keep one older generation."""
    link = folder / language
    if link.exists() and not link.is_symlink():
        link.rename(folder / f".{language}-old-{time.time_ns()}")
    temporary = folder / f".{language}.link-{time.time_ns()}"
    temporary.symlink_to(generation.name)
    os.replace(temporary, link)
    # The generation just replaced may still be open in a running server: it stays until the next build,
    # and an older one goes only once no process holds it open (see _lease).
    keep = {generation.name, *(p.name for p in _generations(folder, language)[-2:])}
    for old in _generations(folder, language):
        if old.name not in keep:
            _remove_unread(old)


def _lease(generation: Path):
    """A shared lock on generation for as long as the returned file stays open: a reader's claim.

    Any process that opens a generation takes one; the kernel lets it go when the process ends,
    even after kill -9, so a generation is never deleted under a search that is reading it.
    """
    import fcntl

    handle = open(generation / _READERS, "a")  # noqa: SIM115 (held for the generation's life)
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def _remove_unread(generation: Path) -> bool:
    """Delete generation unless some process holds a lease on it; say whether it went."""
    import fcntl

    try:
        with open(generation / _READERS, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(generation, ignore_errors=True)  # under the lock: no reader can start meanwhile
    except BlockingIOError:
        return False
    except FileNotFoundError:
        pass  # gone already
    return True


def _generations(folder: Path, language: str) -> list[Path]:
    return sorted((p for p in folder.glob(f".{language}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)


# Searching -----------------------------------------------------------------------------------


def search(project: Project, query: str, language: str, limit: int = 20) -> SearchResults:
    """Search language's index for query, falling back on the other languages, then on most of the words."""
    config = project.config
    (language,) = project.select_languages((language,))
    cleaned, notices = _clean(query)
    if not cleaned:
        return SearchResults(query=cleaned, language=language, notices=(*notices, "empty"))
    generations = _generations_now(config)
    if generations[language] is None:
        raise LibraryError(f"{index_folder(config) / language}: no search index; run `library index` first")
    try:
        results = _search(config, language, cleaned, limit, tuple(generations.items()), _manifest_stamp(config))
    except Exception as error:  # noqa: BLE001 (only a generation swapped out between the two steps is retried)
        if not _vanished(error):
            raise
        generations = _generations_now(config)  # a rebuild swapped in a newer one: ask that
        results = _search(config, language, cleaned, limit, tuple(generations.items()), _manifest_stamp(config))
    return replace(results, notices=(*notices, *results.notices)) if notices else results


def _vanished(error: Exception) -> bool:
    """Whether error says a generation was removed between finding it and opening it."""
    from whoosh.index import EmptyIndexError

    return isinstance(error, (FileNotFoundError, EmptyIndexError))


def _generations_now(config: Config) -> dict[str, Path | None]:
    """The generation each language's index link points to now (None: no index)."""
    folders = {}
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


@lru_cache(maxsize=512)
def _search(config: Config, language: str, query: str, limit: int, generations: tuple, _manifest: int | None
            ) -> SearchResults:
    """The results of query: the same for as long as the index generations and the PDF manifest stay the same."""
    folders = dict(generations)
    own = _generation(config, language, folders[language])
    parsed = own.parse(query)
    if parsed is None:
        return SearchResults(query=query, language=language, notices=("no-words",))
    pdfs = _pdf_pages(config, language)
    hits, matched, partial, missing = own.hits(parsed, limit, pdfs), None, False, ()
    if not hits:
        hits, matched = _elsewhere(config, folders, own, query, limit, pdfs)
    if not hits:
        hits, missing = own.most_words(parsed, limit, pdfs)
        partial = bool(hits)
    suggestion = own.suggest(query, _merged_vocabularies(
        tuple(folder for code, folder in generations if code != language and folder is not None)))
    corrected = _corrected(own, suggestion, limit, pdfs) if not hits and suggestion else None
    if corrected is not None:
        hits, partial = corrected
    papers = _group(hits)
    return SearchResults(query, language, papers, sum(len(p.passages) for p in papers), suggestion, matched,
                         (), partial, missing, showing_suggestion=corrected is not None)


def _pdf_pages(config: Config, language: str) -> dict:
    """The PDF pages to link passages to; none while the manifest is damaged (the next build says so, and stops)."""
    try:
        return pdf_pages(config, language)
    except DamagedManifest as error:
        _LOG.warning("%s", error)
        return {}


def _corrected(own: _Generation, suggestion: str, limit: int, pdfs: dict):
    """The passages the suggestion finds, all its words or most of them, when the query found none."""
    parsed = own.parse(suggestion)
    if parsed is None:
        return None
    hits = own.hits(parsed, limit, pdfs)
    if hits:
        return hits, False
    hits, _missing = own.most_words(parsed, limit, pdfs)
    return (hits, True) if hits else None


def _clean(query: str) -> tuple[str, list[str]]:
    """The query without control or direction characters, squeezed and cut to a sane length."""
    notices = []
    # One form for each accented letter, as the index has it: "e" + U+0301 is "é".
    cleaned = " ".join(unicodedata.normalize("NFC", _CONTROL.sub(" ", query)).translate(_QUOTES).split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        cleaned = cleaned[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
        notices.append("shortened")
    return cleaned, notices


def _elsewhere(config: Config, folders: dict, own: _Generation, query: str, limit: int, pdfs: dict):
    """Hits from the first other language whose index holds every word, shown through the reader's segments."""
    for other, folder in folders.items():
        foreign = _generation(config, other, folder) if other != own.language and folder is not None else None
        parsed = foreign.parse(query) if foreign is not None else None
        found = foreign.hits(parsed, limit, {}) if parsed is not None else []
        if found:
            return [own.counterpart(hit, pdfs) for hit in found], other
    return [], None


def _group(passages: list[tuple[str, str, Passage]]) -> tuple[PaperHits, ...]:
    """Passages grouped by paper, papers in the order of their two best passages together.

    A paper that answers in two passages (its title and its summary, say) comes before a
    page that names the same words once, such as the series page listing every title.
    """
    groups: dict[str, list] = {}
    titles: dict[str, str] = {}
    for paper, title, passage in passages:
        groups.setdefault(paper, []).append(passage)
        titles.setdefault(paper, title)
    ranked = sorted(groups.items(), key=lambda item: -sum(p.score for p in item[1][:2]))
    return tuple(
        PaperHits(paper, titles[paper], passages_[0].path.split("#")[0], tuple(passages_))
        for paper, passages_ in ranked
    )


@dataclass(frozen=True)
class _Clause:
    """One thing the reader asked for: a word, a "phrase" or a group, as a query over the text fields."""

    text: str  # as the reader typed it
    query: object
    stems: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by language, for the glossary's forms


@dataclass(frozen=True)
class _Parsed:
    """A query in clauses: every required one must match, optional ones only rank, excluded ones must not."""

    required: tuple[_Clause, ...]
    optional: tuple[_Clause, ...] = ()
    excluded: tuple[object, ...] = ()

    def all_of(self):
        """Passages holding every required clause, the optional ones ranking them."""
        from whoosh.query import And, AndMaybe

        query = _or([clause.query for clause in self.required], And)
        if self.optional:
            query = AndMaybe(query, _or([clause.query for clause in self.optional]))
        return self.without_excluded(query)

    def any_of(self):
        """Passages holding any clause, for ranking those that hold most of them."""
        return self.without_excluded(_or([clause.query for clause in (*self.required, *self.optional)]))

    def without_excluded(self, query):
        from whoosh.query import AndNot

        return AndNot(query, _or(list(self.excluded))) if self.excluded else query


def _or(queries: list, kind=None):
    """One query for several: kind (Or by default) of them, or the query itself when there is one."""
    from whoosh.query import Or

    if len(queries) == 1:
        return queries[0]
    return (kind or Or)(queries)


class _Generation:
    """One generation of a language's index, opened once per process and reused until a new one is swapped in.

    Whoosh reads an index's table of contents from disk on every access to `Index.schema`;
    here the schema, the searcher, the parsers, the vocabulary and the glossary's forms are
    read once. A searcher is not safe to share between threads, so each use takes the lock.
    """

    def __init__(self, folder: Path, language: str, source_language: str) -> None:
        from whoosh import index

        self.folder, self.language = folder, language
        # The lease goes when the last query holding this object lets it go.
        weakref.finalize(self, _lease(folder).close)
        self.searcher = index.open_dir(folder).searcher()
        schema = self.searcher.schema
        self.field_languages = {name: code for name, code in (("text", language), ("text_source", source_language))
                                if name in schema}
        self.parsers = {name: _parser(name, schema, language) for name in self.field_languages}
        self.analyzers = {name: schema[name].analyzer for name in self.field_languages}
        self.vocabulary = json.loads((folder / _VOCABULARY).read_text("utf-8"))
        self.terminology = _read_terminology(folder)
        self.lock = threading.RLock()
        # A generation's postings never change: a term's scores and positions are worked out once.
        self.term_scores = lru_cache(maxsize=1024)(self._term_scores)
        self.term_positions = lru_cache(maxsize=256)(self._term_positions)
        self.norms: dict[str, list[float]] = {}  # field -> each passage's length normalisation

    # Reading the query

    def parse(self, query: str) -> _Parsed | None:
        """The clauses of what a reader typed, or None when no searchable word is left.

        Each clause is parsed once per text field, each with its own language's analyzer; a
        word that is a stop word in the reader's language is left out, not required of a
        passage still in English. A word that only asks (what, pourquoi) is kept to rank.
        """
        words = query.split()
        query = _FIELD_SYNTAX.sub(" ", " ".join(words[:MAX_TERMS]))
        with self.lock:
            tree = _pruned(self.parsers["text"].process(query))
            if tree is None:
                return None
            positive, negative = _top_level(tree)
            clauses = [clause for clause in map(self._clause, positive) if clause is not None]
            excluded = [q for q in (self._field_queries(node, negative=True) for node in negative) if q is not None]
            clauses = self._with_terminology(clauses)
        asking = [clause for clause in clauses if is_question_word(clause.text, self.language)]
        required = [clause for clause in clauses if clause not in asking] or asking
        if not required:
            return None
        return _Parsed(tuple(required), tuple(c for c in asking if c not in required), tuple(excluded))

    def _clause(self, node) -> _Clause | None:
        query = self._field_queries(node)
        if query is None:
            return None
        typed = getattr(node, "text", None)  # a word's or a phrase's; a group has none
        if not isinstance(typed, str):
            return _Clause(_typed(node), query)
        stems = {code: tuple(stem_ for _s, _e, stem_ in word_spans(typed, code)) for code in self.terminology.languages}
        return _Clause(f'"{typed}"' if type(node).__name__ == "PhraseNode" else typed, query, stems)

    def _field_queries(self, node, negative: bool = False):
        """node's query over every text field, or None when the reader's language leaves it out."""
        from whoosh.query import Not, NullQuery

        if type(node).__name__ == "NotGroup" and not negative:
            # Not in any field, rather than not in some field: a passage has one of the two.
            inner = self._field_queries(node, negative=True)
            return Not(inner) if inner is not None else None
        queries = []
        for name, parser in self.parsers.items():
            query = node.query(parser)
            if negative and type(node).__name__ == "NotGroup":
                query = getattr(query, "query", query)
            query = query.normalize() if query is not None else None  # "(les OU b)": no empty groups left
            if query is None or query is NullQuery or not any(True for _ in query.iter_all_terms()):
                if name == "text":
                    return None
                continue
            queries.append(query)
        return _or(queries) if queries else None

    def _with_terminology(self, clauses: list[_Clause]) -> list[_Clause]:
        """Clauses where a run of them spells a glossary term's variant also find the term's official form."""
        from whoosh.query import And, Or

        for first in range(len(clauses)):
            for term in self.terminology.terms:
                run = _run_spelling(clauses[first:], term)
                if run:
                    official = [self._phrase(term.official, "text"), self._phrase(term.english, "text_source")]
                    found = Or([_or([c.query for c in clauses[first:first + run]], And),
                                *(q for q in official if q is not None)])
                    typed = " ".join(c.text for c in clauses[first:first + run])
                    return [*clauses[:first], _Clause(typed, found), *self._with_terminology(clauses[first + run:])]
        return clauses

    def _phrase(self, text: str, name: str):
        """The phrase text in field name, or None (no such field, or nothing but stop words)."""
        parser = self.parsers.get(name)
        query = parser.parse(f'"{text.replace(chr(34), " ")}"') if parser is not None else None
        return query if query is not None and any(True for _ in query.iter_all_terms()) else None

    # Finding

    def hits(self, parsed: _Parsed, limit: int, pdfs: dict) -> list[tuple[str, str, Passage]]:
        """The passages that hold every required clause, best first."""
        with self.lock:
            scores = self.scores(parsed.all_of())
            return [self._passage(doc, score, parsed, pdfs) for doc, score in _best(scores, limit)]

    def most_words(self, parsed: _Parsed, limit: int, pdfs: dict):
        """The passages that hold the most of the required clauses, best first, and the clauses none holds."""
        with self.lock:
            found = [self.scores(clause.query) for clause in parsed.required]
            missing = tuple(clause.text for clause, scores in zip(parsed.required, found) if not scores)
            if len(parsed.required) < 2:
                return [], missing
            excluded = self.scores(_or(list(parsed.excluded))) if parsed.excluded else {}
            counts: Counter[int] = Counter()
            totals: dict[int, float] = {}
            for scores in found:
                for doc, score in scores.items():
                    if doc not in excluded:
                        counts[doc] += 1
                        totals[doc] = totals.get(doc, 0.0) + score
            for scores in (self.scores(clause.query) for clause in parsed.optional):
                for doc in totals.keys() & scores.keys():
                    totals[doc] += scores[doc]
            best = heapq.nsmallest(limit, totals, key=lambda doc: (-counts[doc], -totals[doc], doc))
            return [self._passage(doc, totals[doc], parsed, pdfs) for doc in best], missing

    # Scoring: BM25F as Whoosh computes it, over whole posting lists at once

    def scores(self, query) -> dict[int, float]:
        """Document -> score of every passage query matches, as Whoosh's BM25F scores it.

        Whoosh walks its matchers passage by passage; summing whole posting lists of cached
        term scores is several times faster on common words and ranks the same. Phrases, and
        any other kind of query, are left to Whoosh.
        """
        kind = type(query).__name__
        if kind == "Term" and query.boost == 1:
            return self.term_scores(query.fieldname, query.text)
        if kind == "Or" and query.boost == 1:
            return _union(sorted((self.scores(sub) for sub in query.subqueries), key=len))
        if kind == "And" and query.boost == 1:
            parts = []
            for sub in sorted(query.subqueries, key=self._size):  # the rarest first: one empty part ends it
                parts.append(self.scores(sub))
                if not parts[-1]:
                    return {}
            return _intersection(sorted(parts, key=len))
        if kind == "AndMaybe":
            required, optional = self.scores(query.a), self.scores(query.b)
            return {doc: score + optional.get(doc, 0.0) for doc, score in required.items()}
        if kind == "AndNot":
            excluded = self.scores(query.b)
            return {doc: score for doc, score in self.scores(query.a).items() if doc not in excluded}
        if kind == "Phrase" and query.boost == 1 and query.slop >= 1:
            return self._phrase_scores(query.fieldname, tuple(query.words), query.slop)
        return {hit.docnum: hit.score for hit in self.searcher.search(query, limit=None, optimize=False)}

    def _size(self, query) -> float:
        """About how many passages query matches, from the document frequencies of its terms."""
        kind = type(query).__name__
        if kind == "Term":
            return self.searcher.doc_frequency(query.fieldname, query.text)
        if kind in ("Or", "And") and query.subqueries:
            sizes = [self._size(sub) for sub in query.subqueries]
            return sum(sizes) if kind == "Or" else min(sizes)
        return float("inf")

    def _phrase_scores(self, name: str, words: tuple[str, ...], slop: int) -> dict[int, float]:
        """The passages holding words in order, each within slop of the one before, scored as their And."""
        together = _intersection(sorted((self.term_scores(name, word) for word in words), key=len))
        if not together:
            return {}
        positions = [self.term_positions(name, word) for word in words]
        return {doc: score for doc, score in together.items() if _in_order([p[doc] for p in positions], slop)}

    def _term_positions(self, name: str, term: str) -> dict[int, tuple[int, ...]]:
        return dict(self.searcher.postings(name, term).items_as("positions"))

    def _term_scores(self, name: str, term: str) -> dict[int, float]:
        """Document -> BM25F score of one term in one field (Whoosh's formula and parameters)."""
        searcher = self.searcher
        if not searcher.doc_frequency(name, term):
            return {}
        norms, idf, k1 = self._length_norms(name), searcher.idf(name, term), searcher.weighting.K1
        return {doc: idf * (weight * (k1 + 1)) / (weight + norms[doc])
                for doc, weight in _weights(searcher.postings(name, term))}

    def _length_norms(self, name: str) -> list[float]:
        """Each passage's BM25F length normalisation in field name, K1 * (1 - B + B * length / average)."""
        if name not in self.norms:
            searcher, weighting = self.searcher, self.searcher.weighting
            k1, b = weighting.K1, weighting._field_B.get(name, weighting.B)
            average = searcher.avg_field_length(name) or 1
            # A passage without the field has no length (None): it is never in the field's postings.
            lengths = (searcher.doc_field_length(doc, name, 1) or 0 for doc in range(searcher.doc_count_all()))
            self.norms[name] = [k1 * ((1 - b) + b * length / average) for length in lengths]
        return self.norms[name]

    def _passage(self, doc: int, score: float, parsed: _Parsed, pdfs: dict) -> tuple[str, str, Passage]:
        stored = self.searcher.stored_fields(doc)
        name = "text" if "text" in stored else "text_source"
        stems = frozenset(term for clause in (*parsed.required, *parsed.optional)
                          for field_name, term in clause.query.iter_all_terms() if field_name == name)
        passage = Passage(
            anchor=stored["anchor"],
            section=stored["section"],
            snippet=_snippet(stored[name], self.field_languages[name], stems),
            path=f"{SiteMap.paper(self.language, stored['paper'])}#{stored['anchor']}",
            language=stored["language"],
            score=round(score, 4),
            matched_language=self.language,
            pdf_path=pdf_page_path(self.language, stored["paper"], stored["anchor"], pdfs),
        )
        return stored["paper"], stored["paper_title"], passage

    def counterpart(self, foreign_hit: tuple[str, str, Passage], pdfs: dict) -> tuple[str, str, Passage]:
        """The reader's-language version of a passage that matched in another language."""
        paper, _title, passage = foreign_hit
        with self.lock:
            stored = self.searcher.document(key=f"{paper}#{passage.anchor}")
        if stored is None:
            return foreign_hit
        text = stored.get("text", stored.get("text_source", ""))
        mine = Passage(
            anchor=passage.anchor,
            section=stored["section"],
            snippet=_snippet(text, stored["language"], frozenset()),
            path=f"{SiteMap.paper(self.language, paper)}#{passage.anchor}",
            language=stored["language"],
            score=passage.score,
            matched_language=passage.matched_language,
            matched_snippet=passage.snippet,
            pdf_path=pdf_page_path(self.language, paper, passage.anchor, pdfs),
        )
        return paper, stored["paper_title"], mine

    # Did you mean

    def suggest(self, query: str, known_elsewhere: frozenset[str]) -> str | None:
        """The query with each unknown word replaced by the closest known one, if any was replaced.

        A word is unknown when no passage holds any form of it (after stemming) and no other
        language's index holds it either: a word of another language is a word, not a typo.
        Operators (capitals) and what looks like a field name (`title:`) are left as typed.
        """
        changed = False
        parts = re.split(r"(\W+)", query)
        corrected = []
        for token, after in zip(parts, [*parts[1:], ""]):
            folded = fold(token.lower())
            if not re.match(r"\w", token) or token.isupper() or len(folded) < 4 or folded in known_elsewhere \
                    or after.startswith(":") or self._indexed(token):
                corrected.append(token)
                continue
            replacement = self._closest(folded)
            corrected.append(replacement or token)
            changed = changed or replacement is not None
        return "".join(corrected) if changed else None

    def _indexed(self, word: str) -> bool:
        """Whether some passage holds a form of word, in either text field."""
        with self.lock:
            for name, analyze in self.analyzers.items():
                terms = [token.text for token in analyze(word)]
                if terms and all(self.searcher.doc_frequency(name, term) for term in terms):
                    return True
        return False

    def _closest(self, folded: str) -> str | None:
        """The most frequent indexed word within one or two edits of folded, as it is written."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        found = process.extract(folded, self.vocabulary.keys(), scorer=DamerauLevenshtein.distance,
                                score_cutoff=1 if len(folded) <= 5 else 2, limit=5)
        if not found:
            return None
        best = min(found, key=lambda match: (match[1], -self.vocabulary[match[0]][0]))
        return self.vocabulary[best[0]][1]


# What Whoosh would read as a field, wildcard, fuzzy or boost is plain text here; as a space it parts
# words, so that "title:forum" or "detention^10" still find "forum" or "detention" when the rest does not.
_FIELD_SYNTAX = re.compile(r"[:~^*?\[\]{}]")
_OPENED: dict[Path, tuple[Path, _Generation]] = {}  # link -> (the generation it pointed to, opened)
_OPENED_LOCK = threading.Lock()
_MAX_OPENED = 32  # tests open many small projects; a server has one generation per language


def _generation(config: Config, language: str, folder: Path) -> _Generation:
    """The generation folder of language's index, opened on first use."""
    link = index_folder(config) / language
    with _OPENED_LOCK:
        opened = _OPENED.get(link)
        if opened is not None and opened[0] == folder:
            return opened[1]
    generation = _Generation(folder, language, config.source_language)  # opened outside the lock: it reads files
    with _OPENED_LOCK:
        # The generation replaced is left to the garbage collector: a query may still be reading it.
        _OPENED[link] = (folder, generation)
        while len(_OPENED) > _MAX_OPENED:
            del _OPENED[next(iter(_OPENED))]
    return generation


def _best(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The limit best (document, score), best first; on a tie, the document indexed first."""
    return heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))


def _union(parts: list[dict[int, float]]) -> dict[int, float]:
    """Every document of any part, its scores summed (Whoosh's Or); parts come smallest first."""
    total: dict[int, float] = dict(parts[-1]) if parts else {}
    for part in parts[:-1]:
        for doc, score in part.items():
            total[doc] = total.get(doc, 0.0) + score
    return total


def _intersection(parts: list[dict[int, float]]) -> dict[int, float]:
    """The documents of every part, their scores summed (Whoosh's And); parts come smallest first."""
    total = dict(parts[0]) if parts else {}
    for part in parts[1:]:
        total = {doc: score + part[doc] for doc, score in total.items() if doc in part}
    return total


def _weights(postings):
    """(document, weight) of each posting: whole blocks at a time from Whoosh's own codec, else one by one."""
    if not all(hasattr(postings, name) for name in ("_read_ids", "_read_weights", "_next_block")):
        yield from postings.items_as("weight")
        return
    # whoosh-reloaded 2.7's W3 codec keeps each block's ids and weights as arrays: reading them whole
    # halves the time per posting. The test against Whoosh's own scores guards this private use.
    while postings.is_active():
        postings._read_ids()
        postings._read_weights()
        yield from zip(postings._ids, postings._weights)
        postings._next_block()


def _in_order(positions: list[tuple[int, ...]], slop: int) -> bool:
    """Whether one position of each list follows one of the list before, at most slop further on."""
    reached = set(positions[0])
    for following in positions[1:]:
        reached = {p for p in following if any(p - step in reached for step in range(1, slop + 1))}
        if not reached:
            return False
    return True


def _top_level(tree) -> tuple[list, list]:
    """The positive and the negative nodes at the top of a parsed query."""
    kind = type(tree).__name__
    if kind == "AndNotGroup":
        positive, _negative = _top_level(tree[0])
        banned = list(tree[1]) if type(tree[1]).__name__ == "OrGroup" else [tree[1]]  # one is not grouped
        return positive, [*_negative, *banned]
    nodes = list(tree) if kind == "AndGroup" else [tree]
    return ([n for n in nodes if type(n).__name__ != "NotGroup"], [n for n in nodes if type(n).__name__ == "NotGroup"])


def _pruned(node):
    """node without what an operator with nothing to act on leaves in Whoosh's tree, or None if nothing is left.

    "NOT NOT NOT" leaves a NOT with nothing under it, "( -forum )" a minus that Whoosh only reads
    at the top level: each would fail when asked for its query. A minus inside a group becomes
    the NOT it means there; a NOT, a group or an operator left empty goes, with what it held.
    """
    from whoosh.qparser import syntax

    if isinstance(node, syntax.ErrorNode):
        return _pruned(node.node) if node.node is not None else None
    if isinstance(node, (syntax.MarkerNode, syntax.Operator)):
        return None
    if not isinstance(node, syntax.GroupNode):
        return node
    if isinstance(node, syntax.BinaryGroup):
        return _pruned_pair(node)
    children, negated = [], False
    for child in node.nodes:
        if type(child).__name__ == "Minus":
            negated = True
            continue
        kept = _pruned(child)
        if kept is not None:
            children.append(syntax.NotGroup([kept]) if negated else kept)
            negated = False
    if not children:
        return None
    if len(children) == 1 and type(node).__name__ in ("AndGroup", "OrGroup") and node.boost == 1:
        return children[0]  # "( -forum )" is "-forum"
    pruned = copy.copy(node)
    pruned.nodes = children
    return pruned


def _pruned_pair(node):
    """A binary group (a AND NOT b, a ANDMAYBE b) pruned; with one side gone, the other as it meant."""
    from whoosh.qparser import syntax

    first, second = (_pruned(child) for child in (list(node.nodes) + [None, None])[:2])
    if first is not None and second is not None:
        pruned = copy.copy(node)
        pruned.nodes = [first, second]
        return pruned
    if second is not None and isinstance(node, syntax.AndNotGroup):
        return syntax.NotGroup([second])
    return first if first is not None else second


def _typed(node) -> str:
    """What the reader typed for a group node, as well as it can be told."""
    words = [getattr(child, "text", None) or _typed(child) for child in getattr(node, "nodes", ())]
    joiner = " OR " if type(node).__name__ == "OrGroup" else " "
    return f"({joiner.join(words)})" if len(words) > 1 else "".join(words)


@dataclass(frozen=True)
class _Term:
    """A glossary term as search uses it: the official form in the index's language, and what else spells it."""

    official: str
    english: str
    forms: tuple[tuple[str, tuple[str, ...]], ...]  # (language, the form's stems in that language)


@dataclass(frozen=True)
class _Terminology:
    terms: tuple[_Term, ...] = ()

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(code for term in self.terms for code, _stems in term.forms)


def _read_terminology(folder: Path) -> _Terminology:
    """The glossary's forms an index generation was built with (none for an index built before they were kept)."""
    path = folder / _TERMINOLOGY
    rows = json.loads(path.read_text("utf-8")) if path.exists() else []
    terms = []
    for row in rows:
        forms = tuple((code, tuple(s for _b, _e, s in word_spans(form, code))) for code, form in row["forms"])
        terms.append(_Term(row["official"], row["english"], tuple((code, stems) for code, stems in forms if stems)))
    return _Terminology(tuple(terms))


def _run_spelling(clauses: list[_Clause], term: _Term) -> int:
    """How many clauses, from the first, spell one of term's forms together (0: none does)."""
    for code, stems in term.forms:
        spelt: tuple[str, ...] = ()
        for count, clause in enumerate(clauses, 1):
            if code not in clause.stems or not clause.stems[code]:
                break
            spelt += clause.stems[code]
            if spelt == stems:
                return count
            if spelt != stems[:len(spelt)]:
                break
    return 0


def _snippet(text: str, language: str, stems: frozenset[str]) -> Snippet:
    """text, cut around its densest run of matched words when it is long, those words marked."""
    marks = [(start, end) for start, end, stem_ in word_spans(text, language) if stem_ in stems]
    if len(text) <= SNIPPET_CHARACTERS:
        return Snippet(text, tuple(marks))
    start = _window(text, marks)
    end = start + SNIPPET_CHARACTERS
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    prefix, suffix = ("… " if start else ""), (" …" if end < len(text) else "")
    shift = len(prefix) - start
    kept = tuple((s + shift, e + shift) for s, e in marks if s >= start and e <= end)
    return Snippet(prefix + text[start:end] + suffix, kept)


def _window(text: str, marks: list[tuple[int, int]]) -> int:
    """Where to start a snippet of text: a little before the mark followed by the most marks within reach."""
    if not marks:
        return 0
    reach = SNIPPET_CHARACTERS - _LEAD
    best = max(range(len(marks)), key=lambda i: (sum(1 for s, _e in marks[i:] if s < marks[i][0] + reach), -i))
    start = max(0, marks[best][0] - _LEAD)
    if start == 0:
        return 0
    space = text.find(" ", start, marks[best][0])
    return space + 1 if space >= 0 else marks[best][0]


@lru_cache(maxsize=16)
def _merged_vocabularies(generations: tuple[Path, ...]) -> frozenset[str]:
    """The folded words of some generations (the other languages'), merged once per set, not per query."""
    return frozenset(word for generation in generations
                     for word in json.loads((generation / _VOCABULARY).read_text("utf-8")))


def _parser(field_name: str, schema, language: str):
    """A Whoosh parser with only what readers type: words, "phrases", (groups), AND/OR/NOT, -word."""
    from whoosh import qparser

    parser = qparser.QueryParser(field_name, schema, group=qparser.AndGroup)
    for plugin in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin,
                   qparser.SingleQuotePlugin, qparser.OperatorsPlugin):
        parser.remove_plugin_class(plugin)
    local = OPERATORS.get(language, {})  # AND, OR, NOT, and the reader's own
    parser.add_plugin(qparser.OperatorsPlugin(
        And=rf"(?<=\s)(AND|{local.get('And', 'AND')})(?=\s)",
        Or=rf"(?<=\s)(OR|{local.get('Or', 'OR')})(?=\s)",
        Not=rf"(^|(?<=(\s|[()])))(NOT|{local.get('Not', 'NOT')})(?=\s)",
        AndNot=None,
        AndMaybe=None,
        Require=None,
    ))
    # - only at the start of a word: "multi-stakeholder" is one term, not "multi NOT stakeholder". Every
    # word is required already, so + means nothing (Whoosh would make the other words optional).
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?!)", minusexpr=r"(^|(?<=[\s(]))-"))
    return parser
