"""Search at scale, search through the server, and how well search ranks what readers expect.

Prints, per language:
- at scale (the real papers varied and replicated to 10,000+ passages): index build time and
  latency (p50/p95/p99) of a fixed query set through `SearchEngine.search` (what the site and
  the CLI call), each query first asked (no cached results) and asked again, and the same
  queries on SQLite FTS5 (unicode61 remove_diacritics 2) over the same corpus, with the ratios;
- on the real library, through the web app on a local port: a search request against a static
  page of the site;
- relevance on the judged queries (tests/data/search/judged.yaml): success at 1 and at 3, mean
  reciprocal rank.

    .venv/bin/python benchmarks/search_benchmark.py [--passages 10000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from projects import live_server
from relevance import judge, relevance

from library.core.config import load_config
from library.core.paths import index_folder
from library.model.project import Project
from library.outputs.passages import searchable_passages
from library.outputs.search.engine import SearchEngine
from library.outputs.search.index import build_index, write_index
from library.outputs.site.html import build_html
from library.sources.papers import load_papers

# What readers type: words, inflections, missing accents, phrases, OR, NOT, a typo, a question, and
# words no passage holds together (answered with the passages that hold most of them).
QUERIES = {
    "en": ["detention", "regional reviews", '"multi-stakeholder hearing"', "migrant organisations",
           "pledges OR commitments", "Compact NOT objectives", "civil society participation", "detentoin",
           "human rights", "Progress Declaration", "who chairs the forum?", "undocumented migrants"],
    "fr": ["declaration sur les progres", "examens régionaux", '"société civile"', "migrants",
           "rétention OU retour", "Pacte SAUF objectifs", "participation effective", "migrnats",
           "droits de l’homme", "examen regional", "qui préside le forum ?",
           "participation significative des migrants"],
    "es": ["declaracion sobre los progresos", "exámenes regionales", '"sociedad civil"', "migrantes",
           "detención O retorno", "Pacto NO objetivos", "participación significativa", "decalracion",
           "derechos humanos", "examen regional", "¿quién preside el foro?", "migrantes indocumentados"],
}
# The real library's pages: a search request is timed against this static page.
STATIC_PAGE = "/{language}/what-is-the-imrf.html"


def varied_corpus(config, language: str, passages: int) -> list[dict]:
    """The real documents of language, replicated with reordered sentences and one word dropped."""
    papers = load_papers(config.papers_dir)
    base = list(searchable_passages([Project(config).translation(paper.slug, language) for paper in papers]))
    corpus, copy = [], 0
    while len(corpus) < passages:
        shuffle = random.Random(copy)
        for document in base:
            text = _vary(document["text"], shuffle) if copy else document["text"]
            corpus.append({**document, "key": f"{document['key']}~{copy}", "paper": f"{document['paper']}-{copy}",
                           "text": text})
        copy += 1
    return corpus


def _vary(text: str, shuffle: random.Random) -> str:
    sentences = re.split(r"(?<=[.;:!?])\s+", text)
    shuffle.shuffle(sentences)
    words = " ".join(sentences).split(" ")
    if len(words) > 6:
        del words[shuffle.randrange(len(words))]
    return " ".join(words)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def build_whoosh(config, language: str, corpus: list[dict]) -> float:
    """Write the index through the library and open it, as a running server has it; the build's seconds."""
    started = time.perf_counter()
    write_index(index_folder(config), language, config.source_language, iter(corpus))
    build = time.perf_counter() - started
    SearchEngine().search(Project(config), QUERIES[language][0], language)
    return build


def build_fts5(corpus: list[dict], path: Path) -> tuple[sqlite3.Connection, float]:
    database = sqlite3.connect(path)
    started = time.perf_counter()
    database.execute("CREATE VIRTUAL TABLE passages USING fts5(key UNINDEXED, text, "
                     "tokenize = 'unicode61 remove_diacritics 2')")
    database.executemany("INSERT INTO passages VALUES (?, ?)", ((d["key"], d["text"]) for d in corpus))
    database.commit()
    return database, time.perf_counter() - started


def compare(config, language: str, database: sqlite3.Connection, rounds: int) -> dict[str, list]:
    """Each query on FTS5, then on the library first asked, then asked again, one after the other.

    Interleaved, so that the load of a shared machine weighs on both engines alike.
    """
    samples: dict[str, list] = {"fts5": [], "first": [], "again": [], "fts5 hits": [], "hits": []}
    engine = SearchEngine()
    for _ in range(rounds):
        for query in QUERIES[language]:
            started = time.perf_counter()
            rows = database.execute(
                "SELECT key, snippet(passages, 1, '<mark>', '</mark>', ' … ', 24) FROM passages "
                "WHERE passages MATCH ? ORDER BY rank LIMIT 20", (_fts5_query(query),)).fetchall()
            samples["fts5"].append(time.perf_counter() - started)
            engine.forget()  # every answer and score, the indexes kept open
            def asked(query: str = query) -> None:  # the project read as each search reads it, timed too
                engine.search(Project(config), query, language, limit=20)

            samples["first"].append(_timed(asked))
            samples["again"].append(_timed(asked))
            samples["fts5 hits"].append(len(rows))
            samples["hits"].append(engine.search(Project(config), query, language, limit=20).total)
    return samples


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _fts5_query(query: str) -> str:
    """The same query in FTS5 syntax: words quoted, operators kept, local operators translated."""
    operators = {"OR": "OR", "OU": "OR", "O": "OR", "NOT": "NOT", "SAUF": "NOT", "NO": "NOT"}
    parts = []
    for phrase, word in re.findall(r'("[^"]*")|(\S+)', query):
        if phrase:
            parts.append(phrase)
        elif word in operators:
            parts.append(operators[word])
        else:
            parts.extend(f'"{w}"' for w in re.findall(r"\w+", word))
    return " ".join(parts)


