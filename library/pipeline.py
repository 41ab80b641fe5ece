"""One build pipeline: every output is a stage, the stages run in one order, and each reports alike.

A stage has a name, the inputs it reads (as names in the input ledger) and run(), which
returns a StageReport: what it wrote, left unchanged, removed, withdrew and held back. The
pipeline names, for each stage, the inputs that changed since that stage last ran, from the
ledger of every input's hash it keeps in build/state/ledger.json, and the report lines say
which outputs were rebuilt and why. `library build`, `build html|pdf`, `index`, `compile` and
watch mode all run stages through run_stages, in the order BUILD_ORDER writes once.

Adding an output: a class with name, noun, module (whose code it runs), tool (the package whose
upgrade rebuilds it, or None) and reads (the project's places it reads: papers, locales,
templates ...), and run(project, selection) -> StageReport; then it goes into STAGES and its name
into BUILD_ORDER.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from library.core.config import Config
from library.core.files import Changes
from library.core.paths import epub_manifest_path, pdf_manifest_path, shown
from library.core.words import counted
from library.model.project import Project
from library.model.stamps import code_files, distribution_version, read_state, write_state

if TYPE_CHECKING:
    from library.outputs.pdf.plan import PdfPlan

__all__ = [
    "BUILD_ORDER",
    "SITE_STAGES",
    "STAGES",
    "Selection",
    "StageReport",
    "run_stages",
    "report_lines",
    "report_json",
    "held_back",
]

_LEDGER = "ledger"
_SHOWN_CAUSES = 3  # more than this many changed inputs are summed up as "and N more"


@dataclass(frozen=True)
class Selection:
    """What a command asked for: some languages or papers, drafts, and how the PDFs run."""

    languages: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    draft: bool = False
    jobs: int | None = None
    progress: Callable[..., None] | None = None  # called once per PDF rendered, with how many there are


@dataclass
class StageReport:
    """What one stage did, output by output, and the inputs that made it rebuild."""

    stage: str
    noun: str  # what its outputs are called: "page", "PDF", "MO file", "index"
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    withdrawn: list[tuple[Path, str]] = field(default_factory=list)  # each output and why it went
    held_back: list[str] = field(default_factory=list)  # "fr/sample: 0% translated, below …"
    details: list[str] = field(default_factory=list)  # what -v adds: an index's passages and time
    notes: list[str] = field(default_factory=list)  # said always: hints about the command's options
    causes: list[str] = field(default_factory=list)  # "locales/fr/LC_MESSAGES/x.po changed"

    @property
    def rebuilt(self) -> list[Path]:
        return [*self.written, *self.removed, *(path for path, _ in self.withdrawn)]


# --- the stages ----------------------------------------------------------------------------


class CompileStage:
    name, noun, module, tool = "compile", "MO file", "library.translations.catalogs", None
    reads = ("locales",)

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.translations.catalogs import compile_catalogs

        return _report(self, compile_catalogs(project, selection.languages))


class PdfStage:
    name, noun, module, tool = "pdf", "PDF", "library.outputs.pdf.plan", "weasyprint"
    reads = ("papers", "locales", "pdf templates")
    makes = ("PDF manifest",)  # what it published, which the site and the index link

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.pdf.plan import build_pdfs, plan_pdfs

        plan = plan_pdfs(project, selection.languages, selection.papers, selection.draft)
        progress = None
        if selection.progress is not None and plan.pending:
            progress = functools.partial(selection.progress, total=len(plan.pending))
        done = build_pdfs(project, workers=selection.jobs, progress=progress, plan=plan)
        report = StageReport(self.name, self.noun, done.written, done.unchanged,
                             withdrawn=[(item.path, item.reason) for item in done.withdrawn],
                             held_back=[str(refusal) for refusal in done.refused])
        report.notes += _pdf_notes(project.config, plan, selection, bool(done.refused))
        return report


def _pdf_notes(config: Config, plan: PdfPlan, selection: Selection, held_back: bool) -> list[str]:
    from library.core.paths import pdf_folder

    if selection.draft and not any(job.draft for job in plan.jobs):
        return [f"no paper is below the threshold of {config.threshold:g}%: nothing to draft, every PDF is published"]
    if held_back and not selection.draft:
        folder = pdf_folder(config, draft=True).relative_to(config.root).as_posix()
        return [f"(`library build pdf --draft` renders what is held back, marked as drafts, into {folder}/)"]
    return []


class EpubStage:
    name, noun, module, tool = "epub", "EPUB", "library.outputs.epub.books", "pillow"
    reads = ("papers", "locales", "epub templates", "PDF manifest")  # the PDFs' page maps, for the page lists
    makes = ("EPUB manifest",)  # what it published, which the site links

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.epub.books import build_epubs

        done = build_epubs(project, selection.languages, selection.papers, selection.draft)
        return StageReport(self.name, self.noun, done.written, done.unchanged,
                           withdrawn=[(item.path, item.reason) for item in done.withdrawn],
                           held_back=[str(refusal) for refusal in done.refused])


class SiteStage:
    name, noun, module, tool = "html", "page", "library.outputs.site.html", None
    every_language = True  # a --lang selection does not narrow it: it renders every language
    reads = ("papers", "locales", "templates", "PDF manifest", "EPUB manifest")

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.site.html import build_html

        return _report(self, build_html(project))


class StaticSearchStage:
    name, noun, module, tool = "static_search", "static search", "library.outputs.static_search.pagefind", \
        "pagefind-bin"
    every_language = True  # one Pagefind index holds every language
    reads = ("papers", "locales", "PDF manifest")

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.static_search.pagefind import build_static_search

        return _report(self, build_static_search(project))


class SitemapStage:
    name, noun, module, tool = "sitemap", "sitemap file", "library.outputs.sitemap.sitemap", None
    every_language = True  # one sitemap names every language
    reads = ("papers", "locales")

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.sitemap.sitemap import NEEDS_SITE_URL, build_sitemap

        report = _report(self, *build_sitemap(project), why="site_url is not set in setup.cfg")
        if not project.config.site_url:
            report.notes.append(NEEDS_SITE_URL)
        return report


class CitationsStage:
    name, noun, module, tool = "citations", "citation file", "library.outputs.citations.files", None
    every_language = True
    reads = ("papers", "locales", "PDF manifest")

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.citations.files import build_citations

        return _report(self, *build_citations(project), why="its paper is no longer published in that language")


class FeedsStage:
    name, noun, module, tool = "feeds", "feed", "library.outputs.feeds.atom", None
    every_language = True
    reads = ("papers", "locales", "PDF manifest")

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.feeds.atom import build_feeds

        return _report(self, *build_feeds(project), why="no paper is published in that language any more")


class CardsStage:
    name, noun, module, tool = "cards", "card", "library.outputs.cards.card", "pillow"
    every_language = True
    reads = ("papers", "locales")

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.cards.card import build_cards

        return _report(self, *build_cards(project), why="its paper is no longer published in that language")


class IndexStage:
    name, noun, module, tool = "index", "index", "library.outputs.search.index", "whoosh-reloaded"
    reads = ("papers", "locales", "PDF manifest")

    def run(self, project: Project, selection: Selection) -> StageReport:
        from library.outputs.search.index import build_index

        report = StageReport(self.name, self.noun)
        root = project.config.root
        for index in build_index(project, selection.languages):
            if index.withdrawn:
                report.withdrawn.append((index.path, "its language was removed from setup.cfg"))
                continue
            (report.written if index.rebuilt else report.unchanged).append(index.path)
            done = f"in {index.seconds:.2f} s" if index.rebuilt else "unchanged"
            report.details.append(f"{index.path.relative_to(root).as_posix()}: {index.documents} passages {done} "
                                  f"({index.analysis})")
        return report


def _report(stage: Stage, changes: Changes, withdrawn: Iterable[Path] = (), why: str = "") -> StageReport:
    """A stage's report from what its writer changed, and the files it withdrew, all for one reason."""
    return StageReport(stage.name, stage.noun, changes.written, changes.unchanged, changes.removed,
                       withdrawn=[(path, why) for path in withdrawn])


