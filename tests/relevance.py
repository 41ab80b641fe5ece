"""How well search ranks what a person expects: judged queries, success at 1 and 3, mean reciprocal rank.

Shared by the floor test (tests/test_search.py) and the benchmark (benchmarks/search_benchmark.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from library.model.project import Project
from library.outputs.search.engine import SearchEngine

__all__ = ["JUDGED", "Judgement", "Relevance", "judge", "judge_static", "relevance"]

JUDGED = Path(__file__).parent / "data" / "search" / "judged.yaml"


@dataclass(frozen=True)
class Judgement:
    """One judged query and where its first expected passage came (None: not among those shown)."""

    language: str
    query: str
    kind: str
    rank: int | None


@dataclass(frozen=True)
class Relevance:
    """A language's figures over its judged queries."""

    language: str
    queries: int
    success_at_1: float
    success_at_3: float
    mean_reciprocal_rank: float


def judge(project: Project, path: Path = JUDGED) -> list[Judgement]:
    """Run every judged query through search, as a reader would, and rank its first expected passage."""

    engine = SearchEngine()

    def shown(language: str, query: str) -> list[str]:
        results = engine.search(project, query, language)
        return [f"{paper.paper}#{passage.anchor}" for paper in results.papers for passage in paper.passages]

    return _judged(shown, path)


def judge_static(page, base: str, path: Path = JUDGED) -> list[Judgement]:
    """The same, through the static site's search page in a browser (page, a Playwright page) served at base."""
    from urllib.parse import quote

    def shown(language: str, query: str) -> list[str]:
        page.goto(f"{base}/{language}/search.html?q={quote(query)}")
        page.locator('[data-status]:not([hidden]), [data-notice="no-words"]:not([hidden]), '
                     '[data-notice="failed"]:not([hidden])').first.wait_for()
        hrefs = page.locator(".result-paper .section a").evaluate_all("links => links.map(a => a.href)")
        return [href.rsplit("/", 1)[1].replace(".html#", "#") for href in hrefs]

    return _judged(shown, path)


def _judged(shown_for, path: Path) -> list[Judgement]:
    judgements = []
    for entry in yaml.safe_load(path.read_text("utf-8")):
        shown = shown_for(entry["language"], entry["query"])
        relevant = set(entry["relevant"])
        rank = next((place for place, key in enumerate(shown, 1) if key in relevant), None)
        judgements.append(Judgement(entry["language"], entry["query"], entry["kind"], rank))
    return judgements


def relevance(judgements: list[Judgement]) -> list[Relevance]:
    """Success at 1 and at 3 and mean reciprocal rank, per language, in the order the queries come."""
    figures = []
    for language in dict.fromkeys(j.language for j in judgements):
        ranks = [j.rank for j in judgements if j.language == language]
        figures.append(Relevance(
            language,
            len(ranks),
            sum(1 for rank in ranks if rank == 1) / len(ranks),
            sum(1 for rank in ranks if rank is not None and rank <= 3) / len(ranks),
            sum(1 / rank for rank in ranks if rank is not None) / len(ranks),
        ))
    return figures