def bench_scale(config, passages: int, rounds: int) -> None:
    print(f"\nAt scale: {rounds} rounds of {len(QUERIES['en'])} queries per language; latencies in ms; "
          "ratio = Whoosh / FTS5")
    print(f"{'lang':4} {'passages':>8} | {'build':>6} {'first p50':>9} {'p95':>6} {'p99':>6} {'again p50':>9} "
          f"{'p95':>5} {'hits':>4} | {'FTS5 build':>10} {'p50':>5} {'p95':>5} {'p99':>5} {'hits':>4} | "
          f"{'first p50':>9} {'p95':>5} | {'again p50':>9} {'p95':>5}")
    with tempfile.TemporaryDirectory() as folder:
        bench_config = dataclasses.replace(config, build_dir=Path(folder) / "build")
        for language in config.all_languages:
            corpus = varied_corpus(config, language, passages)
            whoosh_build = build_whoosh(bench_config, language, corpus)
            database, fts5_build = build_fts5(corpus, Path(folder) / f"fts5-{language}.sqlite")
            samples = compare(bench_config, language, database, rounds)
            database.close()
            f50, f95, f99 = (1000 * v for v in percentiles(samples["first"]))
            a50, a95, _a99 = (1000 * v for v in percentiles(samples["again"]))
            s50, s95, s99 = (1000 * v for v in percentiles(samples["fts5"]))
            hits, fts5_hits = sum(samples["hits"]) / rounds, sum(samples["fts5 hits"]) / rounds
            print(f"{language:4} {len(corpus):>8} | {whoosh_build:>5.1f}s {f50:>9.2f} {f95:>6.2f} {f99:>6.2f} "
                  f"{a50:>9.3f} {a95:>5.3f} {hits:>4.0f} | {fts5_build:>9.2f}s {s50:>5.2f} {s95:>5.2f} "
                  f"{s99:>5.2f} {fts5_hits:>4.0f} | {f50 / s50:>8.1f}x {f95 / s95:>4.1f}x | {a50 / s50:>8.2f}x "
                  f"{a95 / s95:>4.2f}x")


def _fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        response.read()
    return time.perf_counter() - started


def bench_real_library(config, rounds: int) -> None:
    """The real library, built in a temporary folder: search requests and a static page through the server."""
    with tempfile.TemporaryDirectory() as folder:
        real = dataclasses.replace(config, build_dir=Path(folder) / "build")
        project = Project(real)
        build_html(project)
        build_index(project)
        print(f"\nThe real library through the server (HTTP on 127.0.0.1, {rounds} rounds); latencies in ms")
        print(f"{'lang':4} | {'static page p50':>15} {'p95':>6} | {'search first p50':>16} {'p95':>6} | "
              f"{'search again p50':>16} {'p95':>6}")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        engine = SearchEngine()
        with live_server(real, engine=engine) as base:
            for language in config.all_languages:
                static, first, again = [], [], []
                _fetch(base + STATIC_PAGE.format(language=language))
                for _ in range(rounds):
                    for query in QUERIES[language]:
                        url = f"{base}/{language}/search.html?{urllib.parse.urlencode({'q': query})}"
                        engine.forget()
                        first.append(_fetch(url))
                        again.append(_fetch(url))
                        static.append(_fetch(base + STATIC_PAGE.format(language=language)))
                (p50, p95, _), (f50, f95, _), (a50, a95, _) = (
                    [1000 * v for v in percentiles(samples)] for samples in (static, first, again))
                print(f"{language:4} | {p50:>15.2f} {p95:>6.2f} | {f50:>16.2f} {f95:>6.2f} | {a50:>16.2f} {a95:>6.2f}")
        print("\nRelevance on the judged queries (tests/data/search/judged.yaml), the real library")
        print(f"{'lang':4} {'queries':>7} {'success@1':>9} {'success@3':>9} {'MRR':>5}")
        for figure in relevance(judge(project)):
            print(f"{figure.language:4} {figure.queries:>7} {figure.success_at_1:>9.2f} {figure.success_at_3:>9.2f} "
                  f"{figure.mean_reciprocal_rank:>5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    config = load_config(ROOT / "setup.cfg")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    bench_scale(config, options.passages, options.rounds)
    bench_real_library(config, options.rounds)


if __name__ == "__main__":
    main()