# Any of the stages: each has its name, noun, module, tool, reads and run().
Stage = (CompileStage | PdfStage | EpubStage | SiteStage | StaticSearchStage | SitemapStage | CitationsStage
         | FeedsStage | CardsStage | IndexStage)

STAGES = {stage.name: stage for stage in (CompileStage(), PdfStage(), EpubStage(), SiteStage(), StaticSearchStage(),
                                          SitemapStage(), CitationsStage(), FeedsStage(), CardsStage(),
                                          IndexStage())}
# The PDFs before the EPUBs, whose page lists are the PDFs' pages; both before the site, which
# links what they published; both search indexes after the PDFs, whose pages their results link too.
BUILD_ORDER = ("compile", "pdf", "epub", "html", "static_search", "sitemap", "citations", "feeds", "cards", "index")
# What `library build html` runs: the site and what the other stages write into its folder.
SITE_STAGES = ("html", "static_search", "sitemap", "citations", "feeds", "cards")


def run_stages(project: Project, names: Iterable[str], selection: Selection = Selection(),
               hashes: dict[tuple[Any, ...], str] | None = None) -> list[StageReport]:
    """Run the named stages in the build order; each report names the inputs that changed since that stage last ran.

    hashes: the input files' hashes by (path, size, time), which a long-lived process keeps from run to run.
    """
    config = project.config
    wanted = set(names)
    reports = []
    made_by: dict[str, list[str]] = {}  # a file an earlier stage of this run wrote -> that stage's causes
    hashes = {} if hashes is None else hashes  # the stages read the same sources and catalogs: each is hashed once
    project.known()  # the gate's figures from the last build's record: a catalog is parsed when it changed
    recorded = read_state(config, _LEDGER)  # once: only this loop writes it (0.7 MB at 200 papers)
    for name in (name for name in BUILD_ORDER if name in wanted):
        stage = STAGES[name]
        ledger = _stage_ledger(config, stage, hashes)  # just before it runs: the PDF manifest may be new
        report = stage.run(project, selection)
        report.causes = _first_causes(changed_inputs(recorded.get(name), ledger), made_by)
        recorded[name] = _kept_for_the_rest(stage, recorded.get(name) or {}, ledger, selection, config)
        write_state(config, _LEDGER, recorded)
        for place in getattr(stage, "makes", ()):
            made_by[_place_name(config, place)] = report.causes
        reports.append(report)
    return reports


