"""Watch mode: rebuild what a save changed, and tell the open pages to reload.

A watcher thread waits for the operating system's file events (watchfiles) on the sources,
catalogs, templates and settings; each batch of saves runs the steps an editor or a
translator would run (extract and update after an English edit, compile after a PO edit),
then the incremental site build, which renders only the pages whose inputs changed. The
open pages learn of it through Server-Sent Events and reload at the paragraph they showed.
The search index of the languages touched is updated after the pages (the saved paper's
group of papers analysed again), and the PDFs in a background `library build pdf` once the
saves pause: until then the pages say which PDFs are older than the text. The watcher's
projects hand on what they read (Project.adopt), so a save parses only the files it changed.
A save that breaks a file leaves the last good build in place and puts its located error, as
the command line prints it, on every open page.

Nothing here reaches `build/html`: the script and its stylesheet are served from this
package, and added to HTML answers by the server only in watch mode.
"""
from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from library.core.config import known_language
from library.core.errors import LibraryError, error_line
from library.core.lock import hold_lock
from library.core.paths import UI_DOMAIN, SiteMap, lock_path, pdf_manifest_path, shown
from library.core.words import counted
from library.model.project import Project
from library.pipeline import Selection, StageReport, report_lines, run_stages

if TYPE_CHECKING:
    from contextlib import ExitStack

    from library.core.config import Config

__all__ = ["WATCH_CHANNELS", "WATCH_THREADS", "BuildStatus", "Preview", "Rebuild", "plan_rebuild", "start_watching",
           "watch_project", "stale_pdfs", "unrendered_pdfs"]

log = logging.getLogger(__name__)

# A comment line this often keeps an open page's channel from the server's idle timeout, and frees
# the thread of a page that went away (reloaded or closed) as soon as it fails to reach it.
HEARTBEAT_SECONDS = 1
# An open page's channel holds one of the server's threads, WATCH_CHANNELS of them at most: the pages
# keep their own threads. A page beyond those gets the status at once and asks again RETRY_MS later.
WATCH_CHANNELS = 32
WATCH_THREADS = WATCH_CHANNELS
RETRY_MS = 2000
PDF_PAUSE_SECONDS = 20.0  # the saves must pause this long before the PDFs are rendered in the background
# Files whose saves mean nothing to the library: editors' and Poedit's by-products, our own temporary files.
_IGNORED_SUFFIXES = (".mo", ".swp", ".swx", ".tmp", "~", ".bak", ".orig", ".kate-swp", "___jb_tmp___", "___jb_old___")
# Editors' and tools' temporary files, written beside the file they save and renamed over it:
# sed -i's sedXXXXXX, vim's 4913, Emacs's #name#; hidden ones (.#name, .goutputstream-…) start with a dot.
_TEMPORARY_NAME = re.compile(r"sed[A-Za-z0-9]{6}|\d+|#.*#")


@dataclass(frozen=True)
class BuildStatus:
    """What the open pages are told: the build they should show, the error that stopped the last one."""

    generation: int = 0  # counts the builds that changed the site; a page of an older one reloads
    error: str = ""  # "Error: file:line: message", as the command line prints it; "" when the last save built
    stale_pdfs: tuple[str, ...] = ()  # site paths of published PDFs older than their pages
    pdf_running: bool = False

    def as_json(self) -> str:
        return json.dumps({"generation": self.generation, "error": self.error, "stalePdfs": list(self.stale_pdfs),
                           "pdfRunning": self.pdf_running}, ensure_ascii=False)


