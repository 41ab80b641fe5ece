"""Typeset one PDF with WeasyPrint: its print HTML, the project's fonts, a fetcher that loads only the project's files.

The HTML comes from the same segments and templates as the site, with the print stylesheet;
WeasyPrint lays it out, tagged for PDF/UA, within a time limit, and any file it asks for
outside the project's templates, papers and fonts fails the PDF.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

from library.core.config import Config
from library.core.errors import LibraryError
from library.core.paths import is_volume
from library.model.project import Project
from library.model.stamps import source_date
from library.outputs.fonts import font_file
from library.outputs.gate import Job, volume_label, volume_named
from library.outputs.pdf.pace import LONG_LAYOUT_CHARACTERS, paced
from library.outputs.pdf.tags import repair_weasyprint_tagging
from library.outputs.pdf.xmp import add_dublin_core
from library.outputs.render import Environments, paper_view, prefixed_translation, render_template, volume_prefix
from library.sources.interface import PAGE_LABEL

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType

    import jinja2
    from markupsafe import Markup

__all__ = ["FONT_FILES", "PDF_PROFILE", "PDF_VARIANT", "PdfJob", "ProjectFetcher", "job_html", "project_uri",
           "render_job", "running_head", "font_paths"]

PdfJob = Job  # one PDF to render: the gate's job, a paper (or the volume) in one language


# The accessible PDF WeasyPrint writes, and the veraPDF profile that judges it (outputs/pdf/conformance.py).
# pdf/ua-2 passes veraPDF's PDF/UA-2 profile too (tests/test_conformance.py); PDF/UA-1 stays the
# default, since it is PDF 1.7, which every viewer reads, where PDF/UA-2 needs PDF 2.0.
PDF_VARIANT, PDF_PROFILE = "pdf/ua-1", "ua1"

# The faces the print stylesheet uses: family, weight, style, file (module, name).
FONT_FILES = (
    ("Source Serif Pro", 400, "normal", "font_source_serif_pro", "SourceSerifPro-Regular.ttf"),
    ("Source Serif Pro", 400, "italic", "font_source_serif_pro", "SourceSerifPro-It.ttf"),
    ("Source Serif Pro", 600, "normal", "font_source_serif_pro", "SourceSerifPro-Semibold.ttf"),
    ("Source Serif Pro", 600, "italic", "font_source_serif_pro", "SourceSerifPro-SemiboldIt.ttf"),
    ("Source Serif Pro", 700, "normal", "font_source_serif_pro", "SourceSerifPro-Bold.ttf"),
    ("Source Serif Pro", 700, "italic", "font_source_serif_pro", "SourceSerifPro-BoldIt.ttf"),
    ("Source Sans Pro", 400, "normal", "font_source_sans_pro", "SourceSansPro-Regular.ttf"),
    ("Source Sans Pro", 400, "italic", "font_source_sans_pro", "SourceSansPro-It.ttf"),
    ("Source Sans Pro", 600, "normal", "font_source_sans_pro", "SourceSansPro-Semibold.ttf"),
    ("Source Sans Pro", 600, "italic", "font_source_sans_pro", "SourceSansPro-SemiboldIt.ttf"),
    ("Source Sans Pro", 700, "normal", "font_source_sans_pro", "SourceSansPro-Bold.ttf"),
    ("Source Sans Pro", 700, "italic", "font_source_sans_pro", "SourceSansPro-BoldIt.ttf"),
    ("Amiri", 400, "normal", "fontpkg_amiri", "Amiri-Regular.ttf"),
    ("Amiri", 400, "italic", "fontpkg_amiri", "Amiri-Italic.ttf"),
    ("Amiri", 700, "normal", "fontpkg_amiri", "Amiri-Bold.ttf"),
    ("Amiri", 700, "italic", "fontpkg_amiri", "Amiri-BoldItalic.ttf"),
)


def render_job(config: Config, job: PdfJob, html_text: str, variant: str = PDF_VARIANT,
               pace: Callable[[bool], contextlib.AbstractContextManager[Any]] = paced) -> tuple[bytes, dict[str, int]]:
    """The PDF of job from its HTML, and the page of each anchor; fails if anything foreign was asked for.

    variant is WeasyPrint's: pdf/ua-1 for the library, pdf/ua-2 to try the next standard. pace
    surrounds the render (outputs/pdf/pace.py; the tests compare with contextlib.nullcontext).
    """
    with pace(len(html_text) > LONG_LAYOUT_CHARACTERS):
        return _render(config, job, html_text, variant)


def _render(config: Config, job: PdfJob, html_text: str, variant: str) -> tuple[bytes, dict[str, int]]:
    weasyprint = import_weasyprint()
    repair_weasyprint_tagging()
    fetcher = ProjectFetcher(_allowed_roots(config), config.root)
    html = weasyprint.HTML(string=html_text, base_url=project_uri(config, config.templates_dir) + "/",
                           url_fetcher=fetcher)
    with _weasyprint_errors() as errors, _time_limit(RENDER_SECONDS, f"{job.language}/{job.slug}.pdf"):
        document = html.render()
    if fetcher.refused:
        refused = ", ".join(sorted(set(fetcher.refused)))
        raise LibraryError(f"{job.language}/{job.slug}.pdf: refused to load {refused}")
    if errors:
        raise LibraryError(f"{job.language}/{job.slug}.pdf: {errors[0]}")
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    add_dublin_core(document)
    pdf = document.write_pdf(pdf_variant=variant, pdf_identifier=bytes.fromhex(job.inputs[:32]),
                             uncompressed_pdf=False)
    return pdf, pages


def import_weasyprint() -> ModuleType:
    """WeasyPrint, imported without the twenty subprocesses its libraries' Windows and macOS names cost.

    WeasyPrint tries each native library under several names; cffi looks each name it cannot
    load for ctypes.util.find_library, which runs ldconfig, gcc and ld. The Linux names load
    straight away: asked first without that search (0.1 CPU-second less per process, and no
    forks of a worker), and with it only if that fails.
    """
    if "weasyprint" not in sys.modules:
        import ctypes.util

        search = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            import weasyprint  # noqa: F401
        except OSError:  # imported again below, with the search, from the start
            for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = search
    import weasyprint  # noqa: F401 (here only when the first way failed)

    return sys.modules["weasyprint"]


# The longest a PDF may take to lay out: the volume takes about ten seconds here; a hundred times
# that is no real paper but a runaway layout, which would otherwise hold the build for good.
RENDER_SECONDS = 900


@contextlib.contextmanager
def _time_limit(seconds: int, name: str) -> Iterator[None]:
    """Fail with name after seconds, where a signal can interrupt (a worker's or the command's main thread)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signal: int, _frame: FrameType | None) -> NoReturn:
        raise LibraryError(f"{name}: laying out took more than {seconds} s; look for a runaway passage")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    """The errors WeasyPrint logs while rendering (an image it cannot load, say): each fails the PDF."""
    import logging

    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage().splitlines()[0])

    handler = Collect(level=logging.ERROR)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield errors
    finally:
        logger.removeHandler(handler)


