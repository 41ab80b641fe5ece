"""Search on a static host: what a reader downloads for a search, and how soon the first result shows.

Builds the real library's site into a temporary folder, serves it with `python -m http.server`
(a plain static host: no compression, no headers of ours) and, in headless Chromium, per language:
- the first search, in a fresh browser profile (nothing cached): the bytes of every response the
  search itself needs (Pagefind's script, worker, WebAssembly, index chunks, result fragments and
  the site's table of passages), and the whole page's (the page, its stylesheet, scripts, fonts);
- the next search, another query in the same tab, the browser's cache warm;
- the time from starting the navigation to the first result on screen, cold and warm;
- the judged queries (tests/data/search/judged.yaml) through the static page and through the
  server's engine: success at 1 and 3 and mean reciprocal rank, side by side.

Bytes are as sent by http.server; "gzip" adds what a host that compresses text (nginx's gzip,
any CDN) would send instead, Pagefind's own files being compressed already.

    .venv/bin/python benchmarks/static_search_benchmark.py [--rounds 5]
    .venv/bin/python benchmarks/static_search_benchmark.py --papers 200   # a synthetic series of 200
    .venv/bin/python benchmarks/static_search_benchmark.py --project /tmp/lib200   # a project as it is

With --papers or --project, the site is built (or brought up to date) in that project's own build
folder, and the judged queries, which are about the real four papers, are not run.
"""
from __future__ import annotations

import argparse
import dataclasses
import gzip
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from checkers import launch_chromium
from playwright.sync_api import sync_playwright
from relevance import judge, judge_static, relevance
from test_static_search import _static_server

from library.core.config import load_config
from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.search.index import build_index
from library.pipeline import run_stages

FIRST = {"en": "regional reviews", "fr": "declaration sur les progres", "es": "participacion de los migrantes"}
NEXT = {"en": "detention", "fr": "société civile", "es": "compromisos"}
TEXT_TYPES = ("text/", "application/javascript", "application/json")


@dataclasses.dataclass
class Transfer:
    """The responses of one navigation: bytes sent, and bytes a compressing host would send."""

    search: int = 0
    search_gzip: int = 0
    page: int = 0
    page_gzip: int = 0
    requests: int = 0
    files: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)  # the search's: name, sent, gzip

    def add(self, response) -> None:
        sent = response.request.sizes()["responseBodySize"]  # 0 for what came from the browser's cache
        if response.status != 200 or sent == 0:
            return
        is_text = response.headers.get("content-type", "").startswith(TEXT_TYPES)
        compressed = min(sent, len(gzip.compress(response.body(), 6))) if is_text else sent
        if "/pagefind/" in response.url:
            self.search += sent
            self.search_gzip += compressed
            self.files.append((response.url.split("/pagefind/", 1)[1], sent, compressed))
        else:
            self.page += sent
            self.page_gzip += compressed
        self.requests += 1