class Preview:
    """The watcher's outcome as the server reads it: thread-safe, and waited on by every open page."""

    def __init__(self) -> None:
        self._status = BuildStatus()
        self._changed = threading.Condition()
        self._channels = threading.BoundedSemaphore(WATCH_CHANNELS)
        self.closed = threading.Event()

    @property
    def status(self) -> BuildStatus:
        return self._status

    def update(self, **changes: Any) -> BuildStatus:
        with self._changed:
            status = replace(self._status, **changes)
            if status != self._status:
                self._status = status
                self._changed.notify_all()
            return status

    def next_status(self, seen: BuildStatus | None, timeout: float) -> BuildStatus:
        """The status once it differs from seen, or as it is after timeout seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._status != seen or self.closed.is_set(), timeout)
            return self._status

    def events(self) -> Iterator[bytes]:
        """A Server-Sent Events stream: the status now, each change, and a comment line to keep it open.

        With WATCH_CHANNELS streams open already, the status now and when to ask again, then the end.
        """
        if not self._channels.acquire(blocking=False):
            yield f"retry: {RETRY_MS}\nevent: status\ndata: {self._status.as_json()}\n\n".encode()
            return
        try:
            seen = None
            while not self.closed.is_set():
                status = self.next_status(seen, HEARTBEAT_SECONDS)
                if status == seen:
                    yield b": still watching\n\n"
                    continue
                seen = status
                yield f"event: status\ndata: {status.as_json()}\n\n".encode()
        finally:  # the page went away (or the preview closed): its place is free
            self._channels.release()

    def close(self) -> None:
        self.closed.set()
        with self._changed:
            self._changed.notify_all()


@dataclass(frozen=True)
class Rebuild:
    """What a batch of saves calls for."""

    papers: frozenset[str] = frozenset()  # the English sources edited: extract and update their catalogs
    everything: bool = False  # templates, settings or images changed: every language
    languages: frozenset[str] = frozenset()  # the languages whose catalogs were saved
    pdfs: bool = False  # the PDF stage wrote its manifest: link the new PDFs
    paths: tuple[Path, ...] = field(default=())

    @property
    def needed(self) -> bool:
        return bool(self.papers or self.everything or self.languages or self.pdfs)

    @property
    def chosen_languages(self) -> tuple[str, ...]:
        """The languages to compile and index: those of the saved catalogs, or () for all."""
        return () if self.papers or self.everything else tuple(sorted(self.languages))


def plan_rebuild(project: Project, config_path: Path, paths: Iterable[Path]) -> Rebuild:
    """Sort the saved files into the steps they call for; files the library does not read are left out."""
    config = project.config
    everything = pdfs = False
    papers: set[str] = set()
    languages: set[str] = set()
    kept = []
    for path in sorted(paths):
        if _temporary(path):
            continue
        if path == pdf_manifest_path(config):
            pdfs = True
        elif path.is_relative_to(config.papers_dir) and path.suffix == ".md":
            papers.add(path.stem)
        elif path.is_relative_to(config.locales_dir) and path.suffix == ".po":
            language = known_language(path.relative_to(config.locales_dir).parts[0], config.languages)
            if language is None:
                continue  # a catalog of a language not (yet) in setup.cfg: nothing reads it
            languages.add(language)
        elif (path.is_relative_to(config.locales_dir) and path.suffix in (".pot", ".json", ".csv")
              or path.is_relative_to(config.papers_dir) and _paper_image(project, path)
              or path.is_relative_to(config.templates_dir) or path == config_path):
            everything = True  # a POT or anchor record saved by hand, the glossary, a paper's image, a template
        else:
            continue
        kept.append(path)
    return Rebuild(frozenset(papers), everything, frozenset(languages), pdfs, tuple(kept))


def _paper_image(project: Project, path: Path) -> bool:
    """Whether a paper shows the file; any other file in papers/ is none of the library's."""
    try:
        return any(path == project.config.papers_dir / block.src
                   for paper in project.papers for block in paper.blocks if block.kind == "image")
    except LibraryError:  # a paper that cannot be read: the build that follows says why
        return True


def _temporary(path: Path) -> bool:
    """An editor's or a tool's file of the moment, never one the library reads."""
    name = path.name
    return name.startswith(".") or name.endswith(_IGNORED_SUFFIXES) or bool(_TEMPORARY_NAME.fullmatch(name))


