"""A translation memory: every translated entry of every catalog of a language, to pre-fill new ones.

A series of papers on one subject repeats itself (the Compact's full title, the Forum's format,
recommendations worded alike), so a new paragraph often has a translation already, in another
paper. The memory offers it, always as a fuzzy entry that a translator reviews.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from library.core.paths import UI_DOMAIN
from library.model.translation import is_translated

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

__all__ = ["MEMORY_SIMILARITY", "MIN_FUZZY_WORDS", "Match", "Memory", "Recollection", "build_memory"]

# Character-level similarity (rapidfuzz's normalized Indel ratio, as translation memories such as
# Translate Toolkit's measure it) from which a translation is offered for a different English text.
# On texts like the papers' (tests/test_memory.py holds them):
#   "the first global review of the Global Compact" / "the first regional review of the Compact": 0.85;
#   "The Forum meets every four years at UN Headquarters." / "... every four years in New York.": 0.78;
#   "The Global Compact for Migration in brief" / "What the Global Compact promises": 0.60;
#   two sentences on different subjects: about 0.35.
# 0.75 offers a translation that needs a few words changed, never one that needs rewriting.
MEMORY_SIMILARITY = 0.75
# Below this many words only an exact match is offered: short texts look alike by chance
# ("Summary" and "Summit" are 0.62 alike, "Key points" and "Key dates" more).
MIN_FUZZY_WORDS = 4


@dataclass(frozen=True)
class Recollection:
    """One translated entry: its English, its translation, and where it is."""

    source: str
    translation: str
    path: Path
    line: int | None
    interface: bool  # from the interface catalog rather than a paper's


@dataclass(frozen=True)
class Match:
    recollection: Recollection
    similarity: float  # 1.0 for the same English

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0


class Memory:
    """The translated entries of one language, searchable by English text."""

    def __init__(self, recollections: list[Recollection]) -> None:
        self.recollections = recollections
        self._exact: dict[str, Recollection] = {}
        for recollection in recollections:
            self._exact.setdefault(recollection.source, recollection)
        self._pools: dict[tuple[bool | None, bool], tuple[list[Recollection], list[str]]] = {}

    def best(self, english: str, *, interface: bool) -> Match | None:
        """The best match for an entry: exact from any catalog, else the closest of its own kind."""
        exact = self._exact.get(english)
        if exact is not None:
            return Match(exact, 1.0)
        if len(english.split()) < MIN_FUZZY_WORDS:
            return None
        # Each English once: the first of equal scores wins, so its copies further on can never be the best.
        found = self._closest(english, 1, interface, distinct=True)
        return found[0] if found else None

    def matches(self, english: str, limit: int = 5, interface: bool | None = None) -> list[Match]:
        """The closest recollections above the threshold, best first (interface None: both kinds)."""
        return self._closest(english, limit, interface, distinct=False)

    def _closest(self, english: str, limit: int, interface: bool | None, *, distinct: bool) -> list[Match]:
        from rapidfuzz import fuzz, process

        pool, sources = self._pool(interface, distinct)
        found = process.extract(english, sources, scorer=fuzz.ratio, limit=limit,
                                score_cutoff=MEMORY_SIMILARITY * 100)
        return [Match(pool[index], score / 100) for _, score, index in found]

    def _pool(self, interface: bool | None, distinct: bool) -> tuple[list[Recollection], list[str]]:
        """The recollections of a kind (interface None: both) and their English, in order; made once.

        A pool made for each new entry cost as much as the search itself, once per entry of every
        catalog: the memory grows with the series, and so does the number of new entries.
        """
        key = (interface, distinct)
        if key not in self._pools:
            pool = [r for r in self.recollections if interface is None or r.interface == interface]
            if distinct:
                first: dict[str, Recollection] = {}
                for recollection in pool:
                    first.setdefault(recollection.source, recollection)
                pool = list(first.values())
            self._pools[key] = pool, [r.source for r in pool]
        return self._pools[key]


def build_memory(catalogs: Iterable[tuple[str, Path, Catalog | None]],
                 outside: Sequence[Recollection] = ()) -> Memory:
    """The memory of (domain, path, catalog) triples: every non-plural entry translated and not fuzzy.

    outside (an imported TMX's pairs) comes after, so the catalogs' own translation of an English wins.
    """
    recollections = []
    for domain, path, catalog in catalogs:
        for message in catalog or ():
            if isinstance(message.id, str) and message.id and is_translated(message):
                recollections.append(Recollection(message.id, str(message.string), path, message.lineno,
                                                  domain == UI_DOMAIN))
    return Memory([*recollections, *outside])
