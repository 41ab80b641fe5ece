"""One generation of a language's index, opened: a query read, its passages found, scored and shown."""
from __future__ import annotations

import heapq
import json
import re
import threading
import weakref
from collections import Counter
from pathlib import Path
from typing import Any

from library.core.errors import LibraryError
from library.core.paths import SiteMap
from library.outputs.analysis import fold, is_question_word, word_spans
from library.outputs.passages import pdf_page_path
from library.outputs.results import Passage
from library.outputs.search.index import FORMAT, VOCABULARY, lease
from library.outputs.search.query import (
    FIELD_SYNTAX,
    MAX_TERMS,
    Clause,
    Parsed,
    either,
    group_text,
    make_parser,
    prune,
    read_terminology,
    run_spelling,
    top_level,
)
from library.outputs.search.scoring import Bm25f, best
from library.outputs.search.snippets import closest, snippet

__all__ = ["Generation"]


class Generation:
    """One generation of a language's index, opened once per process and reused until a new one is swapped in.

    Whoosh reads an index's table of contents from disk on every access to `Index.schema`;
    here the schema, the searcher, the parsers, the vocabulary and the glossary's forms are
    read once. A searcher is not safe to share between threads, so each use takes the lock.
    """

    def __init__(self, folder: Path, language: str, source_language: str) -> None:
        from whoosh import index

        self.folder, self.language = folder, language
        if _format(folder) != FORMAT[1]:
            raise LibraryError(f"{folder.parent / language}: this index was written by another version of the "
                               "library; run `library index`")
        # The lease goes when the last query holding this object lets it go.
        weakref.finalize(self, lease(folder).close)
        self.searcher = index.open_dir(folder).searcher()
        schema = self.searcher.schema
        self.field_languages = {name: code for name, code in (("text", language), ("text_source", source_language))
                                if name in schema}
        self.parsers = {name: make_parser(name, schema, language) for name in self.field_languages}
        self.analyzers = {name: schema[name].analyzer for name in self.field_languages}
        self.vocabulary = json.loads((folder / VOCABULARY).read_text("utf-8"))
        self.terminology = read_terminology(folder)
        self.lock = threading.RLock()
        self.scoring = Bm25f(self.searcher)

    # Reading the query

    def parse(self, query: str) -> Parsed | None:
        """The clauses of what a reader typed, or None when no searchable word is left.

        Each clause is parsed once per text field, each with its own language's analyzer; a
        word that is a stop word in the reader's language is left out, not required of a
        passage still in English. A word that only asks (what, pourquoi) is kept to rank.
        """
        words = query.split()
        query = FIELD_SYNTAX.sub(" ", " ".join(words[:MAX_TERMS]))
        with self.lock:
            tree = prune(self.parsers["text"].process(query))
            if tree is None:
                return None
            positive, negative = top_level(tree)
            clauses = [clause for clause in map(self._clause, positive) if clause is not None]
            excluded = [q for q in (self._field_queries(node, negative=True) for node in negative) if q is not None]
            clauses = self._with_terminology(clauses)
        asking = [clause for clause in clauses if is_question_word(clause.text, self.language)]
        required = [clause for clause in clauses if clause not in asking] or asking
        if not required:
            return None
        return Parsed(tuple(required), tuple(c for c in asking if c not in required), tuple(excluded))

    def _clause(self, node: Any) -> Clause | None:
        query = self._field_queries(node)
        if query is None:
            return None
        typed = getattr(node, "text", None)  # a word's or a phrase's; a group has none
        if not isinstance(typed, str):
            return Clause(group_text(node), query)
        stems = {code: tuple(stem_ for _s, _e, stem_ in word_spans(typed, code)) for code in self.terminology.languages}
        return Clause(f'"{typed}"' if type(node).__name__ == "PhraseNode" else typed, query, stems)

    def _field_queries(self, node: Any, negative: bool = False) -> Any:
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
        return either(queries) if queries else None

    def _with_terminology(self, clauses: list[Clause]) -> list[Clause]:
        """Clauses where a run of them spells a glossary term's variant also find the term's official form."""
        from whoosh.query import And, Or

        for first in range(len(clauses)):
            for term in self.terminology.terms:
                run = run_spelling(clauses[first:], term)
                if run:
                    official = [self._phrase(term.official, "text"), self._phrase(term.english, "text_source")]
                    found = Or([either([c.query for c in clauses[first:first + run]], And),
                                *(q for q in official if q is not None)])
                    typed = " ".join(c.text for c in clauses[first:first + run])
                    return [*clauses[:first], Clause(typed, found), *self._with_terminology(clauses[first + run:])]
        return clauses

    def _phrase(self, text: str, name: str) -> Any:
        """The phrase text in field name, or None (no such field, or nothing but stop words)."""
        parser = self.parsers.get(name)
        query = parser.parse(f'"{text.replace(chr(34), " ")}"') if parser is not None else None
        return query if query is not None and any(True for _ in query.iter_all_terms()) else None

    # Finding

    def hits(self, parsed: Parsed, limit: int, pdfs: dict[str, Any]) -> list[tuple[str, str, Passage]]:
        """The passages that hold every required clause, best first."""
        with self.lock:
            scores = self.scoring.scores(parsed.all_of())
            return [self._passage(doc, score, parsed, pdfs) for doc, score in best(scores, limit)]

    def most_words(self, parsed: Parsed, limit: int,
                   pdfs: dict[str, Any]) -> tuple[list[tuple[str, str, Passage]], tuple[str, ...]]:
        """The passages that hold the most of the required clauses, best first, and the clauses none holds."""
        with self.lock:
            found = [self.scoring.scores(clause.query) for clause in parsed.required]
            missing = tuple(clause.text for clause, scores in zip(parsed.required, found, strict=True) if not scores)
            if len(parsed.required) < 2:
                return [], missing
            excluded = self.scoring.scores(either(list(parsed.excluded))) if parsed.excluded else {}
            counts: Counter[int] = Counter()
            totals: dict[int, float] = {}
            for scores in found:
                for doc, score in scores.items():
                    if doc not in excluded:
                        counts[doc] += 1
                        totals[doc] = totals.get(doc, 0.0) + score
            for scores in (self.scoring.scores(clause.query) for clause in parsed.optional):
                for doc in totals.keys() & scores.keys():
                    totals[doc] += scores[doc]
            best = heapq.nsmallest(limit, totals, key=lambda doc: (-counts[doc], -totals[doc], doc))
            return [self._passage(doc, totals[doc], parsed, pdfs) for doc in best], missing

    def _passage(self, doc: int, score: float, parsed: Parsed, pdfs: dict[str, Any]) -> tuple[str, str, Passage]:
        stored = self.searcher.stored_fields(doc)
        name = "text" if "text" in stored else "text_source"
        stems = frozenset(term for clause in (*parsed.required, *parsed.optional)
                          for field_name, term in clause.query.iter_all_terms() if field_name == name)
        passage = Passage(
            anchor=stored["anchor"],
            section=stored["section"],
            snippet=snippet(stored[name], self.field_languages[name], stems),
            path=SiteMap.passage(self.language, stored["paper"], stored["anchor"]),
            language=stored["language"],
            score=round(score, 4),
            matched_language=self.language,
            pdf_path=pdf_page_path(self.language, stored["paper"], stored["anchor"], pdfs),
        )
        return stored["paper"], stored["paper_title"], passage

    def counterpart(self, foreign_hit: tuple[str, str, Passage], pdfs: dict[str, Any]) -> tuple[str, str, Passage]:
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
            snippet=snippet(text, stored["language"], frozenset()),
            path=SiteMap.passage(self.language, paper, passage.anchor),
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
        for token, after in zip(parts, [*parts[1:], ""], strict=True):
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
        return closest(self.vocabulary, folded)


def _format(folder: Path) -> str | None:
    try:
        return (folder / FORMAT[0]).read_text("utf-8")
    except OSError:
        return None  # written before generations said their format
