"""Watch mode, measured as an editor and a translator meet it: from a save to the reloaded page.

Runs the real `library serve --watch` in its own process on a copy of the project, opens a
paper in headless Chromium (Playwright, the tests' Chromium), and saves 20 times a French
PO entry of that paper, then 20 times an English paragraph. Each time is measured from just
before the file is written to the moment the reloaded page (its load event) shows the new
text, scrolled back to the paragraph the reader was on; and to the server's rebuild line
("…: 6 site files rewritten in … s"), which the server prints once the pages are written.
Prints p50, p95 and the worst of each, and the machine's load average.

With --papers N the project is a synthetic series of N papers (benchmarks/synthetic.py: the
real ones copied, every copy translated) instead of the real four; --no-browser measures the
rebuild line only, without Chromium; --kinds po saves the PO file only.

    .venv/bin/python benchmarks/watch_benchmark.py [--saves 20] [--pause 1.5] [--papers 200] [--no-browser]
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(REPOSITORY / "tests"))
sys.path.insert(0, str(REPOSITORY / "benchmarks"))

from synthetic import make_library

from library.core.paths import catalog_path
from library.model.project import load_project
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog

PAPER = "what-is-the-imrf"
PARAGRAPH = 6  # the paragraph of the paper's body edited, and the one the reader is on


def copy_project(folder: Path) -> Path:
    for name in ("papers", "locales", "templates"):
        shutil.copytree(REPOSITORY / name, folder / name)
    shutil.copy(REPOSITORY / "setup.cfg", folder / "setup.cfg")
    return folder


class ServerLines:
    """What the server prints, each line with when it came, read in a thread of its own."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.lines: list[tuple[float, str]] = []
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, args=(server,), daemon=True).start()

    def _read(self, server: subprocess.Popen) -> None:
        for line in server.stdout:
            with self._arrived:
                self.lines.append((time.perf_counter(), line.rstrip("\n")))
                self._arrived.notify_all()

    def wait_for(self, pattern: str, after: float, timeout: float = 120) -> tuple[float, str]:
        """The first line matching pattern printed after the time after."""
        def found() -> tuple[float, str] | None:
            return next(((when, line) for when, line in self.lines if when >= after and re.search(pattern, line)),
                        None)
        with self._arrived:
            if not self._arrived.wait_for(lambda: found() is not None, timeout):
                sys.exit(f"the server printed no line matching {pattern!r} in {timeout} s")
            return found()  # type: ignore[return-value]


def start_server(folder: Path) -> tuple[subprocess.Popen, str, ServerLines]:
    """`library serve --watch` on a free port; its process, its address once it serves, and its lines."""
    command = [sys.executable, "-m", "library", "--config", str(folder / "setup.cfg"), "serve", "--watch",
               "--port", "0"]
    server = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = ServerLines(server)
    _when, line = lines.wait_for(r"on http://\S+/ ", 0, timeout=3600)
    return server, re.search(r"on (http://\S+/) ", line).group(1), lines


def paragraph_texts(folder: Path) -> tuple[str, str]:
    """The English of the paper's PARAGRAPH-th body paragraph, and its French."""
    project = load_project(folder / "setup.cfg")
    body = [s for s in project.translation(PAPER, "fr").segments if s.segment.block is not None
            and s.segment.role == "paragraph"]
    return body[PARAGRAPH].segment.msgid, body[PARAGRAPH].segment.id


def po_saves(folder: Path, english: str, count: int) -> list[tuple[bytes, str]]:
    """count versions of the French PO file, each with the entry's translation marked 'révision n'."""
    path = catalog_path(load_project(folder / "setup.cfg").config, "fr", PAPER)
    catalog = read_catalog(path, language="fr", domain=PAPER)
    message = catalog[english]
    original = message.string
    saves = []
    for number in range(1, count + 1):
        message.string = f"(révision {number}) {original}"
        saves.append((render_catalog(catalog), f"(révision {number})"))
    return saves


