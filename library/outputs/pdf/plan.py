"""The PDF stage: which PDFs to make (one per paper and language, a volume per language), and making them.

The gate decides what is published, held back or drafted; a PDF is rendered again only when
one of its inputs changed (their hash is kept in the manifest); the renders run in parallel
on every core (typeset.py lays each one out).
"""
from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from library.core.config import Config
from library.core.files import write_atomic
from library.core.paths import UI_DOMAIN, VOLUME, anchor_record_path, catalog_path, pdf_path
from library.model.manifest import DamagedManifest, PdfEntry, read_pdf_manifest, write_pdf_manifest
from library.model.project import Project
from library.model.stamps import Digest, distribution_version, settings_text
from library.model.translation import Figure, percent_label
from library.outputs.pdf.typeset import PdfJob, font_paths, job_html, render_job
from library.outputs.render import Environments, template_files

__all__ = ["PdfJob", "PdfPlan", "PdfReport", "Refusal", "Withdrawal", "build_pdfs", "plan_pdfs"]

_LOG = logging.getLogger(__name__)

@dataclass(frozen=True)
class Refusal:
    """A paper and language below the publication threshold, not rendered."""

    language: str
    slug: str
    percent: float
    threshold: float
    inputs: str = ""
    omitted: tuple[str, ...] = ()  # for a volume: every paper, since none passes

    def __str__(self) -> str:
        return f"{self.language}/{self.slug}: {self.why}"

    @property
    def why(self) -> str:
        threshold = percent_label(self.threshold)
        if self.slug == VOLUME:
            series = percent_label(self.percent)
            return f"no paper is translated up to the threshold of {threshold} yet (the series: {series})"
        return f"{percent_label(self.percent)} translated, below the threshold of {threshold}"

    @property
    def entry(self) -> PdfEntry:
        return PdfEntry(self.language, self.slug, "refused", self.percent, self.inputs, omitted=list(self.omitted))


@dataclass(frozen=True)
class Withdrawal:
    """A PDF deleted because it is no longer published, and why."""

    path: Path
    reason: str


@dataclass
class PdfReport:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    withdrawn: list[Withdrawal] = field(default_factory=list)


@dataclass
class PdfPlan:
    """Every PDF asked for: those to render, those already up to date, and those refused."""

    pending: list[PdfJob] = field(default_factory=list)
    current: list[PdfJob] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    complete: bool = True  # every paper of the chosen languages, so entries of others can go
    every_language: bool = True  # every configured language, so entries of removed ones can go

    @property
    def jobs(self) -> list[PdfJob]:
        return [*self.pending, *self.current]


# Planning -------------------------------------------------------------------------------------


def _manifest_entries(config: Config, whole: bool) -> dict[str, PdfEntry]:
    """The last build's manifest; a damaged one is rewritten from scratch by a whole build, refused by a partial one."""
    try:
        return read_pdf_manifest(config)
    except DamagedManifest as error:
        if not whole:
            raise  # rewriting it with some PDFs only would unpublish the rest
        _LOG.warning("%s; every PDF is rendered again", str(error).split("; run")[0])
        return {}


def plan_pdfs(project: Project, languages: tuple[str, ...] = (), slugs: tuple[str, ...] = (),
              draft: bool = False) -> PdfPlan:
    """The PDFs asked for (volumes only when no paper is named), judged by the gate.

    A PDF whose input files hash as at the last build keeps that build's figure, so a build
    with nothing changed reads no catalog; only changed ones ask the project for theirs.
    """
    config = project.config
    chosen = project.select_languages(languages)
    names = project.select_papers(slugs) if slugs else (*project.source_slugs, VOLUME)
    previous = _manifest_entries(config, whole=not slugs and not languages)
    shared = _shared_inputs(config)
    plan = PdfPlan(complete=not slugs, every_language=not languages)
    for language in chosen:
        percents: dict[str, float] = {}  # the papers' figures, which the volume is judged from
        for slug in names:
            inputs = _inputs_hash(project, language, slug, shared)
            before = previous.get(f"{language}/{slug}")
            cached = before if before and before.inputs == inputs else None
            if slug == VOLUME:
                _plan_volume(project, plan, language, percents, inputs, draft, before, cached)
                continue
            percents[slug] = cached.percent if cached else project.figure(slug, language).percent
            below = _below(project, language, percents[slug])
            if below and not draft:
                plan.refused.append(Refusal(language, slug, percents[slug], config.threshold, inputs))
            else:
                _add_job(plan, PdfJob(language, slug, pdf_path(config, language, slug, below), percents[slug],
                                      below, inputs), before)
    return plan


