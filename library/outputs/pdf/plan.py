"""The PDF stage: which PDFs to make (one per paper and language, a volume per language), and making them.

The gate (outputs/gate.py) decides what is published, held back or drafted, and cuts the volumes;
a PDF is rendered again only when one of its inputs changed (their hash is kept in the manifest).
The renders run in parallel on every core (typeset.py lays each one out), at most one volume at a
time, each PDF written by the process that laid it out; one or two papers are laid out in the
command's own process (beside the volumes they are in), where starting workers would cost more than it saves.
"""
from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from multiprocessing.context import BaseContext
from typing import TypeAlias, TypeVar

from library.core.config import Config
from library.core.files import write_atomic
from library.core.paths import is_volume, pdf_path
from library.model.manifest import write_pdf_manifest
from library.model.project import Project
from library.model.stamps import Digest, distribution_version, settings_text
from library.outputs.gate import (
    Plan,
    Refusal,
    Report,
    Withdrawal,
    image_files,
    plan_documents,
    previous_entries,
    retire,
    source_files,
)
from library.outputs.pdf.pace import release_memory
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
    shared, images = _shared_inputs(config), image_files(config)

    def inputs(language: str, slug: str) -> str:
        """Hash of one PDF's own files: its sources and catalogs, the interface catalog, the images."""
        files = source_files(project, language, slug, images)
        return Digest(shared, language, slug).files(files, config.root, project.file_hashes).hexdigest()

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
    """Render jobs (their HTML made here, WeasyPrint here or in worker processes); yield each with its pages."""
    config, environments = project.config, Environments(project)
    # The volumes take longest: started first, they do not leave one core busy at the end.
    ordered = sorted(jobs, key=lambda job: not _is_volume(job))
    if workers == 1 or _in_process(ordered):
        for job in ordered:
            yield job, render_and_write(config, job, job_html(project, job, environments))
        return
    import multiprocessing

    # spawn: a forked child would inherit Pango's and GLib's threads in an unknown state.
    context = multiprocessing.get_context("spawn")
    if sum(not _is_volume(job) for job in ordered) <= IN_PROCESS_PAPERS:
        yield from _papers_here_volumes_apart(project, context, ordered, environments)
        return
    size = min(workers or os.cpu_count() or 1, len(ordered))
    # Papers go to lanes whose worker makes way for a fresh one after PAPERS_PER_WORKER; each volume
    # to a worker of its own: no process keeps a volume's peak, or what many layouts left behind, for
    # the jobs after it. While volumes are laid out, one core is theirs: the spare lane takes papers
    # once they are done.
    volumes_first = any(_is_volume(job) for job in ordered) and size > 1
    lanes = _Lanes([Lane(context, PAPERS_PER_WORKER) for _ in range(size - volumes_first)],
                   Lane(context, PAPERS_PER_WORKER) if volumes_first else None, Lane(context, 1))
    try:
        yield from _run_in(lanes, size, project, ordered, environments)
    except BaseException:
        lanes.shutdown(cancel=True)  # Ctrl+C or a failure: start nothing more
        raise
    lanes.shutdown()


def _papers_here_volumes_apart(project: Project, context: BaseContext, ordered: list[PdfJob],
                               environments: Environments) -> Iterator[tuple[PdfJob, dict[str, int]]]:
    """A paper or two and the volumes they are in (one changed catalog, say): the papers laid out in the
    command's own process while the volumes are, one at a time, each in a process of its own."""
    config = project.config
    volumes = Lane(context, 1)
    try:
        laid_out = {volumes.submit(render_and_write, config, job, job_html(project, job, environments)): job
                    for job in ordered if _is_volume(job)}
        for job in ordered:
            if not _is_volume(job):
                yield job, render_and_write(config, job, job_html(project, job, environments))
        for future, job in laid_out.items():
            yield job, future.result()
    except BaseException:
        volumes.shutdown(cancel=True)  # Ctrl+C or a failure: start nothing more
        raise
    volumes.shutdown()


_Result = TypeVar("_Result")


