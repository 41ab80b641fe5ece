"""PDF build times on the real library: full, nothing changed, one catalog changed, WeasyPrint alone.

Works on a copy of the project in a temporary folder, so the real catalogs are never touched.

    .venv/bin/python benchmarks/pdf_benchmark.py [--jobs N]
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from library.core.config import load_config
from library.model.project import Project
from library.outputs.pdf.plan import build_pdfs, plan_pdfs
from library.outputs.pdf.typeset import ProjectFetcher, _allowed_roots, job_html
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog
from library.translations.catalogs import catalog_path


def copy_project(folder: Path):
    for name in ("papers", "locales", "templates"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "setup.cfg", folder / "setup.cfg")
    return load_config(folder / "setup.cfg")


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def change_one_catalog(config) -> None:
    """A translator's edit: one Spanish paragraph of paper 1 reworded."""
    path = catalog_path(config, "es", "what-is-the-imrf")
    catalog = read_catalog(path, language="es", domain="what-is-the-imrf")
    message = next(m for m in catalog if m.id and m.string and not m.fuzzy and len(m.string) > 80)
    message.string = message.string.replace("Foro", "Foro Mundial", 1)
    path.write_bytes(render_catalog(catalog, keep_python_format=False))


def weasyprint_alone(config) -> tuple[float, int]:
    """WeasyPrint's own time on the HTML of every PDF, one after the other, HTML prepared beforehand."""
    import weasyprint

    jobs, _ = plan_pdfs(Project(config))
    pages = [job_html(Project(config), job) for job in jobs]
    started = time.perf_counter()
    for html in pages:
        document = weasyprint.HTML(string=html, base_url=config.templates_dir.as_uri() + "/",
                                   url_fetcher=ProjectFetcher(_allowed_roots(config)))
        document.write_pdf(pdf_variant="pdf/ua-1")
    return time.perf_counter() - started, len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    options = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}; "
          f"{options.jobs} parallel renders")
    with tempfile.TemporaryDirectory() as folder:
        config = copy_project(Path(folder))
        full, report = timed(build_pdfs, config, workers=options.jobs)
        print(f"full build:             {full:6.1f} s  ({len(report.written)} PDFs rendered)")
        again, report = timed(build_pdfs, config, workers=options.jobs)
        print(f"nothing changed:        {again:6.1f} s  ({len(report.written)} rendered, "
              f"{len(report.unchanged)} up to date)  = {100 * again / full:.0f}% of a full build")
        change_one_catalog(config)
        one, report = timed(build_pdfs, config, workers=options.jobs)
        names = ", ".join(p.relative_to(config.build_dir / "pdf").as_posix() for p in report.written)
        print(f"one catalog changed:    {one:6.1f} s  ({len(report.written)} rendered: {names})")
        alone, count = weasyprint_alone(dataclasses.replace(config))
        print(f"WeasyPrint alone:       {alone:6.1f} s  (the same {count} PDFs, one after the other)")


if __name__ == "__main__":
    main()
