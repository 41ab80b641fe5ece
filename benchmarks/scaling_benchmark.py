"""How the library scales with the series: each command's time and peak memory at 4, 20, 80 and 200 papers.

For each size a synthetic library is made from the real papers (benchmarks/synthetic.py: every
copy translated, 3 languages) and built once from scratch; every command then runs as the real
CLI, in a fresh process, on a copy of its own. While it runs, /proc is polled every 20 ms for the
command and all its descendants (PDF workers, Pagefind, msgcat...): the peak of their summed PSS
(proportional set size: a page shared by n processes counts 1/n in each, so the shared libraries
every worker maps, and the parent a spawn copies for the instant before its exec, count once) is
the command's memory; the peak of their summed RSS, which counts those pages in every process,
is printed beside it. Commands:

  build       full `library build` from scratch
  noop        `library build` again, nothing changed
  catalog     one French msgstr edited, then `library build`
  volume      the French volume alone: its PDF deleted (the last volume, when volume_size makes
              several), then `library build pdf --lang fr` (the CLI names papers, never a volume)
  html        one French msgstr edited, then `library build html`
  extract     `library extract` after the sources changed: in every paper one paragraph edited and
              one new paragraph added
  update      then `library update` on that copy: the first merge after the templates changed
              (every catalog gets an outdated entry and a new one, which the memory is asked for)
  check, status, compile      on an unchanged copy
  xliff-export, xliff-import  `library export xliff --lang fr`, then `library import` of those files
  tmx-export  `library export tmx --lang fr`
  watch       `library serve --watch` on a built copy: a French PO entry saved --saves times (pauses
              of 1.5 s), each timed from the save to the server's "site files rewritten" line
              (the server's own log line: lighter than a browser and without its reload)
  search      the static search's first search in each language, in headless Chromium on a plain
              static host (static_search_benchmark's measuring): the Pagefind bytes it fetches,
              gzip-compressed as a compressing host sends them; the worst language is shown

Each row says whether it meets issue 36's targets: at most 400 MB (PSS); a watch save at most 0.5 s
(p95); a one-catalog build at most twice the 4-paper one (in CPU seconds); a first search at most 150 kB. The
"exponent" column is log(ratio) / log(papers ratio) between the two largest sizes, of the CPU
seconds of the process tree (user + system, which a shared machine's load inflates least) or of
the watch p50: about 1 is linear, 2 quadratic (fixed costs such as Python's start pull it below 1).
A failing command prints its stderr's tail and the benchmark goes on.

    .venv/bin/python benchmarks/scaling_benchmark.py --sizes 4,20 [--commands check,update] \
        [--settings volume_size=20] [--work /tmp/scaling] [--saves 10]
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))

from synthetic import make_library  # noqa: E402

LIBRARY = [sys.executable, "-m", "library"]
PAPER = "what-is-the-imrf"  # the paper whose French catalog is edited (copy 1 exists at every size)
MEMORY_LIMIT_MB = 400
WATCH_LIMIT_S = 0.5
SEARCH_LIMIT_KB = 150
CATALOG_BUILD_FACTOR = 2
ALL = ("build", "noop", "catalog", "volume", "html", "extract", "update", "check", "status", "compile",
       "xliff-export", "xliff-import", "tmx-export", "watch", "search")
NEEDS_BUILD = {"noop", "catalog", "volume", "html", "watch", "search"}
# The copy each command works in (under the size's folder), removed once no later command needs it.
FOLDER = {"extract": "sources-changed", "update": "sources-changed", "xliff-export": "xliff",
          "xliff-import": "xliff", "tmx-export": "tmx"}


@dataclasses.dataclass
class Result:
    """One command at one size: seconds, peak MB of the process tree, and what else it measured."""

    seconds: float | None = None
    peak_mb: float | None = None  # the peak of the tree's summed RSS
    cpu: float | None = None  # user + system seconds of the process tree: what the load inflates least
    note: str = ""
    p50: float | None = None  # watch: save to rebuild line
    p95: float | None = None
    kilobytes: float | None = None  # search: first search, compressed
    failed: bool = False
    pss_mb: float | None = None  # the peak of its summed PSS: shared pages counted once (what is judged)


# --- measuring a process tree ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as file:
                found += [int(word) for word in file.read().split()]
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """A process's resident memory and its proportional share of it (PSS: a page shared by n processes
    counts 1/n in each), in kB; (0, 0) once it is gone."""
    rss = pss = 0
    with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps_rollup") as file:
        for line in file:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
                break
    return rss, pss


def tree_memory_kb(root: int) -> tuple[int, int]:
    """The summed resident memory (RSS) and proportional memory (PSS) of root and all its descendants, now.

    A child that still shares its parent's address space (vfork, which Python's subprocess and
    multiprocessing's spawn use, between the fork and the exec) reports the parent's very pages
    as its own, even in PSS: it is counted once, with its parent.
    """
    rss = pss = 0
    pending: list[tuple[int, int | None]] = [(root, None)]
    seen = set()
    while pending:
        pid, parent = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        if parent is None or not _shares_address_space(pid, parent):
            mine = _memory_kb(pid)
            rss, pss = rss + mine[0], pss + mine[1]
        pending += [(child, pid) for child in _children(pid)]
    return rss, pss


# kcmp(2), which tells whether two processes share one address space; by machine, as the syscall numbers differ.
_KCMP_SYSCALL = {"x86_64": 312, "aarch64": 272}.get(platform.machine())
_KCMP_VM = 1


def _shares_address_space(pid: int, other: int) -> bool:
    """Whether two processes map one and the same memory (kcmp); False where that cannot be asked."""
    if _KCMP_SYSCALL is None:
        return False
    import ctypes

    return bool(ctypes.CDLL(None, use_errno=True).syscall(_KCMP_SYSCALL, pid, other, _KCMP_VM, 0, 0) == 0)


class PeakSampler:
    """Poll a process tree every 20 ms in a thread: the highest summed RSS and the highest summed PSS seen.

    Summed RSS counts a page as many times as processes map it: the shared libraries every
    PDF worker maps (Python, Pango, HarfBuzz). Summed PSS counts each page once: the memory the
    tree holds (a child between its vfork and its exec, which maps its parent's pages, once with it).
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval, self.peak_rss_kb, self.peak_pss_kb = pid, interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = tree_memory_kb(self.pid)
            self.peak_rss_kb, self.peak_pss_kb = max(self.peak_rss_kb, rss), max(self.peak_pss_kb, pss)
            self._stop.wait(self.interval)

    def stop(self) -> tuple[float, float]:
        """The peaks, in MB: summed RSS, summed PSS."""
        self._stop.set()
        self._thread.join()
        return self.peak_rss_kb / 1024, self.peak_pss_kb / 1024


def run(arguments: list[str], folder: Path, timeout: float = 3600) -> Result:
    """Run `library ARGUMENTS` in folder; its time and the peak memory of its process tree."""
    started, used = time.perf_counter(), _children_cpu()
    process = subprocess.Popen([*LIBRARY, *arguments], cwd=folder, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    sampler = PeakSampler(process.pid)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        err += f"\n(killed after {timeout:.0f} s)"
    seconds, (peak, pss), cpu = time.perf_counter() - started, sampler.stop(), _children_cpu() - used
    if process.returncode != 0:
        tail = "\n    ".join((err or out).strip().splitlines()[-8:])
        print(f"  ! library {' '.join(arguments)} exited with {process.returncode}:\n    {tail}", file=sys.stderr)
        return Result(seconds, peak, cpu, f"exit {process.returncode}", failed=True, pss_mb=pss)
    return Result(seconds, peak, cpu, _summary(out), pss_mb=pss)


def _children_cpu() -> float:
    """User and system seconds of every finished child process and the descendants each waited for."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _summary(out: str) -> str:
    """The last line a command printed (its totals), shortened."""
    lines = [line for line in out.strip().splitlines() if line.strip()]
    return lines[-1][:70] if lines else ""


# --- the libraries and their changes -------------------------------------------------------------


def copy_library(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True)
    shutil.rmtree(target / "build" / "locks", ignore_errors=True)
    # The copy's pages on the disk before the command starts: a build's os.sync() would otherwise write
    # back the benchmark's own copies (a built library of 200 papers is 700 MB), some 0.7 s of system CPU.
    os.sync()
    return target


_FILLED_MSGSTR = re.compile(r'^msgstr "(?=[^"])', re.M)


def edit_french_entry(folder: Path, marker: str) -> Path:
    """Put marker before the first translated single-line msgstr of the paper's French catalog."""
    path = folder / "locales" / "fr" / "LC_MESSAGES" / f"{PAPER}.po"
    text = path.read_text("utf-8")
    text = re.sub(r'^(msgstr ")(?:\(révision \d+\) )?(?=[^"])', rf"\g<1>{marker} ", text, count=1, flags=re.M)
    path.write_text(text, "utf-8")
    return path


def change_sources(folder: Path) -> None:
    """In every paper, edit the first paragraph under a heading and add a paragraph of its own at the end."""
    for path in sorted((folder / "papers").glob("*.md")):
        text = path.read_text("utf-8")
        number = re.search(r"^number:\s*(\d+)", text, re.M)
        if number is None:
            continue  # the series page
        text = re.sub(r"^(## .+\n\n)(\w)", r"\1In this revised edition, \2", text, count=1, flags=re.M)
        text = text.rstrip("\n") + (f"\n\nThis revision of paper {number[1]} takes account of the Progress "
                                    "Declaration adopted by the General Assembly in June 2022 and of what "
                                    "civil society said at the Forum.\n")
        path.write_text(text, "utf-8")


def last_volume(folder: Path, language: str) -> Path | None:
    """The language's volume PDF, or the last of its volumes (numbers compared as numbers)."""
    volumes = [path for path in (folder / "build" / "pdf" / language).glob("*.pdf") if "volume" in path.stem]
    key = lambda path: [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem)]  # noqa: E731
    return max(volumes, key=key, default=None)


# --- the commands ------------------------------------------------------------------------------


@dataclasses.dataclass
class Size:
    """The libraries of one size: the sources as made, and the same built once."""

    papers: int
    work: Path
    base: Path
    built: Path | None = None

    def copy(self, name: str, built: bool = False) -> Path:
        source = self.built if built else self.base
        assert source is not None
        return copy_library(source, self.work / name)


def measure_build(size: Size) -> Result:
    folder = size.copy("built")
    result = run(["build"], folder)
    size.built = None if result.failed else folder
    return result


def measure_noop(size: Size) -> Result:
    return run(["build"], size.copy("noop", built=True))


def measure_catalog(size: Size) -> Result:
    folder = size.copy("catalog", built=True)
    edit_french_entry(folder, "(révision 1)")
    return run(["build"], folder)


def measure_volume(size: Size) -> Result:
    folder = size.copy("volume", built=True)
    volume = last_volume(folder, "fr")
    if volume is None:
        return Result(note="no French volume was built", failed=True)
    volume.unlink()
    result = run(["build", "pdf", "--lang", "fr"], folder)
    if not result.failed:
        result.note = f"{volume.name}: {_pdf_pages(volume)} pages; {result.note}"
    return result


def _pdf_pages(path: Path) -> str:
    from pypdf import PdfReader

    try:
        return str(len(PdfReader(path).pages))
    except (OSError, ValueError):
        return "?"


def measure_html(size: Size) -> Result:
    folder = size.copy("html", built=True)
    edit_french_entry(folder, "(révision 1)")
    return run(["build", "html"], folder)


def measure_extract(size: Size) -> Result:
    folder = size.copy("sources-changed")
    change_sources(folder)
    return run(["extract"], folder)


def measure_update(size: Size) -> Result:
    folder = size.work / "sources-changed"
    if not (folder / "papers").is_dir() or not _extracted(folder):  # extract not run, or not here
        folder = size.copy("sources-changed")
        change_sources(folder)
        if run(["extract"], folder).failed:
            return Result(note="extract failed", failed=True)
    return run(["update"], folder)


def _extracted(folder: Path) -> bool:
    return "This revision of paper" in (folder / "locales" / f"{PAPER}.pot").read_text("utf-8")


def measure_check(size: Size) -> Result:
    result = run(["check"], size.copy("check"))
    return result


def measure_status(size: Size) -> Result:
    return run(["status"], size.copy("status"))


def measure_compile(size: Size) -> Result:
    return run(["compile"], size.copy("compile"))


def measure_xliff_export(size: Size) -> Result:
    folder = size.copy("xliff")
    return run(["export", "xliff", "--lang", "fr", "--output", "xliff"], folder)


def measure_xliff_import(size: Size) -> Result:
    folder = size.work / "xliff"
    if not (folder / "xliff").is_dir():
        folder = size.copy("xliff")
        if run(["export", "xliff", "--lang", "fr", "--output", "xliff"], folder).failed:
            return Result(note="export failed", failed=True)
    files = sorted(str(path.relative_to(folder)) for path in (folder / "xliff").glob("*.xlf"))
    return run(["import", *files], folder)


def measure_tmx_export(size: Size) -> Result:
    return run(["export", "tmx", "--lang", "fr", "--output", "tmx"], size.copy("tmx"))


def measure_watch(size: Size, saves: int, pause: float = 1.5) -> Result:
    """Saves of a French PO entry under `library serve --watch`, each timed to the server's rebuild line."""
    folder = size.copy("watch", built=True)
    process = subprocess.Popen([*LIBRARY, "serve", "--watch", "--port", "0"], cwd=folder, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1)
    sampler = PeakSampler(process.pid)
    lines: list[tuple[float, str]] = []
    arrived = threading.Condition()

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            with arrived:
                lines.append((time.perf_counter(), line.rstrip()))
                arrived.notify_all()

    threading.Thread(target=read, daemon=True).start()
    try:
        if _wait_for(lines, arrived, lambda text: text.startswith("Serving"), 0, 600) is None:
            return _watch_failed(process, sampler, lines, "never served")
        times = []
        for number in range(1, saves + 1):
            time.sleep(pause)
            with arrived:
                seen = len(lines)
            started = time.perf_counter()
            edit_french_entry(folder, f"(révision {number})")
            found = _wait_for(lines, arrived, lambda text: "site files rewritten" in text, seen, 60)
            if found is None:
                return _watch_failed(process, sampler, lines, f"save {number}: no rebuild line within 60 s")
            times.append(found - started)
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            process.kill()
    ordered = sorted(times)
    p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    peak, pss = sampler.stop()
    return Result(sum(times), peak, None, f"{saves} saves, worst {max(times):.2f} s", p50=p50, p95=p95, pss_mb=pss)


def _wait_for(lines: list[tuple[float, str]], arrived: threading.Condition, wanted: Callable[[str], bool],
              start: int, timeout: float) -> float | None:
    """When the first line from index start on that wanted accepts arrived, or None after timeout."""
    deadline = time.monotonic() + timeout
    position = start
    with arrived:
        while True:
            for when, text in lines[position:]:
                if wanted(text):
                    return when
            position = len(lines)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            arrived.wait(left)


def _watch_failed(process: subprocess.Popen, sampler: PeakSampler, lines: list[tuple[float, str]],
                  why: str) -> Result:
    tail = "\n    ".join(text for _, text in lines[-8:])
    print(f"  ! library serve --watch: {why}:\n    {tail}", file=sys.stderr)
    peak, pss = sampler.stop()
    return Result(None, peak, None, why, failed=True, pss_mb=pss)


def measure_search(size: Size) -> Result:
    """The first search in each language in a fresh Chromium profile; the worst language's compressed bytes."""
    sys.path.insert(0, str(REPOSITORY / "tests"))
    sys.path.insert(0, str(REPOSITORY))
    from checkers import launch_chromium
    from playwright.sync_api import sync_playwright
    from static_search_benchmark import FIRST, search_once
    from test_static_search import _static_server

    assert size.built is not None
    found = {}
    with _static_server(size.built / "build" / "html") as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for language, query in FIRST.items():
            context = browser.new_context()
            transfer, _seconds = search_once(context.new_page(), f"{base}/{language}/search.html?q={query}")
            found[language] = transfer.search_gzip / 1000
            context.close()
        browser.close()
    worst = max(found, key=found.__getitem__)
    note = ", ".join(f"{language} {kb:.0f}" for language, kb in found.items()) + " kB compressed"
    return Result(kilobytes=found[worst], note=note)


MEASURES: dict[str, Callable[..., Result]] = {
    "build": measure_build, "noop": measure_noop, "catalog": measure_catalog, "volume": measure_volume,
    "html": measure_html, "extract": measure_extract, "update": measure_update, "check": measure_check,
    "status": measure_status, "compile": measure_compile, "xliff-export": measure_xliff_export,
    "xliff-import": measure_xliff_import, "tmx-export": measure_tmx_export, "watch": measure_watch,
    "search": measure_search,
}


# --- the table ---------------------------------------------------------------------------------


def verdict(command: str, results: dict[int, Result], papers: int) -> str:
    """Whether a row meets issue 36's targets at this size: 'yes', 'no (...)' or '-'."""
    result = results[papers]
    if result.failed:
        return "failed"
    misses = []
    if result.pss_mb is not None and result.pss_mb > MEMORY_LIMIT_MB:
        misses.append(f"> {MEMORY_LIMIT_MB} MB")
    if command == "watch" and result.p95 is not None and result.p95 > WATCH_LIMIT_S:
        misses.append(f"p95 > {WATCH_LIMIT_S} s")
    if command == "search" and result.kilobytes is not None and result.kilobytes > SEARCH_LIMIT_KB:
        misses.append(f"> {SEARCH_LIMIT_KB} kB")
    smallest = results.get(4)
    if (command == "catalog" and smallest and not smallest.failed
            and _cost(result) > CATALOG_BUILD_FACTOR * _cost(smallest)):
        misses.append(f"> {CATALOG_BUILD_FACTOR}x the 4-paper build")
    return "no: " + ", ".join(misses) if misses else "yes"


def _cost(result: Result) -> float:
    """CPU seconds where measured (what the load inflates least), else seconds."""
    return result.cpu if result.cpu is not None else result.seconds or 0.0


def _figure(result: Result) -> str:
    if result.failed and result.seconds is None:
        return "failed"
    if result.kilobytes is not None:
        return f"{result.kilobytes:.0f} kB"
    if result.p50 is not None:
        return f"p50 {result.p50:.2f} / p95 {result.p95:.2f} s, {_memory(result)}"
    cpu = f" (cpu {result.cpu:.1f})" if result.cpu is not None else ""
    return f"{result.seconds:.2f} s{cpu}, {_memory(result)}" + (" (failed)" if result.failed else "")


def _memory(result: Result) -> str:
    """'312 MB (RSS 482)': the tree's peak PSS, judged, then its peak summed RSS."""
    return f"{result.pss_mb or 0:.0f} MB (RSS {result.peak_mb or 0:.0f})"


def _growth(result: Result, first: Result | None) -> str:
    if first is None or first is result or result.failed or first.failed:
        return ""
    if result.p50 is not None and first.p50:
        return f" ×{result.p50 / first.p50:.1f}"
    if result.kilobytes is not None and first.kilobytes:
        return f" ×{result.kilobytes / first.kilobytes:.2f}"
    if result.seconds and first.seconds and result.pss_mb and first.pss_mb:
        return f" ×{result.seconds / first.seconds:.1f} t, ×{result.pss_mb / first.pss_mb:.1f} mem"
    return ""


def exponent(results: dict[int, Result]) -> str:
    """log(ratio) / log(papers ratio) between the two largest sizes: 1 linear, 2 quadratic.

    Of CPU seconds where there are (a shared machine's load inflates them least), else of the time.
    """
    sizes = [n for n in sorted(results) if not results[n].failed and (results[n].p50 or results[n].seconds)]
    if len(sizes) < 2:
        return ""
    small, large = results[sizes[-2]], results[sizes[-1]]
    if large.p50 is not None:
        before, after = small.p50, large.p50
    elif large.cpu and small.cpu:
        before, after = small.cpu, large.cpu
    else:
        before, after = small.seconds, large.seconds
    if not before or not after:
        return ""
    return f"{math.log(after / before) / math.log(sizes[-1] / sizes[-2]):.2f}"


def table(measured: dict[str, dict[int, Result]], sizes: list[int]) -> str:
    """The Markdown table: a row per command, a column per size (with growth against 4 papers)."""
    head = ["command", *[f"{n} papers" for n in sizes], "exponent", f"meets the target at {sizes[-1]}"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for command, results in measured.items():
        first = results.get(sizes[0])
        cells = [f"{_figure(results[n])}{_growth(results[n], first)}" if n in results else "–" for n in sizes]
        judged = verdict(command, results, max(results))
        rows.append(f"| {command} | " + " | ".join(cells) + f" | {exponent(results)} | {judged} |")
    return "\n".join(rows)


def load() -> str:
    return "load " + " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4,20,80,200", help="papers per library, comma-separated")
    parser.add_argument("--commands", default=",".join(ALL), help=f"some of: {', '.join(ALL)}")
    parser.add_argument("--settings", default="", help="[library] settings for make_library, e.g. volume_size=20")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scaling-benchmark"), help="folder for the libraries")
    parser.add_argument("--saves", type=int, default=10, help="watch mode: PO saves timed")
    parser.add_argument("--keep", action="store_true", help="keep the libraries after each size")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(","))
    commands = [name.strip() for name in args.commands.split(",") if name.strip()]
    unknown = [name for name in commands if name not in MEASURES]
    if unknown:
        parser.error(f"unknown commands {', '.join(unknown)}; choose from {', '.join(ALL)}")
    settings = dict(item.split("=", 1) for item in args.settings.split(",") if item)
    print(f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}, {load()}")
    measured: dict[str, dict[int, Result]] = {name: {} for name in commands}
    for papers in sizes:
        for command, result in measure_size(papers, commands, settings, args):
            measured[command][papers] = result
        print(f"\n{table(measured, sizes)}\n", flush=True)
    print(f"{load()} at the end")


def measure_size(papers: int, commands: list[str], settings: dict[str, str],
                 args: argparse.Namespace) -> Iterator[tuple[str, Result]]:
    work = args.work / str(papers)
    size = Size(papers, work, make_library(work / "base", papers, settings))
    print(f"\n{papers} papers ({load()})", flush=True)
    if "build" not in commands and NEEDS_BUILD & set(commands):
        measure_build(size)  # the others start from a built library
    for command in commands:
        started = load()
        try:
            if command in NEEDS_BUILD and size.built is None:
                result = Result(note="no built library", failed=True)
            elif command == "watch":
                result = measure_watch(size, args.saves)
            else:
                result = MEASURES[command](size)
        except Exception as error:  # noqa: BLE001 - one broken measure must not stop the others
            print(f"  ! {command}: {type(error).__name__}: {error}", file=sys.stderr)
            result = Result(note=str(error), failed=True)
        print(f"  {command:13} {_figure(result):40} {result.note}  ({started})", flush=True)
        yield command, result
        folder = FOLDER.get(command, command)
        later = {FOLDER.get(name, name) for name in commands[commands.index(command) + 1 :]}
        if not args.keep and command not in ("build", "search") and folder not in later:
            shutil.rmtree(work / folder, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