class _Watcher:
    """Runs each batch of saves' rebuild in turn, and the background PDF build when the saves pause."""

    def __init__(self, config_path: Path, preview: Preview, report: Callable[[str], None],
                 pdf_pause: float | None) -> None:
        self.config_path, self.preview, self.report, self.pdf_pause = config_path, preview, report, pdf_pause
        self._pdf_process: subprocess.Popen[bytes] | None = None
        self._last_save = time.monotonic()
        self._own: dict[Path, bytes | None] = {}
        self._last_project: Project | None = None
        self._pdfs_started_after: float | None = None
        self._unrendered_pdfs: tuple[str, ...] = ()  # PDFs the gate publishes that were never rendered
        self._hashes: dict[tuple[Any, ...], str] = {}  # the inputs' hashes by (path, size, time), from save to save
        self._behind: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}  # language -> (stale, unrendered) PDFs
        self.tidy_heap = False  # freeze the heap once the library is read (watch_project's own watcher, not a test's)
        self._tidied = False

    def warm(self) -> None:
        """Read what a save's rebuild reads, once, before the first save: each save then adopts it.

        Without it the first save after the server starts would parse every paper and catalog,
        and compile every template.
        """
        from library.outputs.render import Environments

        project = self._last_project
        if project is None or self.preview.status.error:
            return  # a broken file: the first save after its fix reads what it needs
        try:
            for language in project.config.all_languages:
                project.ui_translations(language)
                project.figure(UI_DOMAIN, language)  # the dashboard's row of the interface
                for slug in project.slugs:
                    project.translation(slug, language)
            self._pdfs_behind(project, ())  # each language's list, kept from then on for the others' saves
            environment = Environments(project)[project.config.source_language]
            for template in sorted(project.config.templates_dir.glob("*.html")):  # compiled once a process
                environment.get_template(template.name)
        except (LibraryError, OSError):
            return  # the file broke meanwhile: its save will show the error

    def project(self) -> Project:
        """A project read afresh, as every save may have changed any fact of it; unchanged files not parsed again."""
        from library.core.config import load_config

        project = Project(load_config(self.config_path))
        project.check_files()  # a pipe saved into the project must not hang the preview
        if self._last_project is not None:
            project.adopt(self._last_project)
        self._last_project = project
        return project

    def rebuild(self, paths: Iterable[Path]) -> None:
        """Bring the site in step with the saves; on a broken file, keep the last build and show the error."""
        paths = list(paths)
        if self._last_project is not None:  # saved files are hashed again, even a save within the clock's tick
            self._last_project.forget(paths)
        try:
            project = self.project()
        except (LibraryError, OSError) as error:  # setup.cfg itself is broken, or gone
            self._failed(error, self.config_path.parent)
            return
        plan = plan_rebuild(project, self.config_path, [path for path in paths if not self._own_write(path)])
        if not plan.needed:
            return
        if not plan.pdfs:
            self.stop_pdfs()
            self._last_save = time.monotonic()
        started = time.perf_counter()
        try:
            reports, project = self._build_site(project, plan)
        except (LibraryError, OSError) as error:
            self._failed(error, project.config.root)
            return
        written = sum(len(report.rebuilt) for report in reports if report.stage == "html")
        self.report(f"{_shown(plan.paths, project.config.root)}: {written} site files rewritten "
                    f"in {time.perf_counter() - started:.2f} s")
        self._say(reports, project)
        self.preview.update(generation=self.preview.status.generation + (1 if written else 0), error="")
        self._after_pages(project, plan)

    def _remember_own(self, paths: Iterable[Path]) -> None:
        """The catalogs we just wrote, as we wrote them: their events are ours, not a save to act on."""
        for path in paths:
            self._own[path] = path.read_bytes() if path.is_file() else None

    def _own_write(self, path: Path) -> bool:
        if path not in self._own:
            return False
        written = self._own.pop(path)
        return written == (path.read_bytes() if path.is_file() else None)

    def _failed(self, error: LibraryError | OSError, root: Path) -> None:
        """Show the error on the open pages as the command line prints it; the last good build stays."""
        message = error_line(error, root)
        self.report(message)
        self.preview.update(error=message)

    def _say(self, reports: list[StageReport], project: Project) -> None:
        """The build's own lines, as `library build` prints them, unless nothing was rebuilt."""
        if any(report.rebuilt or report.withdrawn for report in reports):
            for line in report_lines(reports, project.config):
                self.report(line)

    def _build_site(self, project: Project, plan: Rebuild) -> tuple[list[StageReport], Project]:
        """The catalog steps, then the MO files and the site; the stages' reports, and the project they read."""
        from library.translations.catalogs import extract_catalogs, update_catalogs

        config = project.config
        with self._locks(config, bool(plan.papers)):
            if plan.papers:
                # A paper's edit cannot change ui.pot, nor the other papers' catalogs.
                extracted = extract_catalogs(project, interface=False, papers=tuple(sorted(plan.papers)))
                updated = update_catalogs(self.project(), (), tuple(sorted(plan.papers)))
                self._remember_own([*extracted.written, *extracted.removed, *updated.written])
                project = self.project()
            languages = tuple(code for code in plan.chosen_languages if code in config.languages)
            # The server answers searches itself; the static host's index waits for `library build`.
            reports = run_stages(project, ("compile", "html"), Selection(languages=languages), self._kept_hashes())
        return reports, project

    def _kept_hashes(self) -> dict[tuple[Any, ...], str]:
        """The input files' hashes the pipeline took before, each file's latest only: a save rehashes one file."""
        latest: dict[Path, tuple[Any, ...]] = {}
        for key in self._hashes:
            if key[0] not in latest or key[-1] > latest[key[0]][-1]:  # the latest modification time
                latest[key[0]] = key
        self._hashes = {key: self._hashes[key] for key in latest.values()}
        return self._hashes

    def _locks(self, config: Config, locales: bool) -> ExitStack:
        """The locks the commands themselves take, so a `library build` run beside us waits its turn."""
        from contextlib import ExitStack

        stack = ExitStack()
        for folder in ("locales", "build") if locales else ("build",):
            stack.enter_context(hold_lock(lock_path(config, folder), folder, "serve --watch", on_wait=self.report))
        return stack

    def _after_pages(self, project: Project, plan: Rebuild) -> None:
        """Once the pages are shown: the search index of the languages touched, then which PDFs are behind."""
        try:
            with self._locks(project.config, False):
                self._say(run_stages(project, ("index",), Selection(languages=plan.chosen_languages),
                                     self._kept_hashes()), project)
            stale, unrendered = self._pdfs_behind(project, plan.chosen_languages)
            self.preview.update(stale_pdfs=stale)
            if unrendered and unrendered != self._unrendered_pdfs:
                pause = self.pdf_pause
                when = "" if pause is None else f"in the background once the saves pause for {pause:g} s, "
                self.report(f"PDFs: {counted(len(unrendered), 'PDF')} not rendered yet; they follow {when}"
                            "or at once with `library build pdf`")
            self._unrendered_pdfs = unrendered
        except (LibraryError, OSError) as error:
            self._failed(error, project.config.root)

    def _pdfs_behind(self, project: Project, languages: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """pdfs_behind, planned again for the languages a save touched only (() for all): each plans every PDF."""
        for language in languages or project.config.all_languages:
            self._behind[language] = pdfs_behind(project, (language,))
        self._behind = {code: lists for code, lists in self._behind.items() if code in project.config.all_languages}
        return tuple(sorted(path for stale, _ in self._behind.values() for path in stale)), \
            tuple(sorted(path for _, unrendered in self._behind.values() for path in unrendered))

    def tidy(self) -> None:
        """Once the server has read the library: collect, then set what is left aside from the collector.

        Python's full collection walks every object there is: with a library of 200 papers read
        (~140 MB), one came every third save and took a quarter of a second of it. Frozen, what
        the start read is never walked again; a save's collections walk what the saves made,
        which the collector frees as before. (Freezing after each save too would freeze the
        cycles a save leaves, about 1 MB a save, until the next collection of everything.)
        """
        if self.tidy_heap and not self._tidied:
            self._tidied = True
            gc.collect()
            gc.freeze()

    # --- PDFs in the background -----------------------------------------------------------

    def pdfs_if_paused(self) -> None:
        """Start `library build pdf` when PDFs are behind and no save came for a while."""
        running = self._pdf_running()  # first, so that the end of one is noted at once
        quiet = time.monotonic() - self._last_save
        behind = self.preview.status.stale_pdfs or self._unrendered_pdfs
        if (running or self.pdf_pause is None or quiet < self.pdf_pause or not behind
                or self.preview.status.error or self._pdfs_started_after == self._last_save):
            return  # once a pause: a PDF that fails is not tried again before the next save
        self._pdfs_started_after = self._last_save
        command = [sys.executable, "-m", "library", "--config", str(self.config_path), "build", "pdf", "--jobs", "1"]
        self._pdf_process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                             start_new_session=True)
        self.preview.update(pdf_running=True)
        what = [f"{counted(len(names), 'PDF')} {state}" for names, state in (
            (self.preview.status.stale_pdfs, "older than their pages"), (self._unrendered_pdfs, "not rendered yet"))
            if names]
        self.report(f"PDFs: rendering in the background (`library build pdf`): {', '.join(what)}")

    def _pdf_running(self) -> bool:
        if self._pdf_process is None:
            return False
        if self._pdf_process.poll() is None:
            return True
        self._pdf_process = None
        self.preview.update(pdf_running=False)
        return False

    def stop_pdfs(self) -> None:
        """A save comes first: stop the background PDF build (its files are written whole or not at all)."""
        if self._pdf_running() and self._pdf_process is not None:
            os.killpg(self._pdf_process.pid, signal.SIGTERM)
            self._pdf_process.wait()
            self._pdf_process = None
            self.preview.update(pdf_running=False)


