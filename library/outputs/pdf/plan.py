"""The PDF stage: which PDFs to make (one per paper and language, a volume per language), and making them.

The gate (outputs/gate.py) decides what is published, held back or drafted; a PDF is rendered again only when
one of its inputs changed (their hash is kept in the manifest); the renders run in parallel
on every core (typeset.py lays each one out).
"""
from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeAlias

from library.core.config import Config
from library.core.files import write_atomic
from library.core.paths import VOLUME, pdf_path
from library.model.manifest import write_pdf_manifest
from library.model.project import Project
from library.model.stamps import Digest, distribution_version, settings_text
from library.outputs.gate import (
    Plan,
    Refusal,
    Report,
    Withdrawal,
    plan_documents,
    previous_entries,
    retire,
    source_files,
)
from library.outputs.pdf.typeset import PdfJob, font_paths, job_html, render_job
from library.outputs.render import Environments, template_files

__all__ = ["PdfJob", "PdfPlan", "PdfReport", "Refusal", "Withdrawal", "build_pdfs", "plan_pdfs"]

# The gate's names for what a PDF build plans and did (library.outputs.gate plans the EPUBs alike).
PdfPlan: TypeAlias = Plan
PdfReport: TypeAlias = Report


# Planning -------------------------------------------------------------------------------------


def plan_pdfs(project: Project, languages: tuple[str, ...] = (), slugs: tuple[str, ...] = (),
              draft: bool = False) -> PdfPlan:
    """The PDFs asked for (volumes only when no paper is named), judged by the gate."""
    config = project.config
    shared = _shared_inputs(config)

    def inputs(language: str, slug: str) -> str:
        """Hash of one PDF's own files: its sources and catalogs, the interface catalog, the images."""
        return Digest(shared, language, slug).files(source_files(project, language, slug), config.root).hexdigest()

    return plan_documents(project, "pdf", functools.partial(pdf_path, config), inputs, languages, slugs, draft)


def _shared_inputs(config: Config) -> str:
    """Hash of what every PDF depends on: the print templates, the PDF stage's code, the fonts, the tools."""
    from library import __version__

    # The variable's text as it is: the inputs hash also names the PDF (its /ID), which must not move.
    digest = Digest(__version__, distribution_version("weasyprint"), settings_text(config),
                    os.environ.get("SOURCE_DATE_EPOCH", ""))
    digest.files(template_files(config, pdf=True), config.root)
    digest.code(__name__)
    digest.files(font_paths(), config.root)
    return digest.hexdigest()


# Building -------------------------------------------------------------------------------------


def build_pdfs(project: Project, languages: tuple[str, ...] = (), slugs: tuple[str, ...] = (),
               draft: bool = False, workers: int | None = None, progress: Callable[[PdfJob], None] | None = None,
               plan: PdfPlan | None = None) -> PdfReport:
    """Render every planned PDF that is not up to date, in parallel; record all in the manifest.

    plan, from plan_pdfs with the same arguments, saves planning again when the caller has it.
    A refused PDF no longer stays published; the manifest is written even when a render fails,
    with what was done.
    """
    config = project.config
    plan = plan or plan_pdfs(project, languages, slugs, draft)
    report = PdfReport(refused=list(plan.refused))
    entries = previous_entries(config, "pdf", whole=plan.complete and plan.every_language)
    for job in plan.current:
        report.unchanged.append(job.output)
        if progress:
            progress(job)
    try:
        for job, pages in _render_all(project, plan.pending, workers):
            entries[f"{job.language}/{job.slug}"] = dataclasses.replace(job.entry, pages=pages)
            report.written.append(job.output)
            if progress:
                progress(job)
    finally:
        report.withdrawn = retire(config, "pdf", plan, entries, functools.partial(pdf_path, config))
        write_pdf_manifest(config, entries)
    return report


def _render_all(project: Project, jobs: list[PdfJob], workers: int | None) -> Iterator[tuple[PdfJob, dict[str, int]]]:
    """Render jobs (their HTML made here, WeasyPrint in worker processes); yield each with its pages."""
    config, environments = project.config, Environments(project)
    # The volumes take longest: started first, they do not leave one core busy at the end.
    ordered = sorted(jobs, key=lambda job: job.slug != VOLUME)
    if len(ordered) <= 1 or workers == 1:
        for job in ordered:
            yield job, _write(job, *render_job(config, job, job_html(project, job, environments)))
        return
    import multiprocessing

    # spawn: a forked child would inherit Pango's and GLib's threads in an unknown state.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context,
                               initializer=_exit_with_parent, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(render_job, config, job, job_html(project, job, environments)): job
                   for job in ordered}
        for future in as_completed(futures):
            job = futures[future]
            yield job, _write(job, *future.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl+C or a failure: start nothing more
        raise
    pool.shutdown()


def _exit_with_parent(parent: int) -> None:
    """In a worker: end as soon as the build that started it is gone (killed, even with -9).

    The workers would otherwise render on for minutes, and keep multiprocessing's resource
    tracker alive with them.
    """
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _write(job: PdfJob, pdf: bytes, pages: dict[str, int]) -> dict[str, int]:
    write_atomic(job.output, pdf)
    return pages
