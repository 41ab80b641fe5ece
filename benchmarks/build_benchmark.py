"""The whole `library build`, measured in one run: full, with nothing changed, and after one catalog edit.

Each build runs the real command in a fresh process, on a copy of the project, so the figures
include start-up and imports as an editor meets them. Prints what each build rewrote, its time
as a share of the full build, and whether WeasyPrint or Whoosh was imported.

    .venv/bin/python benchmarks/build_benchmark.py [--repeat 5]
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

from library.core.paths import catalog_path
from library.model.project import load_project
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog

HEAVY = ("weasyprint", "whoosh")


def copy_project(folder: Path) -> Path:
    for name in ("papers", "locales", "templates"):
        shutil.copytree(REPOSITORY / name, folder / name)
    shutil.copy(REPOSITORY / "setup.cfg", folder / "setup.cfg")
    return folder


def build(folder: Path) -> tuple[float, str, set[str]]:
    """One `library build`: seconds, its output, and the heavy libraries it imported."""
    command = [sys.executable, "-X", "importtime", "-m", "library", "--config", str(folder / "setup.cfg"), "build",
               "-v"]  # -v: every file written, and each index's figures
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 6):
        sys.exit(f"library build failed ({done.returncode}):\n{done.stderr[-2000:]}")
    imported = {name for name in HEAVY if re.search(rf"\|\s+{name}$", done.stderr, re.M)}
    return seconds, done.stdout, imported


def site_times(folder: Path) -> dict[str, int]:
    site = folder / "build" / "html"
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def pages_by_folder(before: dict[str, int], after: dict[str, int]) -> str:
    """The site files a build rewrote, counted by their top folder: 'es 21, fr 2'."""
    changed = [name for name, stamp in after.items() if before.get(name) != stamp]
    counts: dict[str, int] = {}
    for name in changed:
        top = name.split("/")[0] if "/" in name else "(root)"
        counts[top] = counts.get(top, 0) + 1
    return ", ".join(f"{top} {count}" for top, count in sorted(counts.items())) or "none"


def rewritten(output: str) -> str:
    """What a build says it rewrote, in one line, and its own first line: what and why."""
    pdfs = re.findall(r"^wrote build/pdf/(\S+)", output, re.M)
    pages = len(re.findall(r"^wrote build/html/\S+\.html$", output, re.M))
    indexes = re.findall(r"^build/index/(\w+): \d+ passages in", output, re.M)
    mos = re.findall(r"^wrote build/locale/(\w+)/LC_MESSAGES/(\S+)\.mo", output, re.M)
    return (f"{len(mos)} MO ({', '.join(f'{a}/{b}' for a, b in mos) or '-'}); {len(pdfs)} PDFs "
            f"({', '.join(pdfs) or '-'}); {pages} pages; indexes: {', '.join(indexes) or '-'}\n"
            f"                               the build says: {output.splitlines()[0] if output else '-'}")


def change_one_catalog(folder: Path) -> None:
    """A translator's edit: one Spanish paragraph of paper 1 reworded."""
    config = load_project(folder / "setup.cfg").config
    path = catalog_path(config, "es", "what-is-the-imrf")
    catalog = read_catalog(path, language="es", domain="what-is-the-imrf")
    message = next(m for m in catalog if m.id and m.string and not m.fuzzy and len(m.string) > 80)
    message.string = message.string.replace("Foro", "Foro Mundial", 1)
    path.write_bytes(render_catalog(catalog, keep_python_format=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="no-change builds to take the median of")
    options = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = copy_project(Path(temporary))
        full, output, imported = build(folder)
        print(f"full build:          {full:6.2f} s  {rewritten(output)}")
        runs = [build(folder) for _ in range(options.repeat)]
        still = statistics.median(seconds for seconds, _, _ in runs)
        heavy = set().union(*(names for _, _, names in runs))
        print(f"nothing changed:     {still:6.2f} s  = {100 * still / full:.1f}% of a full build "
              f"(median of {options.repeat}); imported: {', '.join(sorted(heavy)) or 'neither WeasyPrint nor Whoosh'}")
        print(f"                               {rewritten(runs[-1][1])}")
        change_one_catalog(folder)
        before = site_times(folder)
        one, output, _ = build(folder)
        print(f"one catalog changed: {one:6.2f} s  = {100 * one / full:.1f}% of a full build")
        print(f"                               {rewritten(output)}")
        print(f"                               site files rewritten by folder: "
              f"{pages_by_folder(before, site_times(folder))}")


if __name__ == "__main__":
    main()
