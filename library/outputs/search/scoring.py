"""Ranking: BM25F as Whoosh computes it, over whole posting lists at once, cached per generation."""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

__all__ = ["Bm25f", "best", "intersection", "union"]


class Bm25f:
    """The scores of queries over one open generation; its postings never change, so a term is scored once."""

    def __init__(self, searcher: Any) -> None:  # a Whoosh searcher (Whoosh is untyped, as are its queries)
        self.searcher = searcher
        self.term_scores = lru_cache(maxsize=1024)(self._term_scores)
        self.term_positions = lru_cache(maxsize=256)(self._term_positions)
        self.norms: dict[str, list[float]] = {}  # field -> each passage's length normalisation

    def forget(self) -> None:
        """Drop the cached scores (a benchmark's cold start)."""
        self.term_scores.cache_clear()
        self.term_positions.cache_clear()
        self.norms.clear()

    def scores(self, query: Any) -> dict[int, float]:
        """Document -> score of every passage query matches, as Whoosh's BM25F scores it.

        Whoosh walks its matchers passage by passage; summing whole posting lists of cached
        term scores is several times faster on common words and ranks the same. Phrases, and
        any other kind of query, are left to Whoosh.
        """
        kind = type(query).__name__
        if kind == "Term" and query.boost == 1:
            return self.term_scores(query.fieldname, query.text)
        if kind == "Or" and query.boost == 1:
            return union(sorted((self.scores(sub) for sub in query.subqueries), key=len))
        if kind == "And" and query.boost == 1:
            parts = []
            for sub in sorted(query.subqueries, key=self._size):  # the rarest first: one empty part ends it
                parts.append(self.scores(sub))
                if not parts[-1]:
                    return {}
            return intersection(sorted(parts, key=len))
        if kind == "AndMaybe":
            required, optional = self.scores(query.a), self.scores(query.b)
            return {doc: score + optional.get(doc, 0.0) for doc, score in required.items()}
        if kind == "AndNot":
            excluded = self.scores(query.b)
            return {doc: score for doc, score in self.scores(query.a).items() if doc not in excluded}
        if kind == "Phrase" and query.boost == 1 and query.slop >= 1:
            return self._phrase_scores(query.fieldname, tuple(query.words), query.slop)
        return {hit.docnum: hit.score for hit in self.searcher.search(query, limit=None, optimize=False)}

    def _size(self, query: Any) -> float:
        """About how many passages query matches, from the document frequencies of its terms."""
        kind = type(query).__name__
        if kind == "Term":
            return float(self.searcher.doc_frequency(query.fieldname, query.text))
        if kind in ("Or", "And") and query.subqueries:
            sizes = [self._size(sub) for sub in query.subqueries]
            return sum(sizes) if kind == "Or" else min(sizes)
        return float("inf")

    def _phrase_scores(self, name: str, words: tuple[str, ...], slop: int) -> dict[int, float]:
        """The passages holding words in order, each within slop of the one before, scored as their And."""
        together = intersection(sorted((self.term_scores(name, word) for word in words), key=len))
        if not together:
            return {}
        positions = [self.term_positions(name, word) for word in words]
        return {doc: score for doc, score in together.items() if in_order([p[doc] for p in positions], slop)}

    def _term_positions(self, name: str, term: str) -> dict[int, tuple[int, ...]]:
        return {offset + doc: positions for matcher, offset in leaves(self.searcher.postings(name, term))
                for doc, positions in matcher.items_as("positions")}

    def _term_scores(self, name: str, term: str) -> dict[int, float]:
        """Document -> BM25F score of one term in one field (Whoosh's formula and parameters)."""
        searcher = self.searcher
        if not searcher.doc_frequency(name, term):
            return {}
        norms, idf, k1 = self._length_norms(name), searcher.idf(name, term), searcher.weighting.K1
        return {doc: idf * (weight * (k1 + 1)) / (weight + norms[doc])
                for doc, weight in weights(searcher.postings(name, term))}

    def _length_norms(self, name: str) -> list[float]:
        """Each passage's BM25F length normalisation in field name, K1 * (1 - B + B * length / average)."""
        if name not in self.norms:
            searcher, weighting = self.searcher, self.searcher.weighting
            k1, b = weighting.K1, weighting._field_B.get(name, weighting.B)
            average = searcher.avg_field_length(name) or 1
            # A passage without the field has no length (None): it is never in the field's postings.
            # Asked of each segment's reader, in the order of their documents: no lookup of the segment per passage.
            segments = [segment for segment, _first in searcher.reader().leaf_readers()]
            lengths = (segment.doc_field_length(doc, name, 1) or 0 for segment in segments
                       for doc in range(segment.doc_count_all()))
            self.norms[name] = [k1 * ((1 - b) + b * length / average) for length in lengths]
        return self.norms[name]


def best(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The limit best (document, score), best first; on a tie, the document indexed first."""
    return heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))


def union(parts: list[dict[int, float]]) -> dict[int, float]:
    """Every document of any part, its scores summed (Whoosh's Or); parts come smallest first."""
    total: dict[int, float] = dict(parts[-1]) if parts else {}
    for part in parts[:-1]:
        for doc, score in part.items():
            total[doc] = total.get(doc, 0.0) + score
    return total


def intersection(parts: list[dict[int, float]]) -> dict[int, float]:
    """The documents of every part, their scores summed (Whoosh's And); parts come smallest first."""
    total = dict(parts[0]) if parts else {}
    for part in parts[1:]:
        total = {doc: score + part[doc] for doc, score in total.items() if doc in part}
    return total


def weights(postings: Any) -> Iterator[tuple[int, float]]:
    """(document, weight) of each posting: whole blocks at a time from Whoosh's own codec, else one by one."""
    if type(postings).__name__ == "MultiMatcher":  # an index of several segments: each segment's, renumbered
        for matcher, offset in leaves(postings):
            yield from ((offset + doc, weight) for doc, weight in weights(matcher))
        return
    if not all(hasattr(postings, name) for name in ("_read_ids", "_read_weights", "_next_block")):
        yield from postings.items_as("weight")
        return
    # whoosh-reloaded 2.7's W3 codec keeps each block's ids and weights as arrays: reading them whole
    # halves the time per posting. The test against Whoosh's own scores guards this private use.
    while postings.is_active():
        postings._read_ids()
        postings._read_weights()
        yield from zip(postings._ids, postings._weights, strict=False)
        postings._next_block()


def leaves(postings: Any) -> list[tuple[Any, int]]:
    """Each segment's postings and the number of its first document: an index of groups has a segment per group."""
    if type(postings).__name__ == "MultiMatcher":
        return list(zip(postings.matchers[postings.current:], postings.offsets[postings.current:], strict=True))
    return [(postings, 0)]


def in_order(positions: list[tuple[int, ...]], slop: int) -> bool:
    """Whether one position of each list follows one of the list before, at most slop further on."""
    reached = set(positions[0])
    for following in positions[1:]:
        reached = {p for p in following if any(p - step in reached for step in range(1, slop + 1))}
        if not reached:
            return False
    return True
