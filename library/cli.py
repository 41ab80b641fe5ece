"""The `library` command: thin wrappers that load the project once, call one function, report."""
from __future__ import annotations

import functools
import json
import math
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from library import __version__
from library.core.errors import ChecksFailed, LibraryError, error_line
from library.core.paths import shown, shown_at
from library.core.words import counted

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from library.core.files import Changes
    from library.model.project import Project
    from library.pipeline import Selection, StageReport
    from library.serving.watch import Preview
    from library.translations.catalogs import CatalogUpdate

__all__ = ["main"]
_Command = TypeVar("_Command", bound=Callable[..., Any])  # a command, or its function, as options decorate it


class _Group(click.Group):
    """Turn library errors into `Error: ...` and their exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LibraryError as error:
            click.echo(error_line(error, _root(ctx)), err=True)
            sys.exit(error.exit_code)
        except OSError as error:
            click.echo(error_line(error, _root(ctx)), err=True)
            sys.exit(1)


def _root(ctx: click.Context) -> Path:
    """The project's folder, which every path printed is shown from."""
    obj = ctx.obj or {}
    if "project" in obj:
        return Path(obj["project"].config.root)
    if obj.get("config_path"):
        return Path(obj["config_path"]).resolve().parent
    return Path.cwd()


def _project(ctx: click.Context) -> Project:
    """The project, loaded on first use and shared by every command a `library build` runs."""
    from library.model.project import load_project

    if "project" not in ctx.obj:
        ctx.obj["project"] = load_project(ctx.obj.get("config_path"))
    return cast("Project", ctx.obj["project"])


def _writing(ctx: click.Context, folder: str) -> None:
    """Hold folder's lock ('build' or 'locales') until the command ends, saying so if another writer makes us wait."""
    from library.core.lock import hold_lock
    from library.core.paths import lock_path

    root = ctx.find_root()
    held = root.obj.setdefault("locks", set())
    if folder in held:  # `library build` runs compile, PDFs, site and index under one lock
        return
    path = lock_path(_project(ctx).config, folder)
    command = " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
    root.with_resource(hold_lock(path, folder, command, wait=not root.obj.get("no_wait"),
                                 on_wait=lambda message: click.echo(message, err=True)))
    held.add(folder)


def _report(changes: Changes, root: Path) -> None:
    for verb, paths in (("wrote", changes.written), ("removed", changes.removed)):
        for path in paths:
            click.echo(f"{verb} {shown(path, root)}")
    click.echo(f"{len(changes.written)} written, {len(changes.unchanged)} unchanged")


# One vocabulary for every command: -l/--lang, -p/--paper, -f/--format, wherever they make sense.
_lang_option = click.option(
    "--lang", "-l", "languages", multiple=True, metavar="L", help="Only this language (repeat for several)."
)


def _paper_option(*, ui: bool = True) -> Callable[[_Command], _Command]:
    """-p/--paper SLUG, repeatable; 'ui' (the interface catalog) where the command reads catalogs."""
    also = ", or 'ui'" if ui else ""
    return click.option("--paper", "-p", "papers", multiple=True, metavar="SLUG",
                        help=f"Only this paper{also} (repeat for several).")


def _format_option(*choices: str) -> Callable[[_Command], _Command]:
    return click.option("--format", "-f", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
                        help="How to print the result.")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="library")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="The setup.cfg to use (default: the nearest one with a [library] section).")