def _first_causes(causes: list[str], made_by: dict[str, list[str]]) -> list[str]:
    """A file an earlier stage just wrote changed because of that stage's inputs: name those instead."""
    first: list[str] = []
    for cause in causes:
        for named in made_by.get(cause.rsplit(" ", 1)[0], [cause]):
            if named not in first:
                first.append(named)
    return first


# --- the ledger: every input by name ---------------------------------------------------------


def _stage_ledger(config: Config, stage: Stage, hashes: dict[tuple[Any, ...], str]) -> dict[str, str]:
    """The inputs stage reads, by name, each with a short hash of its bytes or its value."""
    ledger = {f"setting {name}": _short(value) for name, value in _settings(config).items()}
    for place in stage.reads:
        ledger.update(_files_under(config.root, _places(config)[place], hashes))
    package = Path(__file__).parent
    for path in code_files(stage.module):
        ledger[f"library/{path.relative_to(package).as_posix()}"] = _file_hash(str(path), path.stat(), hashes)
    if stage.tool:
        ledger[f"tool {stage.tool}"] = _short(distribution_version(stage.tool))
    return ledger


def _places(config: Config) -> dict[str, Path]:
    """The project's places a stage may read, by the names stages use for them."""
    return {"papers": config.papers_dir, "locales": config.locales_dir, "templates": config.templates_dir,
            "pdf templates": config.templates_dir / "pdf", "PDF manifest": pdf_manifest_path(config),
            "epub templates": config.templates_dir / "epub", "EPUB manifest": epub_manifest_path(config)}


def _place_name(config: Config, place: str) -> str:
    return shown(_places(config)[place], config.root)