def _allowed_roots(config: Config) -> tuple[Path, ...]:
    return (config.templates_dir.resolve(), config.papers_dir.resolve(), *{p.parent for p in font_paths()})


# The running head's box and type (templates/pdf/print.css: @top-left, 104mm wide, 8.5pt Source Sans
# Pro), with a twentieth left over for kerning, which the advance widths below leave out.
RUNNING_HEAD_WIDTH_PT, RUNNING_HEAD_SIZE_PT = 104 / 25.4 * 72 * 0.95, 8.5
_RUNNING_HEAD_FONT = "SourceSansPro-Regular.ttf"


def running_head(title: str) -> str:
    """The title as the running head prints it: whole if it fits its one line, else cut after its
    last whole word that fits, with an ellipsis, never inside a word."""
    if _text_width(title) <= RUNNING_HEAD_WIDTH_PT:
        return title
    words, head = title.split(" "), ""
    for count in range(1, len(title.split(" "))):
        candidate = " ".join(words[:count]).rstrip(" ,;:\u00a0\u202f") + "…"
        if _text_width(candidate) > RUNNING_HEAD_WIDTH_PT:
            break
        head = candidate
    return head or "…"


def _text_width(text: str) -> float:
    """Width in points of text set in the running head's font, from its advance widths."""
    advances, missing = _advance_widths()
    return sum(advances.get(char, missing) for char in text) * RUNNING_HEAD_SIZE_PT


@functools.cache
def _advance_widths() -> tuple[dict[str, float], float]:
    """Each character's advance in the running head's font, in ems, and an average for the rest."""
    from fontTools.ttLib import TTFont

    path = next(path for path in font_paths() if path.name == _RUNNING_HEAD_FONT)
    with TTFont(path, lazy=True) as font:
        scale, metrics = 1 / font["head"].unitsPerEm, font["hmtx"].metrics
        advances = {chr(code): metrics[glyph][0] * scale for code, glyph in font.getBestCmap().items()}
    return advances, max(advances.values())


def font_paths() -> list[Path]:
    """The font files of FONT_FILES, from the packages that install them."""
    return [font_file(module, name) for *_, module, name in FONT_FILES]


def _weasyprint_fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
        """WeasyPrint's fetcher, limited to files under the project's own folders."""

        def __init__(self, roots: tuple[Path, ...], project_root: Path | None = None) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.roots, self.project_root = roots, project_root
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            from urllib.parse import unquote, urlsplit

            parts = urlsplit(url)
            path = Path(unquote(parts.path)) if parts.scheme == "file" and not parts.netloc else None
            if path is not None and self.project_root is not None and path.is_relative_to(_PROJECT_MOUNT):
                path = self.project_root / path.relative_to(_PROJECT_MOUNT)
            path = path.resolve() if path is not None else None
            if path is None or not any(path.is_relative_to(root) for root in self.roots):
                self.refused.append(url[:200])
                raise ValueError(f"refused: {url[:200]}")
            return super().fetch(path.as_uri(), headers)

    return Fetcher