def stale_pdfs(project: Project) -> tuple[str, ...]:
    """The site paths of the published PDFs whose inputs changed since they were rendered."""
    return pdfs_behind(project)[0]


def unrendered_pdfs(project: Project) -> tuple[str, ...]:
    """The site paths of the PDFs the gate publishes that no build has rendered yet (a fresh clone has them all)."""
    return pdfs_behind(project)[1]


def pdfs_behind(project: Project, languages: tuple[str, ...] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The PDFs a `library build pdf` would render (of languages; all by default): those older than their pages,
    and those never rendered."""
    from library.model.manifest import published_pdfs
    from library.outputs.pdf.plan import plan_pdfs

    published = published_pdfs(project.config)
    pending = [job for job in plan_pdfs(project, languages).pending if not job.draft]
    stale = [SiteMap.pdf(job.language, job.slug) for job in pending if (job.language, job.slug) in published]
    unrendered = [SiteMap.pdf(job.language, job.slug) for job in pending if (job.language, job.slug) not in published]
    return tuple(sorted(stale)), tuple(sorted(unrendered))




def _shown(paths: tuple[Path, ...], root: Path) -> str:
    names = [shown(path, root) for path in paths]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def start_watching(config_path: Path, report: Callable[[str], None]) -> Preview:
    """Build what changed, then keep watching in a thread of its own; the preview the server serves."""
    import threading

    preview, ready = Preview(), threading.Event()
    thread = threading.Thread(target=watch_project, name="watch", daemon=True,
                              args=(config_path, preview, report), kwargs={"ready": ready})
    thread.start()
    ready.wait()
    return preview


def watch_project(config_path: Path, preview: Preview, report: Callable[[str], None], *,
                  pdf_pause: float | None = PDF_PAUSE_SECONDS, ready: threading.Event | None = None) -> None:
    """Watch the project until preview is closed, rebuilding after each batch of saves (run it in a thread).

    First the site is brought in step with the files as they are and what a save reads is read
    once, then ready is set. The system listens for saves only from the first batch on: a save
    made before it listened is found by the files' stamps then.
    """
    config_path = Path(config_path).resolve()
    watcher = _Watcher(config_path, preview, report, pdf_pause)
    settings = _identity(config_path)  # the setup.cfg the site was last built from
    try:
        start: dict[str, tuple[int, int, int]] | None = _stamps(_watched_paths(config_path))
    except (LibraryError, OSError):
        start = None  # a broken setup.cfg: the build says why, and its fix is a save heard
    try:
        watcher.tidy_heap = True
        watcher.rebuild([config_path])
        watcher.warm()
        watcher.tidy()
        watched = _watched_paths(config_path)
    finally:
        if ready is not None:
            ready.set()
    try:
        while not preview.closed.is_set():
            watched, settings = _watch_until_settings_replaced(watcher, config_path, watched, settings, start)
            start = None
    finally:
        watcher.stop_pdfs()
        gc.unfreeze()  # the heap is the process's again


def _watch_until_settings_replaced(watcher: _Watcher, config_path: Path, watched: list[str],
                                   settings: tuple[Any, ...], since: dict[str, tuple[int, int, int]] | None = None
                                   ) -> tuple[list[str], tuple[Any, ...]]:
    """Rebuild after each batch of saves until preview closes or setup.cfg is a new file.

    The system watches a file, not a name: once a save renames a new setup.cfg over the old
    one (`sed -i`, many editors), the old file's watch hears nothing more. So its identity is
    compared at every batch and every second with the one last built from (settings), and a
    new file is watched afresh. Returns the paths to watch next and the identity built from.
    """
    import watchfiles

    preview = watcher.preview
    existing = [path for path in watched if Path(path).exists()]  # setup.cfg may be gone, for now
    for changes in watchfiles.watch(*existing, stop_event=preview.closed, rust_timeout=1000, yield_on_timeout=True,
                                    debounce=400, step=30, raise_interrupt=False):
        saved = {Path(path) for _change, path in changes}
        if since is not None:  # the first batch, or a second without one: what was saved before we listened
            stamps = _stamps(watched)
            saved |= {Path(path) for path in since.keys() | stamps.keys() if since.get(path) != stamps.get(path)}
            since = None
        now = _identity(config_path)
        if now != settings:
            saved.add(config_path)
        try:
            if saved:
                watcher.rebuild(saved)
            watcher.pdfs_if_paused()
        except Exception as error:  # noqa: BLE001 (a bug must not end the preview: logged, shown, watched on)
            log.exception("watch mode: the rebuild failed")
            preview.update(error=f"Error: {type(error).__name__}: {error} (a bug of the library; see the log)")
        replaced = now[:2] != settings[:2]
        settings = now
        if replaced:  # another file now: watch it (and the folders it names)
            try:
                return _watched_paths(config_path), settings
            except (LibraryError, OSError):
                return watched, settings  # a broken setup.cfg is on the open pages already
    return watched, settings


def _stamps(watched: list[str]) -> dict[str, tuple[int, int, int]]:
    """Each file under the watched folders (or a watched file) with its inode, size and modification time."""
    files = [path for top in watched for path in ([top] if os.path.isfile(top) else (
        os.path.join(folder, name) for folder, _, names in os.walk(top) for name in names))]
    stamps = {}
    for path in files:
        with contextlib.suppress(OSError):  # gone meanwhile: its absence is compared
            status = os.stat(path)
            stamps[path] = (status.st_ino, status.st_size, status.st_mtime_ns)
    return stamps


def _identity(path: Path) -> tuple[int, int, int, int]:
    """(device, inode, size, modification time) of path, or zeros when it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return (0, 0, 0, 0)
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _watched_paths(config_path: Path) -> list[str]:
    """The folders and files whose saves matter, and the PDF stage's folder, for the manifest it writes."""
    from library.core.config import load_config

    config = load_config(config_path)
    pdf_folder = pdf_manifest_path(config).parent
    pdf_folder.mkdir(parents=True, exist_ok=True)
    folders = [config.papers_dir, config.locales_dir, config.templates_dir, pdf_folder]
    return [*(str(folder) for folder in folders if folder.is_dir()), str(config_path)]