def _settings(config: Config) -> dict[str, object]:
    return {"source_language": config.source_language, "languages": " ".join(config.languages),
            "threshold": config.threshold, "site_url": config.site_url}


def _files_under(root: Path, start: Path, hashes: dict[tuple[Any, ...], str]) -> dict[str, str]:
    """Each regular file under start (or start itself), by its name from root; hidden files are no input.

    Walked with os.walk (as rglob walks: links to folders not followed): a save in watch mode walks
    every catalog, and pathlib's objects cost more than the walk.
    """
    paths = [str(start)] if start.is_file() else sorted(os.path.join(folder, name) for folder, _, names in
                                                         os.walk(start) for name in names) if start.is_dir() else []
    prefix = str(root).rstrip("/") + "/"
    ledger = {}
    for path in paths:
        name = path.removeprefix(prefix)
        if any(part.startswith(".") for part in name.split("/")):
            continue
        with contextlib.suppress(FileNotFoundError):  # gone since the walk: no input
            status = os.stat(path)
            if S_ISREG(status.st_mode):
                ledger[name] = _file_hash(path, status, hashes)
    return ledger


def _file_hash(path: str, status: os.stat_result, hashes: dict[tuple[Any, ...], str]) -> str:
    """path's short hash, read once per run while its size and time are those it had (a stage may rewrite it)."""
    key = (path, status.st_size, status.st_mtime_ns)
    if key not in hashes:
        with open(path, "rb") as file:
            hashes[key] = _short(file.read())
    return hashes[key]


def _short(value: object) -> str:
    data = value if isinstance(value, bytes) else repr(value).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def _kept_for_the_rest(stage: Stage, before: dict[str, str], now: dict[str, str], selection: Selection,
                       config: Config) -> dict[str, str]:
    """The ledger to record: now, except the catalogs of languages the selection left alone."""
    if not selection.languages or getattr(stage, "every_language", False):
        return now
    others = tuple(f"{_place_name(config, 'locales')}/{language}/"
                   for language in config.languages if language not in selection.languages)
    kept = {name: value for name, value in now.items() if not name.startswith(others)}
    kept.update({name: value for name, value in before.items() if name.startswith(others)})
    return kept


def changed_inputs(before: dict[str, str] | None, now: dict[str, str]) -> list[str]:
    """What changed between two ledgers, as the build says it: 'templates/paper.html changed'."""
    if before is None:
        return ["no earlier build"]
    settings = sorted(name.removeprefix("setting ") for name in now
                      if name.startswith("setting ") and before.get(name) != now[name])
    causes = [f"settings changed: {', '.join(settings)}"] if settings else []
    for name in sorted({*before, *now}):
        if name.startswith("setting ") or before.get(name) == now.get(name):
            continue
        what = "added" if name not in before else "removed" if name not in now else "changed"
        causes.append(f"{name.removeprefix('tool ')} {'upgraded' if name.startswith('tool ') else what}")
    return causes


# --- what the build says -------------------------------------------------------------------


def report_lines(reports: list[StageReport], config: Config, *, verbose: bool = False) -> list[str]:
    """The build's lines: what was rebuilt and why, grouped by language, then what was held back or withdrawn."""
    lines = _rebuilt_lines(reports, config)
    if not lines:
        unchanged = sum(len(report.unchanged) for report in reports)
        lines = [f"nothing to do: every output is up to date ({unchanged} unchanged)"]
    lines += [f"held back {item}" for item in held_back(reports)]
    for report in reports:
        lines += [f"withdrew {shown(path, config.root)}: {reason}" for path, reason in report.withdrawn]
        lines += report.notes
        if verbose:
            lines += [f"wrote {shown(path, config.root)}" for path in report.written]
            lines += [f"removed {shown(path, config.root)}" for path in report.removed]
            lines += report.details
    return [*lines, _totals(reports)]


def held_back(reports: list[StageReport]) -> list[str]:
    """What the gate held back, each paper and language once: the PDF and EPUB stages hold back the same."""
    return list(dict.fromkeys(item for report in reports for item in report.held_back))


