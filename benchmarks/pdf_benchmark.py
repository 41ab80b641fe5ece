"""PDF build times and peak memory: full, nothing changed (and its planning alone), one catalog changed, a volume alone.

Works on a copy of the project (or, with --papers N, a synthetic series of N papers made from the
real ones by synthetic.py) in a temporary folder, so the real catalogs are never touched. The
peak is the resident memory of this process and its render workers together, polled.

    .venv/bin/python benchmarks/pdf_benchmark.py [--jobs N]
    .venv/bin/python benchmarks/pdf_benchmark.py --papers 200 --volume-size 20
    .venv/bin/python benchmarks/pdf_benchmark.py --papers 80 --weasyprint   # and WeasyPrint alone
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_library  # noqa: E402

from library.core.config import Config, load_config  # noqa: E402
from library.core.paths import catalog_path  # noqa: E402
from library.model.project import Project  # noqa: E402
from library.outputs.pdf.plan import build_pdfs, plan_pdfs  # noqa: E402
from library.outputs.pdf.typeset import job_html, render_job  # noqa: E402
from library.sources.pofiles import read_catalog  # noqa: E402
from library.sources.powriter import render_catalog  # noqa: E402

CHANGED = ("fr", "what-is-the-imrf")  # the catalog a translator edits: French, paper 1


def copy_project(folder: Path) -> Config:
    for name in ("papers", "locales", "templates"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "setup.cfg", folder / "setup.cfg")
    return load_config(folder / "setup.cfg")


class TreePeak:
    """The peak resident memory of this process and its children, polled every 50 ms while in use."""

    def __enter__(self) -> TreePeak:
        self.peak, self._done = 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(os.getpid())))
            time.sleep(0.05)


def _tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        pid = stack.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                stack += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measured(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, int, Any]:
    """Seconds, peak bytes of the process tree, and the result of function(*args, **kwargs)."""
    with TreePeak() as peak:
        started = time.perf_counter()
        result = function(*args, **kwargs)
        seconds = time.perf_counter() - started
    return seconds, peak.peak, result


def change_one_catalog(config: Config) -> None:
    """A translator's edit: one French paragraph of paper 1 reworded."""
    language, domain = CHANGED
    path = catalog_path(config, language, domain)
    catalog = read_catalog(path, language=language, domain=domain)
    message = next(m for m in catalog if m.id and m.string and not m.fuzzy and len(m.string) > 80)
    message.string = message.string.replace("Forum", "Forum mondial", 1)
    path.write_bytes(render_catalog(catalog, keep_python_format=False))


def a_volume_alone(config: Config) -> tuple[int, int]:
    """Render the French volume holding paper 1 (its HTML made beforehand), in this process: (pages, papers)."""
    project = Project(config)
    job = next(job for job in plan_pdfs(project, ("fr",)).jobs if job.slug.startswith("volume"))
    html = job_html(project, job)
    _, pages = render_job(config, job, html)
    return max(pages.values()), html.count('class="volume-part"') - 1


def weasyprint_alone(config: Config) -> tuple[float, int]:
    """WeasyPrint's own time on the HTML of every PDF, one after the other, HTML prepared beforehand."""
    project = Project(config)
    jobs = plan_pdfs(project).jobs
    pages = [(job, job_html(project, job)) for job in jobs]
    started = time.perf_counter()
    for job, html in pages:
        render_job(config, job, html)
    return time.perf_counter() - started, len(pages)


def line(name: str, seconds: float, peak: int, what: str) -> None:
    print(f"{name:28} {seconds:7.1f} s  {peak / 2**20:6.0f} MB  {what}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--papers", type=int, help="a synthetic series of this many papers (default: the real library)")
    parser.add_argument("--volume-size", type=int, help="volume_size in setup.cfg (default: unset, one volume)")
    parser.add_argument("--weasyprint", action="store_true", help="also time WeasyPrint alone on every PDF")
    options = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}; "
          f"{options.jobs} parallel renders; load {os.getloadavg()[0]:.1f}")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1650000000")
    settings = {"volume_size": str(options.volume_size)} if options.volume_size else {}
    with tempfile.TemporaryDirectory() as folder:
        if options.papers:
            config = load_config(make_library(Path(folder) / "library", options.papers, settings) / "setup.cfg")
        else:
            config = copy_project(Path(folder))
            if settings:
                config = load_config(make_library(Path(folder) / "library", 4, settings) / "setup.cfg")
        seconds, peak, report = measured(build_pdfs, Project(config), workers=options.jobs)
        line("full build", seconds, peak, f"{len(report.written)} PDFs rendered")
        seconds, peak, report = measured(build_pdfs, Project(config), workers=options.jobs)
        line("nothing changed", seconds, peak, f"{len(report.written)} rendered, {len(report.unchanged)} up to date")
        seconds, peak, plan = measured(plan_pdfs, Project(config))
        line("  its planning alone", seconds, peak, f"{len(plan.current)} up to date")
        change_one_catalog(config)
        seconds, peak, report = measured(build_pdfs, Project(config), workers=options.jobs)
        names = ", ".join(p.relative_to(config.build_dir / "pdf").as_posix() for p in report.written)
        line("one catalog changed", seconds, peak, f"{len(report.written)} rendered: {names}")
        seconds, peak, (pages, papers) = measured(a_volume_alone, config)
        line("the French volume alone", seconds, peak, f"{pages} pages, {papers} papers, in this process")
        if options.weasyprint:
            seconds, count = weasyprint_alone(config)
            line("WeasyPrint alone", seconds, 0, f"the same {count} PDFs, one after the other")


if __name__ == "__main__":
    main()
