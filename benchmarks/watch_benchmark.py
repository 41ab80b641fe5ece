"""Watch mode, measured as an editor and a translator meet it: from a save to the reloaded page.

Runs the real `library serve --watch` in its own process on a copy of the project, opens a
paper in headless Chromium (Playwright, the tests' Chromium), and saves 20 times a French
PO entry of that paper, then 20 times an English paragraph. Each time is measured from just
before the file is written to the moment the reloaded page (its load event) shows the new
text, scrolled back to the paragraph the reader was on. Prints p50, p95 and the worst.

    .venv/bin/python benchmarks/watch_benchmark.py [--saves 20] [--pause 1.5]
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
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(REPOSITORY / "tests"))

from checkers import launch_chromium
from playwright.sync_api import sync_playwright

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


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """`library serve --watch` on a free port; its process and its address, once it serves."""
    command = [sys.executable, "-m", "library", "--config", str(folder / "setup.cfg"), "serve", "--watch",
               "--port", "0"]
    server = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in server.stdout:
        found = re.search(r"on (http://\S+/) ", line)
        if found:
            return server, found.group(1)
    sys.exit("library serve --watch ended before serving")


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


def measure(page, path: Path, saves: list[tuple[bytes, str]], paragraph_id: str, pause: float) -> list[float]:
    """Seconds from each save to the reloaded page showing it, at the reader's paragraph."""
    times = []
    for data, marker in saves:
        time.sleep(pause)  # a translator types between two saves
        started = time.perf_counter()
        with page.expect_event("load", timeout=20000):
            path.write_bytes(data)
        page.wait_for_function("([id, marker]) => document.getElementById(id).textContent.includes(marker)",
                               arg=[paragraph_id, marker], polling=5, timeout=20000)
        times.append(time.perf_counter() - started)
        top = page.locator(f"#{paragraph_id}").evaluate("e => e.getBoundingClientRect().top")
        if not -5 < top < 200:
            print(f"  note: after the reload the paragraph is at {top:.0f} px, not at the top", file=sys.stderr)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20, help="saves of each kind")
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between two saves")
    parser.add_argument("--verbose", action="store_true", help="print what the server said (each rebuild's time)")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = copy_project(Path(temporary))
        english, paragraph_id = paragraph_texts(folder)
        kinds = [("PO entry (fr)", "fr", catalog_path(load_project(folder / "setup.cfg").config, "fr", PAPER),
                  po_saves(folder, english, args.saves)),
                 ("English paragraph", "en", folder / "papers" / f"{PAPER}.md",
                  source_saves(folder, english, args.saves))]
        started = time.perf_counter()
        server, address = start_server(folder)
        print(f"library serve --watch: first build and serving in {time.perf_counter() - started:.1f} s")
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                for name, language, path, saves in kinds:
                    page = browser.new_page()
                    page.goto(f"{address}{language}/{PAPER}.html")
                    page.locator(f"#{paragraph_id}").evaluate("e => e.scrollIntoView({block: 'start'})")
                    page.wait_for_timeout(500)  # the reload channel is open
                    times = measure(page, path, saves, paragraph_id, args.pause)
                    print(f"{name}: {len(times)} saves, save to reloaded page p50 {statistics.median(times):.2f} s, "
                          f"p95 {percentile(times, 0.95):.2f} s, worst {max(times):.2f} s")
                    page.close()
                browser.close()
        finally:
            server.terminate()
            said = server.communicate()[0]
        if args.verbose:
            print(said)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