def _totals(reports: list[StageReport]) -> str:
    def total(field: str) -> int:
        return sum(len(getattr(report, field)) for report in reports)

    return (f"{total('written')} written, {total('unchanged')} unchanged, {total('removed')} removed; "
            f"{len(held_back(reports))} held back, {total('withdrawn')} withdrawn")


def _rebuilt_lines(reports: list[StageReport], config: Config) -> list[str]:
    """'fr: 6 pages, 2 PDFs, index (locales/fr/… changed)' per language; one line for a change every language shares."""
    groups: dict[str | None, tuple[dict[str, int], list[str]]] = {}
    for report in reports:
        for path in report.rebuilt:
            language, why = _attributed(report, path, config)
            counts, causes = groups.setdefault(language, ({}, []))
            noun = _noun(report, path)
            counts[noun] = counts.get(noun, 0) + 1
            causes += [cause for cause in why if cause not in causes]
    return [_group_line(language, counts, causes, reports) for language, (counts, causes) in
            sorted(groups.items(), key=lambda item: (item[0] is not None, item[0] or ""))]


def _attributed(report: StageReport, path: Path, config: Config) -> tuple[str | None, list[str]]:
    """The line an output goes on (a language's, or None: the one every language shares) and its causes.

    A change of one language's catalogs puts all it rebuilt on that language's line, even the
    English side-by-side page that shows the French; a change every language reads, on the shared one.
    """
    if not report.causes:
        return None, ["outputs missing or changed by hand"]
    languages = {cause: _language_of_input(cause, config) for cause in report.causes}
    if None in languages.values():
        return None, report.causes
    if len(set(languages.values())) == 1:
        return next(iter(languages.values())), report.causes
    language = _language_of_output(path, config)
    if language in languages.values():
        return language, [cause for cause, of in languages.items() if of == language]
    return None, report.causes


def _group_line(language: str | None, counts: dict[str, int], causes: list[str], reports: list[StageReport]) -> str:
    everything = language is None and not any(report.unchanged for report in reports)
    what = "everything" if everything else ", ".join(_counted(noun, n) for noun, n in counts.items())
    more = len(causes) - _SHOWN_CAUSES
    shown = causes[:_SHOWN_CAUSES] + ([f"and {more} more"] if more > 0 else [])
    return f"{language + ': ' if language else ''}{what} ({'; '.join(shown)})"


def _noun(report: StageReport, path: Path) -> str:
    if report.stage == "html" and path.suffix != ".html":
        return "site file"
    return report.noun


def _counted(noun: str, n: int) -> str:
    if noun == "index":
        return "index" if n == 1 else counted(n, noun, "indexes")
    if noun == "static search":  # Pagefind's many files are one index, counted once
        return noun
    return counted(n, noun)


def _language_of_input(cause: str, config: Config) -> str | None:
    """The language a changed input belongs to (a catalog of it), or None for one every language reads."""
    locales = _place_name(config, "locales")
    parts = cause.split(" ", 1)[0].split("/")
    if cause.startswith(f"{locales}/") and len(parts) > 2 and parts[1] in config.all_languages:
        return parts[1]
    return None


def _language_of_output(path: Path, config: Config) -> str | None:
    """The language an output is in, from its place: build/html/fr/…, build/pdf/fr/…, build/index/fr."""
    parts = path.relative_to(config.build_dir).parts if path.is_relative_to(config.build_dir) else ()
    return parts[1] if len(parts) > 1 and parts[1] in config.all_languages else None


def report_json(reports: list[StageReport], config: Config) -> list[dict[str, Any]]:
    """The same as the lines, for tools: per stage, every output by what happened to it, and the causes."""
    def listed(paths: Iterable[Path]) -> list[str]:
        return [shown(path, config.root) for path in paths]

    return [{"stage": report.stage, "causes": report.causes, "written": listed(report.written),
             "unchanged": listed(report.unchanged), "removed": listed(report.removed),
             "withdrawn": [{"path": shown(path, config.root), "reason": reason} for path, reason in report.withdrawn],
             "held_back": report.held_back} for report in reports]