def ProjectFetcher(roots: tuple[Path, ...], project_root: Path | None = None) -> Any:  # noqa: N802 (a class, built late)
    return _weasyprint_fetcher_class()(roots, project_root)


# WeasyPrint names an embedded image after the address it was asked for, so the PDFs ask for the
# project's files at one address whatever folder the project is in: the same commit gives the same
# bytes from any clone. The fetcher maps it back to the project's folder.
_PROJECT_MOUNT = Path("/briefing-library-project")


def project_uri(config: Config, folder: Path) -> str:
    """The address under which the PDFs ask for folder: the project mount, or the folder itself when outside."""
    folder = folder.resolve()
    if folder.is_relative_to(config.root):
        return (_PROJECT_MOUNT / folder.relative_to(config.root)).as_uri()
    return folder.as_uri()


# The HTML WeasyPrint renders ------------------------------------------------------------------


def job_html(project: Project, job: PdfJob, environments: Environments | None = None) -> str:
    """The print HTML of job, from the same segments and templates as the site.

    environments keeps one Jinja2 environment per language across the jobs of a build.
    """
    from library.sources.markup import plain_text

    config, language = project.config, job.language
    series = project.translation(project.series_slug, language)
    environment = (environments or Environments(project))[language]
    label = ""
    if is_volume(job.slug):
        volume = volume_named(project, job.slug)
        parts, prefixes = [], {}
        held = [project.paper(slug) for slug in volume.papers if slug not in job.omitted]  # parsed alone
        for paper in (project.series, *held):  # the series' introduction opens every volume
            prefix = volume_prefix(paper.slug)
            view = paper_view(prefixed_translation(project.translation(paper.slug, language), prefix))
            prefixes[paper.slug] = prefix
            parts.append({"translation": view.translation, "meta": paper.meta, "prefix": prefix,
                          "body": view.body, "contents": view.contents})
        omitted = [project.translation(slug, language) for slug in volume.papers if slug in job.omitted]
        main, template = series, "pdf/volume.html"
        label = volume_label(volume, lambda message: project.ui_translations(language).plain(message)[0])
        extra: dict[str, Any] = {"parts": parts, "prefixes": prefixes, "omitted": omitted, "volume": volume}
        date = project.series.meta.date
    else:
        view = paper_view(project.translation(job.slug, language))
        main, template = view.translation, "pdf/paper.html"
        extra = {"paper": main, "meta": view.meta, "body": view.body, "contents": view.contents, "prefixes": {}}
        date = view.meta.date
    fields = main.by_id()
    context = {
        "language": job.language,
        "root": "",
        "image_base": project_uri(config, config.papers_dir) + "/",
        "series": series,
        "document_title": " — ".join(filter(None, (plain_text(fields["title"].text), label))),
        "publisher": plain_text(fields["publisher"].text),
        "description": plain_text(fields["summary"].text),
        "keywords": [plain_text(s.text) for s in main.segments if s.segment.role == "keyword"],
        "created": _created(date),
        "font_faces": _font_faces(),
        "page_label": _page_label(environment),
        "draft": job.percent if job.draft else None,
        "running_head": running_head,
        **extra,
    }
    return render_template(config, environment, template, context)


def _page_label(environment: jinja2.Environment) -> tuple[str, str, str]:
    """"Page %(page)s of %(pages)s" in the interface language, cut around its two numbers.

    The words go into the HTML, escaped, and the numbers come from CSS counters, so a
    translation never reaches the stylesheet.
    """
    gettext: Callable[[str], Markup] = environment.globals["gettext"]  # type: ignore[assignment]  # i18n's
    label = gettext(PAGE_LABEL).striptags()  # striptags drops the mark of an English fallback
    before, _, rest = label.partition("%(page)s")
    between, _, after = rest.partition("%(pages)s")
    return before, between, after


def _font_faces() -> Markup:
    """@font-face rules for the project's fonts, from the files the font packages install.

    Marked safe for the template: the rules are the library's own text, built from file paths.
    """
    from markupsafe import Markup

    rules = []
    for (family, weight, style, *_), path in zip(FONT_FILES, font_paths(), strict=True):
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("{path.as_uri()}"); }}')
    return Markup("\n".join(rules))


def _created(date: dt.date) -> str:
    """The creation date written into a PDF: SOURCE_DATE_EPOCH, or else the paper's own date.

    Either way two builds of the same inputs give the same bytes.
    """
    moment = source_date() or dt.datetime.combine(date, dt.time(), dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