def search_once(page, url: str) -> tuple[Transfer, float]:
    """Navigate to a search page and wait for its first result; the transfer and the seconds taken."""
    transfer = Transfer()

    def collect(request) -> None:  # read as each arrives: a body is gone once the page moves on
        transfer.add(request.response())

    page.on("requestfinished", collect)
    started = time.perf_counter()
    page.goto(url)
    page.locator(".result-paper").first.wait_for()
    seconds = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", collect)
    return transfer, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--papers", type=int, help="search a synthetic series of this many papers")
    parser.add_argument("--project", type=Path, help="search this project's site (built or brought up to date)")
    parser.add_argument("--files", action="store_true", help="and list what each first search fetched, by kind")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = dataclasses.replace(load_config(ROOT / "setup.cfg"), build_dir=Path(folder) / "build")
        if arguments.papers or arguments.project:
            from synthetic import make_library

            root = arguments.project or make_library(Path(folder) / "library", arguments.papers)
            config = load_config(root / "setup.cfg")
        started = time.perf_counter()
        run_stages(Project(config), ("html", "static_search"))
        print(f"site built with its static search in {time.perf_counter() - started:.1f} s")
        index_bytes = sum(path.stat().st_size for path in (site_folder(config) / "pagefind").rglob("*")
                          if path.is_file())
        print(f"Pagefind bundle on disk: {index_bytes / 1000:.0f} kB for "
              f"{len(FIRST)} languages (a reader downloads a small part of it), "
              f"{len(Project(config).papers)} papers")
        print(f"{platform.python_implementation()} {platform.python_version()}, headless Chromium, "
              f"{arguments.rounds} rounds, python -m http.server\n")
        with _static_server(site_folder(config)) as base, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            print(f"{'':4}{'first search: search kB':>25}{'(gzip)':>8}{'page kB':>9}{'(gzip)':>8}"
                  f"{'next search kB':>16}{'(gzip)':>8}{'first result ms cold p50/max':>31}"
                  f"{'warm p50/max':>15}")
            for language in FIRST:
                first = measure(browser, base, language, arguments.rounds)
                if arguments.files:
                    print(breakdown(first))
            if arguments.papers or arguments.project:
                browser.close()
                return
            page = browser.new_page()
            static = relevance(judge_static(page, base))
            browser.close()
        build_index(Project(config))
        served = relevance(judge(Project(config)))
        print(f"\njudged queries{'':6}{'success@1':>18}{'success@3':>18}{'MRR':>18}")
        print(f"{'':20}{'static / server':>18}{'static / server':>18}{'static / server':>18}")
        for mine, theirs in zip(static, served, strict=False):
            print(f"{mine.language} ({mine.queries}){'':14}" + "".join(
                f"{getattr(mine, name):>10.3f} / {getattr(theirs, name):.3f}"
                for name in ("success_at_1", "success_at_3", "mean_reciprocal_rank")))


def measure(browser, base: str, language: str, rounds: int) -> Transfer:
    cold, warm, firsts, nexts = [], [], [], []
    for _round in range(rounds):
        context = browser.new_context()
        page = context.new_page()
        first, seconds = search_once(page, f"{base}/{language}/search.html?q={FIRST[language]}")
        cold.append(seconds)
        firsts.append(first)
        following, seconds = search_once(page, f"{base}/{language}/search.html?q={NEXT[language]}")
        warm.append(seconds)
        nexts.append(following)
        context.close()
    first, following = firsts[-1], nexts[-1]
    print(f"{language:4}{first.search / 1000:>25.1f}{first.search_gzip / 1000:>8.1f}{first.page / 1000:>9.1f}"
          f"{first.page_gzip / 1000:>8.1f}{following.search / 1000:>16.1f}{following.search_gzip / 1000:>8.1f}"
          f"{_ms(cold):>31}{_ms(warm):>15}")
    return first


KINDS = (("engine", r"pagefind\.js|wasm\..*|pagefind-entry\.json"), ("metadata", r"pagefind\..*\.pf_meta"),
         ("index chunks", r"index/.*"), ("fragments", r"fragment/.*"), ("table", r"search\.[\w-]+\.json"),
         ("passages shown", r"passages/.*"), ("stems", r"stems/.*"), ("vocabulary", r"search-words\..*"))


def breakdown(transfer: Transfer) -> str:
    """The first search's files by kind: how many, kB sent, kB as a compressing host sends them."""
    lines = []
    for kind, pattern in (*KINDS, ("other", r".*")):
        mine = [file for file in transfer.files if re.fullmatch(pattern, file[0].split("?")[0])]
        transfer.files = [file for file in transfer.files if file not in mine]
        if mine:
            lines.append(f"      {kind:<15}{len(mine):>4} files{sum(f[1] for f in mine) / 1000:>9.1f} kB"
                         f"{sum(f[2] for f in mine) / 1000:>9.1f} kB gzip   "
                         + ", ".join(f"{name.split('?')[0]} {gz / 1000:.1f}" for name, _sent, gz in mine[:4])
                         + (" ..." if len(mine) > 4 else ""))
    return "\n".join(lines)


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f}/{max(seconds) * 1000:.0f}"


if __name__ == "__main__":
    main()