@click.option("--no-wait", is_flag=True,
              help="Fail (exit 9) instead of waiting when another command is writing build/ or locales/.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, no_wait: bool) -> None:
    """Build, translate and check the Migration Justice briefing library."""
    ctx.ensure_object(dict).update(config_path=config_path, no_wait=no_wait)


@main.command()
@click.pass_context
def extract(ctx: click.Context) -> None:
    """Write locales/<paper>.pot and <paper>.anchors.json for each paper, and locales/ui.pot."""
    from library.translations.catalogs import extract_catalogs

    _writing(ctx, "locales")
    project = _project(ctx)
    _report(extract_catalogs(project), project.config.root)


@main.command()
@_lang_option
@click.pass_context
def update(ctx: click.Context, languages: tuple[str, ...]) -> None:
    """Create or update the PO files from the POT files, keeping every translation; new entries are
    pre-filled (fuzzy) from the translation memory, and each catalog says what changed."""
    from library.translations.catalogs import CatalogUpdate, update_catalogs

    _writing(ctx, "locales")
    project = _project(ctx)
    report = update_catalogs(project, languages)
    root = project.config.root
    for item in report.catalogs:
        if item.path in report.written:
            details = _update_details(item)
            click.echo(f"wrote {shown(item.path, root)}" + (f": {details}" if details else ""))
    total = _update_details(sum(report.catalogs, CatalogUpdate(Path())), zeros=True)
    click.echo(f"{len(report.written)} written, {len(report.unchanged)} unchanged; {total}")


def _update_details(item: CatalogUpdate, *, zeros: bool = False) -> str:
    """ "3 new (2 pre-filled from the memory), 1 outdated": what changed in a catalog, or in all."""
    new = f"{item.new} new" + (f" ({item.prefilled} pre-filled from the memory)" if item.prefilled else "")
    parts = [(item.new, new), (item.outdated, f"{item.outdated} outdated"),
             (item.obsolete, f"{item.obsolete} obsolete"), (item.revived, f"{item.revived} revived")]
    return ", ".join(text for count, text in parts if count or zeros)


@main.command()
@click.argument("old")
@click.argument("new")
@click.pass_context
def rename(ctx: click.Context, old: str, new: str) -> None:
    """Rename the paper OLD to NEW: its source and slug, its catalogs and its anchor record, so its
    translations stay translated and its passages keep their ids; then extract and update.
    Also after a rename by hand (git mv and a new slug): it moves what is left."""
    from library.model.project import load_project
    from library.translations.catalogs import extract_catalogs, update_catalogs
    from library.translations.renaming import rename_paper

    _writing(ctx, "locales")
    project = _project(ctx)
    root = project.config.root
    for before, after in rename_paper(project, old, new):
        click.echo(f"moved {shown(before, root)} -> {shown(after, root)}")
    renamed = ctx.obj["project"] = load_project(ctx.obj.get("config_path"))
    extract_catalogs(renamed)
    report = update_catalogs(renamed, (), (new,))
    click.echo(f"extracted and updated: {len(report.written)} catalogs of {new} written")


@main.command()
@click.argument("text")
@click.option("--lang", "-l", "language", required=True, metavar="L", help="The language of the translations.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50), help="At most this many.")
@click.pass_context
def memory(ctx: click.Context, text: str, language: str, limit: int) -> None:
    """The translations of the English closest to TEXT in every catalog of a language, best first."""
    from library.translations.catalogs import language_memory
    from library.translations.memory import MEMORY_SIMILARITY

    project = _project(ctx)
    (language,) = project.select_languages((language,), targets_only=True)
    matches = language_memory(project, language).matches(text, limit=limit)
    root = project.config.root
    for match in matches:
        where = shown_at(match.recollection.path, match.recollection.line, root)
        click.echo(f"{math.floor(match.similarity * 100)}%  {where}")
        click.echo(f"     {match.recollection.source}")
        click.echo(f"     {match.recollection.translation}")
    click.echo(f"{len(matches)} {'match' if len(matches) == 1 else 'matches'} at or above "
               f"{math.floor(MEMORY_SIMILARITY * 100)}% alike")


_verbose_option = click.option("-v", "--verbose", is_flag=True,
                               help="Also list every output written or removed, and each index's figures.")
def _as_json(ctx: click.Context, _param: click.Parameter, value: object) -> None:
    if value in ("json", True):  # -f json and --json are one request, remembered for the whole command
        ctx.meta["json"] = True


def _json_option(command: _Command) -> _Command:
    """-f/--format json (or --json): what each stage did, as JSON for tools."""
    command = click.option("--json", is_flag=True, expose_value=False, callback=_as_json,
                           help="The same as --format json.")(command)
    return click.option("-f", "--format", type=click.Choice(["text", "json"]), default="text", show_default=True,
                        expose_value=False, callback=_as_json, help="Say what each stage did as text or JSON.")(command)


@main.command(name="compile")
@_lang_option
@_verbose_option
@_json_option
@click.pass_context
def compile_(ctx: click.Context, languages: tuple[str, ...], verbose: bool) -> None:
    """Compile the PO files to MO files in the build folder (fuzzy entries left out)."""
    from library.pipeline import Selection

    _run_stages(ctx, ("compile",), Selection(languages=languages), verbose)


def _run_stages(ctx: click.Context, names: tuple[str, ...], selection: Selection, verbose: bool) -> list[StageReport]:
    """Run stages of the one pipeline and print what they rebuilt and why (or JSON); return their reports."""
    from library.pipeline import report_json, report_lines, run_stages

    _writing(ctx, "build")
    project = _project(ctx)
    verbose, as_json = verbose or ctx.obj.get("verbose", False), ctx.meta.get("json", False)
    reports = run_stages(project, names, selection)
    if as_json:
        click.echo(json.dumps(report_json(reports, project.config), ensure_ascii=False, indent=1))
    else:
        for line in report_lines(reports, project.config, verbose=verbose):
            click.echo(line)
    return reports


_strict_option = click.option("--strict", is_flag=True,
                              help="Exit with code 6 when the gate holds anything back (for CI).")


@main.group(invoke_without_command=True)
@_strict_option
@_verbose_option
@_json_option
@click.pass_context
def build(ctx: click.Context, strict: bool, verbose: bool) -> None:
    """Build the library; with no subcommand, everything: MO files, PDFs, EPUBs, the site and the search index.

    What passes the gate is published; what does not is held back and listed, and the build
    still succeeds unless --strict is given. Each line names what was rebuilt and the input
    that changed.
    """
    ctx.obj.update(strict=strict, verbose=verbose)
    _writing(ctx, "build")
    if ctx.invoked_subcommand is None:
        from library.pipeline import BUILD_ORDER, Selection

        reports = _run_stages(ctx, BUILD_ORDER, Selection(), verbose)
        _held_back_is_an_error(reports, strict)


def _held_back_is_an_error(reports: list[StageReport], strict: bool) -> None:
    from library.core.errors import IncompleteTranslation
    from library.pipeline import held_back

    held = len(held_back(reports))  # a paper the gate holds back is held back as PDF and EPUB alike
    if strict and held:
        raise IncompleteTranslation(f"{counted(held, 'PDF')} held back by the gate (--strict)")


@build.command(name="html")
@_verbose_option
@_json_option
@click.pass_context
def build_html(ctx: click.Context, verbose: bool) -> None:
    """Render every paper in every language to build/html, with the search index a static host serves."""
    from library.pipeline import SITE_STAGES, Selection

    _run_stages(ctx, SITE_STAGES, Selection(), verbose)


def _gated(command: _Command) -> _Command:
    """The options of a build the gate judges (PDFs, EPUBs): -l, -p, --draft, --strict, -v and -f."""
    draft = click.option("--draft", is_flag=True, help="Render papers below the threshold too, marked as drafts.")
    decorated: Callable[..., Any] = command
    for option in (click.pass_context, _json_option, _verbose_option, _strict_option, draft, _paper_option(ui=False),
                   _lang_option):
        decorated = option(decorated)
    return cast(_Command, decorated)


@build.command(name="pdf")
@_gated
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Parallel renders (default: one per core).")
@click.option("--validate", is_flag=True,
              help="Then check every PDF of the build against PDF/UA-1 with veraPDF (needs a JDK); exit code 8 "
                   "if one fails.")
def build_pdf(ctx: click.Context, languages: tuple[str, ...] = (), papers: tuple[str, ...] = (), draft: bool = False,
              jobs: int | None = None, validate: bool = False, strict: bool = False, verbose: bool = False) -> None:
    """Render a PDF of each paper and a volume of the series per language into build/pdf.

    Papers below the threshold are held back: listed, not rendered. With --validate, veraPDF
    then checks each PDF the build published (or left unchanged) against PDF/UA-1.
    """
    from library.outputs.pdf.typeset import PDF_PROFILE
    from library.pipeline import Selection

    if validate:  # before rendering anything, say if veraPDF cannot run here
        from library.outputs.pdf.conformance import validator_command

        validator_command(PDF_PROFILE)
    with _ProgressBar("PDF") as progress:
        selection = Selection(languages=languages, papers=papers, draft=draft, jobs=jobs, progress=progress)
        reports = _run_stages(ctx, ("pdf",), selection, verbose)
    if validate:
        _validate_pdfs([*reports[0].written, *reports[0].unchanged], _project(ctx).config.root)
    _held_back_is_an_error(reports, strict or ctx.obj.get("strict", False))


@build.command(name="epub")
@_gated
def build_epub(ctx: click.Context, strict: bool, verbose: bool, **chosen: Any) -> None:
    """Make an EPUB 3 of each paper and a volume per language into build/epub, after the PDFs whose pages they list."""
    from library.pipeline import Selection

    with _ProgressBar("PDF") as progress:  # chosen: the languages, papers and drafts asked for
        reports = _run_stages(ctx, ("pdf", "epub"), Selection(**chosen, progress=progress), verbose)
    _held_back_is_an_error(reports, strict or ctx.obj.get("strict", False))


class _ProgressBar:
    """A progress bar on standard error, shown from the first step on: nothing to do shows nothing."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: ProgressBar[int] | None = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def __exit__(self, *failure: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*failure)


def _validate_pdfs(paths: list[Path], root: Path) -> None:
    """Print each rule of the profile that a PDF fails, as veraPDF reports it; raise ChecksFailed if one does."""
    from library.core.errors import ChecksFailed
    from library.outputs.pdf.conformance import PROFILES, validate_pdfs
    from library.outputs.pdf.typeset import PDF_PROFILE

    profile = PROFILES[PDF_PROFILE]
    click.echo(f"veraPDF: validating {counted(len(paths), 'PDF')} against {profile}", err=True)
    failing = {path: failures for path, failures in validate_pdfs(sorted(paths), PDF_PROFILE).items() if failures}
    for path, failures in failing.items():
        for failure in failures:
            click.echo(f"{shown(path, root)}: rule {failure.rule}: {failure.message} "
                       f"({counted(failure.count, 'time')}, first at {failure.where or 'the document'})")
    if failing:
        verb = "fails" if len(failing) == 1 else "fail"
        raise ChecksFailed(f"{counted(len(failing), 'PDF')} of {len(paths)} {verb} {profile} (veraPDF)")
    click.echo(f"veraPDF: {counted(len(paths), 'PDF')} conform to {profile}")


@build.command(name="index")
@_lang_option
@_verbose_option
@_json_option
@click.pass_context
def build_index(ctx: click.Context, languages: tuple[str, ...], verbose: bool) -> None:
    """Build the search index of each language in build/index (same as `library index`)."""
    from library.pipeline import Selection

    _run_stages(ctx, ("index",), Selection(languages=languages), verbose)


main.add_command(build_index, name="index")


@main.command(name="search")
@click.argument("query")
@click.option("--lang", "-l", "language", metavar="L", help="The reader's language (default: the source language).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200), help="At most this many passages.")
@_format_option("text", "json")
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.pass_context
def search_command(ctx: click.Context, query: str, language: str | None, limit: int, fmt: str, as_json: bool) -> None:
    """Search the papers, e.g. library search 'declaracion de progresos' --lang es."""
    from library.outputs.results import results_json, results_text
    from library.outputs.search.engine import SearchEngine

    project = _project(ctx)
    results = SearchEngine().search(project, query, language or project.config.source_language, limit)
    as_json = as_json or fmt == "json"
    bold = functools.partial(click.style, bold=True)
    click.echo(results_json(results) if as_json else results_text(results, bold), nl=not as_json)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--watch", is_flag=True,
              help="Rebuild what changed on every save of papers/, locales/, templates/ or setup.cfg, and "
                   "reload the open pages (PDFs in the background when the saves pause).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, watch: bool) -> None:
    """Serve the built site (run `library build html` first, or serve with --watch)."""
    from library.core.paths import SiteMap, site_folder
    from library.serving.web import serve as serve_site

    project = _project(ctx)
    config = project.config
    site = site_folder(config)
    preview = _start_watching(ctx) if watch else None
    try:
        if not (site / SiteMap.home(config.source_language)).is_file():
            raise LibraryError(f"{shown(site, config.root)}: no site built yet; run `library build html` first")
        serve_site(project, host, port, preview=preview,
                   on_ready=lambda url: click.echo(f"Serving {shown(site, config.root)} on {url} (Ctrl+C to stop)"))
    finally:
        if preview is not None:
            preview.close()


def _start_watching(ctx: click.Context) -> Preview:
    """Build what changed, then keep watching in a thread; each rebuild is one line on the terminal."""
    from library.core.config import find_config
    from library.serving.watch import start_watching

    config_path = ctx.obj.get("config_path") or find_config()
    preview = start_watching(config_path, click.echo)
    config, root = _project(ctx).config, _root(ctx)
    folders = ", ".join(f"{shown(f, root)}/" for f in (config.papers_dir, config.locales_dir, config.templates_dir))
    click.echo(f"Watching {folders} and {shown(Path(config_path).resolve(), root)}")
    return preview


# --- translators' reports ------------------------------------------------------------------

@main.command()
@_lang_option
@_paper_option()
@_format_option("table", "json", "csv")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT",
              help="Exit with code 6 if a catalog has less than PCT% of its messages translated.")
@click.pass_context
def status(ctx: click.Context, languages: tuple[str, ...], papers: tuple[str, ...], fmt: str,
           fail_under: float | None) -> None:
    """How much is translated, per paper and language, in messages and words (as pocount counts)."""
    from library.quality.reports import check_threshold, project_status, render_status

    project = _project(ctx)
    statuses = project_status(project, languages, papers)
    click.echo(render_status(statuses, fmt, project.config.root), nl=False)
    check_threshold(statuses, fail_under)


@main.command()
@click.argument("language", required=False, metavar="[LANG]")
@click.argument("paper", required=False, metavar="[PAPER]")
@_lang_option
@_paper_option()
@_format_option("text", "json")
@click.pass_context
def missing(ctx: click.Context, language: str | None, paper: str | None, languages: tuple[str, ...],
            papers: tuple[str, ...], fmt: str) -> None:
    """List the untranslated and fuzzy texts (of every language, or LANG), with their PO and source lines.

    `library missing fr PAPER` is the same as `library missing --lang fr --paper PAPER`.
    """
    from library.quality.reports import missing_segments, render_missing, render_missing_json

    project = _project(ctx)
    chosen = project.select_languages((*languages, *filter(None, [language])), targets_only=True)
    papers = (*papers, *filter(None, [paper]))
    found = {code: missing_segments(project, code, papers) for code in chosen}
    if fmt == "json":
        click.echo(render_missing_json(found, project.config.root))
        return
    width = shutil.get_terminal_size().columns - 1
    for code, segments in found.items():
        click.echo(render_missing(segments, code, project.config.root, width), nl=False)


@main.command()
@_lang_option
@_paper_option()
@_format_option("text", "json")
@click.option("--strict", is_flag=True, help="Exit with code 8 on warnings too, not only on errors.")
@click.pass_context
def check(ctx: click.Context, languages: tuple[str, ...], papers: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check the translations: markup, links, numbers, punctuation, French spacing, terminology."""
    from library.quality.checks import check_outcome, check_project, render_problems

    project = _project(ctx)
    problems = check_project(project, languages, papers)
    click.echo(render_problems(problems, fmt, project.config.root, strict), nl=False)
    try:
        check_outcome(problems, strict)
    except ChecksFailed as failed:
        sys.exit(failed.exit_code)  # the summary line above has said it, on the same stream


# --- translators' own tools: XLIFF, TMX, TBX ---------------------------------------------

_output_option = click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=".",
                              show_default=True, metavar="DIR", help="The folder to write into.")


@main.group(name="export")
def export_group() -> None:
    """Write catalogs, the translation memory or the glossary for a CAT tool (XLIFF, TMX, TBX)."""


@export_group.command(name="xliff")
@_lang_option
@_paper_option()
@_output_option
@click.pass_context
def export_xliff(ctx: click.Context, languages: tuple[str, ...], papers: tuple[str, ...], output: Path) -> None:
    """One XLIFF 1.2 file per catalog, DIR/<paper>.<lang>.xlf, to translate in a CAT tool."""
    from library.translations.xliff import export_xliff as export

    project = _project(ctx)
    written = export(project, languages, papers, output)
    for path, counts in written:
        review, untranslated = counts["needs-review-translation"], counts["needs-translation"]
        click.echo(f"wrote {shown(path, Path.cwd())}: {counts['translated']} translated, "
                   f"{review} to review (fuzzy), {untranslated} untranslated")
    click.echo(f"{counted(len(written), 'file')} written; bring them back with `library import FILE...`")


@export_group.command(name="tmx")
@_lang_option
@_output_option
@click.pass_context
def export_tmx(ctx: click.Context, languages: tuple[str, ...], output: Path) -> None:
    """The translation memory of each language (every translated entry) as TMX 1.4b, DIR/memory.<lang>.tmx."""
    from library.translations.tmx import export_tmx as export

    for path, units in export(_project(ctx), languages, output):
        click.echo(f"wrote {shown(path, Path.cwd())}: {counted(units, 'unit')}")


@export_group.command(name="tbx")
@_output_option
@click.pass_context
def export_tbx(ctx: click.Context, output: Path) -> None:
    """The glossary as TBX-Basic, DIR/glossary.tbx: official terms preferred, variants admitted, avoided deprecated."""
    from library.translations.tbx import export_tbx as export

    path, entries = export(_project(ctx), output)
    click.echo(f"wrote {shown(path, Path.cwd())}: {entries} term {'entry' if entries == 1 else 'entries'}")


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Take translations back from XLIFF files and outside memories from TMX files.

    XLIFF: each changed target replaces its entry's translation (fuzzy unless the unit's state
    says translated or final); nothing is written if any file is refused. TMX: kept in
    locales/memory/, which `library update` pre-fills new entries from, always fuzzy.
    """
    from library.translations.importing import import_files

    _writing(ctx, "locales")
    project = _project(ctx)
    config = project.config
    plan, memories = import_files(project, files)
    for item in plan.reports:
        details = (f"{item.translated} translated, {item.fuzzy} fuzzy (to review), {item.reviewed} reviewed"
                   + (f", {item.kept} left empty in the file and kept" if item.kept else ""))
        verb = "wrote" if item.path in plan.writes else "unchanged"
        click.echo(f"{verb} {shown(item.path, config.root)}: {details} ({counted(item.units, 'unit')} read)")
    for report in memories:
        kept = ", ".join(f"{count} {language}" for language, count in report.kept.items())
        click.echo(f"wrote {shown(report.target, config.root)}: {kept} pairs kept, {report.skipped} skipped; "
                   "`library update` pre-fills new entries from it (fuzzy)")