class Lane:
    """One job at a time in a worker process of its own, replaced by a fresh one after renew_after jobs.

    The fresh worker starts only once the one before has exited: a worker's last moments (its
    whole heap still mapped) never overlap its successor's. ProcessPoolExecutor's own
    max_tasks_per_child starts the successor as soon as a job is sent, while the retiring worker
    may still be exiting. A thread of the lane's own does the waiting, never the caller.
    """

    def __init__(self, context: BaseContext, renew_after: int) -> None:
        self._context, self._renew_after, self._given = context, renew_after, 0
        self._worker: ProcessPoolExecutor | None = None
        self._driver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-lane")

    def submit(self, function: Callable[..., _Result], *arguments: object) -> Future[_Result]:
        """Run function(*arguments) in the lane's worker, after the jobs sent before; its future at once."""
        future = self._driver.submit(self._run, function, *arguments)
        self._given += 1
        if self._given % self._renew_after == 0:
            self._driver.submit(self._retire)  # after this job, before the next: in the lane's thread
        return future

    def shutdown(self, cancel: bool = False) -> None:
        """Wait for the jobs sent and the worker's exit; or, with cancel, drop the jobs not yet started."""
        self._driver.shutdown(wait=not cancel, cancel_futures=cancel)
        worker = self._worker
        if worker is not None:
            worker.shutdown(wait=not cancel, cancel_futures=cancel)

    def _run(self, function: Callable[..., _Result], *arguments: object) -> _Result:
        if self._worker is None:
            self._worker = ProcessPoolExecutor(max_workers=1, mp_context=self._context,
                                               initializer=_exit_with_parent, initargs=(os.getpid(),))
        return self._worker.submit(function, *arguments).result()

    def _retire(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.shutdown(wait=True)  # returns once the process has exited


@dataclasses.dataclass
class _Lanes:
    """Where the jobs of a build run: papers (and, once no volume is left, the spare), volumes."""

    papers: list[Lane]
    spare: Lane | None
    volumes: Lane

    def shutdown(self, cancel: bool = False) -> None:
        for lane in (*self.papers, self.spare, self.volumes):
            if lane is not None:
                lane.shutdown(cancel)


# A worker grows by about 0.4 MB a paper it lays out (WeasyPrint's caches, a fragmented heap: 57 MB
# after one paper, 156 MB after some 250, at 200 papers); a fresh one (0.7 s of CPU to start) after
# this many keeps it near its first size.
PAPERS_PER_WORKER = 10

# Up to this many papers' PDFs are laid out in the command's own process (the volumes beside them
# each in a process of its own): starting spawn workers (Python, WeasyPrint, Pango) costs more than
# their parallelism saves on so few.
IN_PROCESS_PAPERS = 2


def _in_process(jobs: list[PdfJob]) -> bool:
    return len(jobs) <= 1 or (len(jobs) <= IN_PROCESS_PAPERS and not any(_is_volume(job) for job in jobs))


def _run_in(lanes: _Lanes, size: int, project: Project, ordered: list[PdfJob],
            environments: Environments) -> Iterator[tuple[PdfJob, dict[str, int]]]:
    """Keep size jobs under way, never two volumes at once (each holds its whole layout); yield each as done.

    A job's HTML is made only when it is sent, and its PDF written by the worker: the command
    holds neither for more than the jobs under way.
    """
    waiting = list(ordered)
    running: dict[Future[dict[str, int]], tuple[PdfJob, Lane]] = {}
    while waiting or running:
        while waiting and len(running) < size:
            busy = [lane for _, lane in running.values()]
            job = _next_job(waiting, lanes.volumes in busy)
            if job is None:
                break
            lane = _lane_for(lanes, job, busy, volumes_waiting=any(map(_is_volume, waiting)))
            future = lane.submit(render_and_write, project.config, job, job_html(project, job, environments))
            running[future] = job, lane
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            yield running.pop(future)[0], future.result()


def _lane_for(lanes: _Lanes, job: PdfJob, busy: list[Lane], volumes_waiting: bool) -> Lane:
    """The lane a job goes to: a volume to the volumes', a paper to a free one (the spare once no volume is left)."""
    if _is_volume(job):
        return lanes.volumes
    spare = lanes.spare
    if spare is not None and spare not in busy and lanes.volumes not in busy and not volumes_waiting:
        return spare
    return next(lane for lane in lanes.papers if lane not in busy)


def _next_job(waiting: list[PdfJob], volume_running: bool) -> PdfJob | None:
    """The next job to start: the first waiting, or while a volume is laid out, the first paper."""
    for index, job in enumerate(waiting):
        if not (volume_running and _is_volume(job)):
            return waiting.pop(index)
    return None


def _is_volume(job: PdfJob) -> bool:
    return is_volume(job.slug)


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


def render_and_write(config: Config, job: PdfJob, html_text: str) -> dict[str, int]:
    """Render job, write its PDF and give back only its page map, whichever process it runs in.

    A volume laid out in the command's own process hands its memory back to the system, which the
    rest of the command would otherwise keep at the volume's peak.
    """
    pdf, pages = render_job(config, job, html_text)
    write_atomic(job.output, pdf)
    del pdf
    if _is_volume(job):
        release_memory()
    return pages