def source_saves(folder: Path, english: str, count: int) -> list[tuple[bytes, str]]:
    """count versions of the English source, each with the paragraph marked 'revision n'."""
    text = (folder / "papers" / f"{PAPER}.md").read_text("utf-8")
    first_line = english.split(" ", 6)
    start = text.index(" ".join(first_line[:6]))
    return [((text[:start] + f"(revision {n}) " + text[start:]).encode("utf-8"), f"(revision {n})")
            for n in range(1, count + 1)]


def measure(page, lines: ServerLines, path: Path, saves: list[tuple[bytes, str]], paragraph_id: str,
            pause: float) -> tuple[list[float], list[float]]:
    """Seconds from each save to the server's rebuild line, and to the reloaded page showing it (page: None, not)."""
    to_line, to_page = [], []
    for data, marker in saves:
        time.sleep(pause)  # a translator types between two saves
        started = time.perf_counter()
        if page is None:
            path.write_bytes(data)
        else:
            with page.expect_event("load", timeout=60000):
                path.write_bytes(data)
            page.wait_for_function("([id, marker]) => document.getElementById(id).textContent.includes(marker)",
                                   arg=[paragraph_id, marker], polling=5, timeout=60000)
            to_page.append(time.perf_counter() - started)
            top = page.locator(f"#{paragraph_id}").evaluate("e => e.getBoundingClientRect().top")
            if not -5 < top < 200:
                print(f"  note: after the reload the paragraph is at {top:.0f} px, not at the top", file=sys.stderr)
        when, _line = lines.wait_for(rf"{re.escape(path.name)}.*site files rewritten in", started)
        to_line.append(when - started)
    return to_line, to_page


def summary(times: list[float]) -> str:
    return (f"p50 {statistics.median(times):.2f} s, p95 {percentile(times, 0.95):.2f} s, "
            f"worst {max(times):.2f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20, help="saves of each kind")
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between two saves")
    parser.add_argument("--papers", type=int, default=0, help="a synthetic series of this many papers (0: the real)")
    parser.add_argument("--no-browser", action="store_true", help="measure to the rebuild line only")
    parser.add_argument("--kinds", choices=("po", "all"), default="all", help="po: the PO saves only")
    parser.add_argument("--verbose", action="store_true", help="print what the server said (each rebuild's time)")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
          f"load average {_load()}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = make_library(Path(temporary) / "library", args.papers) if args.papers \
            else copy_project(Path(temporary))
        print(f"the project: {len(list((folder / 'papers').glob('*.md')))} sources")
        english, paragraph_id = paragraph_texts(folder)
        kinds = [("PO entry (fr)", "fr", catalog_path(load_project(folder / "setup.cfg").config, "fr", PAPER),
                  po_saves(folder, english, args.saves))]
        if args.kinds == "all":
            kinds.append(("English paragraph", "en", folder / "papers" / f"{PAPER}.md",
                          source_saves(folder, english, args.saves)))
        started = time.perf_counter()
        server, address, lines = start_server(folder)
        print(f"library serve --watch: first build and serving in {time.perf_counter() - started:.1f} s")
        try:
            if args.no_browser:
                for name, _language, path, saves in kinds:
                    to_line, _ = measure(None, lines, path, saves, paragraph_id, args.pause)
                    print(f"{name}: {len(to_line)} saves, save to rebuild line {summary(to_line)} "
                          f"(load average {_load()})")
            else:
                _in_browser(kinds, address, lines, paragraph_id, args.pause)
        finally:
            server.terminate()
            server.wait()
        if args.verbose:
            print("\n".join(line for _when, line in lines.lines))
    print(f"load average at the end {_load()}")


def _in_browser(kinds: list, address: str, lines: ServerLines, paragraph_id: str, pause: float) -> None:
    from checkers import launch_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for name, language, path, saves in kinds:
            page = browser.new_page()
            page.goto(f"{address}{language}/{PAPER}.html")
            page.locator(f"#{paragraph_id}").evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)  # the reload channel is open
            to_line, to_page = measure(page, lines, path, saves, paragraph_id, pause)
            print(f"{name}: {len(to_page)} saves, save to rebuild line {summary(to_line)}; "
                  f"to reloaded page {summary(to_page)} (load average {_load()})")
            page.close()
        browser.close()


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