def _below(project: Project, language: str, percent: float) -> bool:
    return language != project.config.source_language and percent < project.config.threshold


def _plan_volume(project: Project, plan: PdfPlan, language: str, percents: dict[str, float], inputs: str,
                 draft: bool, before: PdfEntry | None, cached: PdfEntry | None) -> None:
    """Plan a language's volume: the series with every paper the gate publishes, refused if none.

    With --draft it holds every paper, and is a marked draft when one of them is below the threshold.
    """
    config, series = project.config, project.series_slug
    papers = [slug for slug in percents if slug != series]
    held_back = tuple(slug for slug in papers if _below(project, language, percents[slug]))
    omitted = () if draft else held_back
    refused = bool(held_back) and len(held_back) == len(papers) and not draft
    # The figure of what the volume holds; of the whole series for a refused one, which holds nothing.
    counted = tuple(percents) if refused else tuple(slug for slug in percents if slug not in omitted)
    if cached and tuple(cached.omitted) == omitted:
        percent = cached.percent
    else:
        percent = sum((project.figure(slug, language) for slug in counted), Figure()).percent
    if refused:
        plan.refused.append(Refusal(language, VOLUME, percent, config.threshold, inputs, omitted))
        return
    marked = bool(held_back) and draft
    job = PdfJob(language, VOLUME, pdf_path(config, language, VOLUME, marked), percent, marked, inputs, omitted)
    _add_job(plan, job, before)


def _add_job(plan: PdfPlan, job: PdfJob, before: PdfEntry | None) -> None:
    """Keep job as it is when its PDF was made from the same inputs with the same verdict."""
    same = before is not None and before.inputs == job.inputs and before.verdict == job.entry.verdict
    (plan.current if same and job.output.is_file() else plan.pending).append(job)


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


def _inputs_hash(project: Project, language: str, slug: str, shared: str) -> str:
    """Hash of one PDF's own files: its sources and catalogs, the interface catalog, the images."""
    config = project.config
    domains = project.source_slugs if slug == VOLUME else (slug, project.series_slug)
    files = [config.papers_dir / f"{domain}.md" for domain in domains]
    files += [anchor_record_path(config, domain) for domain in domains]  # the ids of the anchor -> page map
    if language != config.source_language:
        files += [catalog_path(config, language, domain) for domain in (*domains, UI_DOMAIN)]
    files += sorted(path for path in config.papers_dir.rglob("images/*") if path.is_file())  # no pipe is read
    return Digest(shared, language, slug).files(files, config.root).hexdigest()


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
    entries = _manifest_entries(config, whole=plan.complete and plan.every_language)
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
        report.withdrawn = _retire(project, plan, entries)
        write_pdf_manifest(config, entries)
    return report


def _retire(project: Project, plan: PdfPlan, entries: dict[str, PdfEntry]) -> list[Withdrawal]:
    """Delete the PDFs the plan no longer publishes, and say why.

    Refused PDFs go, and for a whole build those of removed papers (and, when every language
    was built, of removed languages). Files the manifest never listed are left alone.
    """
    config, withdrawn = project.config, []
    reasons = {}
    for refusal in plan.refused:
        entries[f"{refusal.language}/{refusal.slug}"] = refusal.entry
        reasons[f"{refusal.language}/{refusal.slug}"] = f"held back: {refusal.why}"
    planned = {f"{job.language}/{job.slug}" for job in plan.jobs} | set(reasons)
    languages = {key.split("/")[0] for key in planned}
    for key, entry in list(entries.items()):
        if key in planned:
            continue
        if plan.complete and entry.language in languages:
            reasons[key] = "its paper was removed"
        elif plan.every_language and entry.language not in config.all_languages:
            reasons[key] = "its language was removed from setup.cfg"
        else:
            continue
        del entries[key]
    for key in {*entries, *reasons}:
        language, slug = key.split("/")
        for draft in (False, True):
            kept = key in entries and entries[key].verdict == ("draft" if draft else "published")
            path = pdf_path(config, language, slug, draft)
            if not kept and path.is_file():
                path.unlink()
                withdrawn.append(Withdrawal(path, reasons.get(key) or _replaced(draft)))
    return sorted(withdrawn, key=lambda w: w.path)


def _replaced(draft: bool) -> str:
    return "replaced by the published PDF" if draft else "replaced by a marked draft"


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
