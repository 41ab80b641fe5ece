"""Search at scale: the real papers, varied and replicated to 10,000+ passages per language.

Prints, per language: index build time, search latency (p50/p95/p99) over a fixed query set
through `library.search.search` (what the site and the CLI call), and the same queries on SQLite
FTS5 (unicode61 remove_diacritics 2) over the same corpus, with the ratio of the two.

    .venv/bin/python benchmarks/search_benchmark.py [--passages 10000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import dataclasses
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from library.config import load_config  # noqa: E402
from library.papers import load_papers  # noqa: E402
from library.paths import index_folder
from library.project import Project  # noqa: E402
from library.search import _documents, search, write_index  # noqa: E402

# What readers type: words, inflections, missing accents, phrases, OR, NOT, a typo.
QUERIES = {
    "en": ["detention", "regional reviews", '"multi-stakeholder hearing"', "migrant organisations",
           "pledges OR commitments", "Compact NOT objectives", "civil society participation", "detentoin",
           "human rights", "Progress Declaration"],
    "fr": ["declaration sur les progres", "examens régionaux", '"société civile"', "migrants", "rétention OU retour",
           "Pacte SAUF objectifs", "participation effective", "migrnats", "droits de l’homme", "examen regional"],
    "es": ["declaracion sobre los progresos", "exámenes regionales", '"sociedad civil"', "migrantes",
           "detención O retorno", "Pacto NO objetivos", "participación significativa", "decalracion",
           "derechos humanos", "examen regional"],
}


def varied_corpus(config, language: str, passages: int) -> list[dict]:
    """The real documents of language, replicated with reordered sentences and one word dropped."""
    papers = load_papers(config.papers_dir)
    base = list(_documents([Project(config).translation(paper.slug, language) for paper in papers]))
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


def bench_whoosh(config, language: str, corpus: list[dict], rounds: int) -> dict:
    started = time.perf_counter()
    write_index(index_folder(config), language, config.source_language, iter(corpus))
    build = time.perf_counter() - started
    search(Project(config), QUERIES[language][0], language)  # warm the caches as a running server would
    latencies, hits = [], []
    for _ in range(rounds):
        for query in QUERIES[language]:
            started = time.perf_counter()
            results = search(Project(config), query, language, limit=20)
            latencies.append(time.perf_counter() - started)
            hits.append(results.total)
    return {"build": build, "latency": percentiles(latencies), "hits": sum(hits) / rounds}


def bench_fts5(corpus: list[dict], language: str, rounds: int, folder: Path) -> dict:
    database = sqlite3.connect(folder / f"fts5-{language}.sqlite")
    started = time.perf_counter()
    database.execute("CREATE VIRTUAL TABLE passages USING fts5(key UNINDEXED, text, "
                     "tokenize = 'unicode61 remove_diacritics 2')")
    database.executemany("INSERT INTO passages VALUES (?, ?)", ((d["key"], d["text"]) for d in corpus))
    database.commit()
    build = time.perf_counter() - started
    latencies, hits = [], []
    for _ in range(rounds):
        for query in QUERIES[language]:
            started = time.perf_counter()
            rows = database.execute(
                "SELECT key, snippet(passages, 1, '<mark>', '</mark>', ' … ', 24) FROM passages "
                "WHERE passages MATCH ? ORDER BY rank LIMIT 20", (_fts5_query(query),)).fetchall()
            latencies.append(time.perf_counter() - started)
            hits.append(len(rows))
    database.close()
    return {"build": build, "latency": percentiles(latencies), "hits": sum(hits) / rounds}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    config = load_config(ROOT / "setup.cfg")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; {options.rounds} rounds of {len(QUERIES['en'])} queries per language")
    header = (f"{'lang':4} {'passages':>8} | {'whoosh build':>12} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'hits':>5} | "
              f"{'fts5 build':>10} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'hits':>5} | {'p50 ratio':>9}")
    print(header)
    with tempfile.TemporaryDirectory() as folder:
        bench_config = dataclasses.replace(config, build_dir=Path(folder) / "build")
        for language in config.all_languages:
            corpus = varied_corpus(config, language, options.passages)
            whoosh = bench_whoosh(bench_config, language, corpus, options.rounds)
            fts5 = bench_fts5(corpus, language, options.rounds, Path(folder))
            w50, w95, w99 = (1000 * v for v in whoosh["latency"])
            f50, f95, f99 = (1000 * v for v in fts5["latency"])
            print(f"{language:4} {len(corpus):>8} | {whoosh['build']:>11.1f}s {w50:>7.1f} {w95:>7.1f} {w99:>7.1f} "
                  f"{whoosh['hits']:>5.0f} | {fts5['build']:>9.2f}s {f50:>7.2f} {f95:>7.2f} {f99:>7.2f} "
                  f"{fts5['hits']:>5.0f} | {w50 / f50:>8.0f}x")


if __name__ == "__main__":
    main()
