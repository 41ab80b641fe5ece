"""Render the papers to PDF with WeasyPrint: one per paper and language, and a volume per language.

The PDFs come from the same segments and templates as the site, with the print stylesheet.
A PDF is rendered again only when one of its inputs changed (their hash is kept beside it),
the renders run in parallel on every core, and WeasyPrint may load only the project's files.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .errors import LibraryError
from .files import write_atomic
from .html import VOLUME
from .papers import load_papers
from .translation import TranslatedPaper, TranslatedSegment, load_translation

__all__ = ["PdfJob", "PdfReport", "Refusal", "build_pdfs", "plan_pdfs", "pdf_folder", "render_job", "job_html",
           "FONT_FILES", "VOLUME"]

PDF_FOLDER, DRAFT_FOLDER = "pdf", "pdf-draft"
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
)


def pdf_folder(config: Config, draft: bool = False) -> Path:
    return config.build_dir / (DRAFT_FOLDER if draft else PDF_FOLDER)


@dataclass(frozen=True)
class PdfJob:
    """One PDF to render: a paper (slug) or the volume, in one language."""

    language: str
    slug: str  # a paper's slug, or VOLUME
    output: Path
    draft_percent: float | None  # set on a draft: the figure its mark shows
    inputs: str  # hash of everything the PDF is made from

    @property
    def pages_map(self) -> Path:
        """Where the anchor -> page map of the PDF goes, for search results to link to."""
        return self.output.with_suffix(".pages.json")

    @property
    def stamp(self) -> Path:
        return self.output.with_name(f".{self.output.name}.inputs")

    def up_to_date(self) -> bool:
        return self.output.is_file() and self.stamp.is_file() and self.stamp.read_text("utf-8") == self.inputs


@dataclass(frozen=True)
class Refusal:
    """A paper and language below the publication threshold, not rendered."""

    language: str
    slug: str
    percent: float
    threshold: float

    def __str__(self) -> str:
        return (f"{self.language}/{self.slug}: {self.percent:.0f}% translated, below the threshold of "
                f"{self.threshold:.0f}%; render it with --draft to see it marked as a draft")


@dataclass
class PdfReport:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


# Planning -------------------------------------------------------------------------------------


def plan_pdfs(config: Config, languages: tuple[str, ...] | None = None, slugs: tuple[str, ...] | None = None,
              draft: bool = False) -> tuple[list[PdfJob], list[Refusal]]:
    """The PDFs to render (volumes only when no paper is named), and those the threshold refuses."""
    papers = load_papers(config.papers_dir)
    known = {paper.slug for paper in papers}
    for slug in slugs or ():
        if slug not in known:
            raise LibraryError(f"no paper {slug!r} in {config.papers_dir.name}/ (papers: {', '.join(sorted(known))})")
    jobs, refusals = [], []
    shared = _shared_inputs(config)
    for language in languages or config.all_languages:
        percents = {p.slug: load_translation(config, p, language).percent_translated for p in papers}
        for paper in papers:
            if not slugs or paper.slug in slugs:
                _plan(config, language, paper.slug, percents[paper.slug], draft, shared, jobs, refusals)
        if not slugs:
            _plan(config, language, VOLUME, min(percents.values()), draft, shared, jobs, refusals)
    return jobs, refusals


def _plan(config, language, slug, percent, draft, shared, jobs, refusals) -> None:
    """Plan one PDF: published at or above the threshold, a marked draft below it, or refused."""
    below = percent < config.threshold
    if below and not draft:
        refusals.append(Refusal(language, slug, percent, config.threshold))
        return
    output = pdf_folder(config, below) / language / f"{slug}.pdf"
    draft_percent = percent if below else None
    inputs = _inputs_hash(config, language, slug, draft_percent, shared)
    jobs.append(PdfJob(language, slug, output, draft_percent, inputs))


def _shared_inputs(config: Config) -> str:
    """Hash of what every PDF depends on: the templates, the library's code, the fonts, the tools."""
    import weasyprint

    from . import __version__

    digest = hashlib.sha256(f"{__version__} {weasyprint.__version__} {config.threshold}".encode())
    code = Path(__file__).parent
    for path in sorted([*config.templates_dir.rglob("*"), *code.glob("*.py"), *_font_paths()]):
        if path.is_file():
            digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _inputs_hash(config: Config, language: str, slug: str, draft_percent, shared: str) -> str:
    """Hash of one PDF's own inputs: its sources and catalogs, the interface catalog, the series."""
    from .catalogs import UI_DOMAIN, catalog_path

    domains = [p.stem for p in sorted(config.papers_dir.glob("*.md"))] if slug == VOLUME else [slug, "series"]
    files = [config.papers_dir / f"{domain}.md" for domain in domains]
    files += [catalog_path(config, language, domain) for domain in (*domains, UI_DOMAIN)]
    files += sorted(config.papers_dir.rglob("images/*"))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    digest = hashlib.sha256(f"{shared} {language} {slug} {draft_percent} {epoch}".encode())
    for path in files:
        name = path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else path.name
        digest.update(name.encode() + (hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-"))
    return digest.hexdigest()


# Building -------------------------------------------------------------------------------------


def build_pdfs(config: Config, languages: tuple[str, ...] | None = None, slugs: tuple[str, ...] | None = None,
               draft: bool = False, workers: int | None = None,
               progress: Callable[[PdfJob], None] | None = None,
               plan: tuple[list[PdfJob], list[Refusal]] | None = None) -> PdfReport:
    """Render every planned PDF that is not up to date, in parallel; report what was refused.

    plan, from plan_pdfs with the same arguments, saves planning again when the caller has it.
    """
    jobs, refusals = plan or plan_pdfs(config, languages, slugs, draft)
    report = PdfReport(refused=refusals)
    pending = []
    for job in jobs:
        if job.up_to_date():
            report.unchanged.append(job.output)
            if progress:
                progress(job)
        else:
            pending.append(job)
    for job in _render_all(config, pending, workers):
        report.written.append(job.output)
        if progress:
            progress(job)
    return report


def _render_all(config: Config, jobs: list[PdfJob], workers: int | None):
    """Render jobs in worker processes (in this one for a single job); yield each as it is written."""
    if len(jobs) <= 1 or workers == 1:
        for job in jobs:
            _write(job, *render_job(config, job))
            yield job
        return
    import multiprocessing

    # spawn: a forked child would inherit Pango's and GLib's threads in an unknown state.
    context = multiprocessing.get_context("spawn")
    # The volumes take longest: started first, they do not leave one core busy at the end.
    ordered = sorted(jobs, key=lambda job: job.slug != VOLUME)
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context) as pool:
        futures = {pool.submit(render_job, config, job): job for job in ordered}
        for future in as_completed(futures):
            job = futures[future]
            _write(job, *future.result())
            yield job


def _write(job: PdfJob, pdf: bytes, pages: dict[str, int]) -> None:
    write_atomic(job.output, pdf)
    write_atomic(job.pages_map, json.dumps(pages, sort_keys=True, indent=0).encode())
    write_atomic(job.stamp, job.inputs.encode())


def render_job(config: Config, job: PdfJob) -> tuple[bytes, dict[str, int]]:
    """The PDF of job and the page of each anchor in it; fails if anything foreign was asked for."""
    import weasyprint

    fetcher = ProjectFetcher(_allowed_roots(config))
    html = weasyprint.HTML(string=job_html(config, job), base_url=config.templates_dir.as_uri() + "/",
                           url_fetcher=fetcher)
    with _weasyprint_errors() as errors:
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
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=bytes.fromhex(job.inputs[:32]),
                             uncompressed_pdf=False)
    return pdf, pages


@contextlib.contextmanager
def _weasyprint_errors():
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
    return (config.templates_dir.resolve(), config.papers_dir.resolve(), *{p.parent for p in _font_paths()})


def _font_paths() -> list[Path]:
    import importlib

    return [Path(importlib.import_module(module).font_directory) / name for *_, module, name in FONT_FILES]


def _weasyprint_fetcher_class():
    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):
        """WeasyPrint's fetcher, limited to files under the project's own folders."""

        def __init__(self, roots: tuple[Path, ...]) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.roots = roots
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            from urllib.parse import unquote, urlsplit

            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" and not parts.netloc else None
            if path is None or not any(path.is_relative_to(root) for root in self.roots):
                self.refused.append(url[:200])
                raise ValueError(f"refused: {url[:200]}")
            return super().fetch(url, headers)

    return Fetcher


def ProjectFetcher(roots: tuple[Path, ...]):  # noqa: N802 (a class, built when WeasyPrint is imported)
    return _weasyprint_fetcher_class()(roots)


# The HTML WeasyPrint renders ------------------------------------------------------------------


def job_html(config: Config, job: PdfJob) -> str:
    """The print HTML of job, from the same segments and templates as the site."""
    from .html import body_tree, make_environment, render_template, table_of_contents
    from .markup import plain_text

    papers = load_papers(config.papers_dir)
    series_paper = next(p for p in papers if p.meta.kind == "series")
    series = load_translation(config, series_paper, job.language)
    environment = make_environment(config, job.language)
    if job.slug == VOLUME:
        parts, prefixes = [], {}
        for paper in [p for p in papers if p.meta.kind == "paper"] + [series_paper]:
            prefix = f"{paper.slug}--"
            translation = _prefixed(load_translation(config, paper, job.language), prefix)
            prefixes[paper.slug] = prefix
            parts.append({"translation": translation, "meta": paper.meta, "prefix": prefix,
                          "body": body_tree(translation), "contents": table_of_contents(translation)})
        main, template, extra = series, "pdf/volume.html", {"parts": parts, "prefixes": prefixes}
        date = series_paper.meta.date
    else:
        paper = next(p for p in papers if p.slug == job.slug)
        main = load_translation(config, paper, job.language)
        template = "pdf/paper.html"
        extra = {"paper": main, "meta": paper.meta, "body": body_tree(main), "contents": table_of_contents(main),
                 "prefixes": {}}
        date = paper.meta.date
    fields = main.by_id()
    context = {
        "language": job.language,
        "root": "",
        "image_base": config.papers_dir.resolve().as_uri() + "/",
        "series": series,
        "document_title": plain_text(fields["title"].text),
        "publisher": plain_text(fields["publisher"].text),
        "description": plain_text(fields["summary"].text),
        "keywords": [plain_text(s.text) for s in main.segments if s.segment.role == "keyword"],
        "created": _created(date),
        "font_faces": _font_faces(),
        "page_label": _page_label(environment),
        "draft": job.draft_percent,
        **extra,
    }
    return render_template(config, environment, template, context)


def _prefixed(translation: TranslatedPaper, prefix: str) -> TranslatedPaper:
    """The translation with prefix on every anchor id, so that papers in one volume keep apart."""
    def rename(segment: TranslatedSegment) -> TranslatedSegment:
        return dataclasses.replace(segment, segment=dataclasses.replace(segment.segment, id=prefix + segment.segment.id))

    return dataclasses.replace(translation, segments=tuple(rename(s) for s in translation.segments))


def _page_label(environment) -> tuple[str, str, str]:
    """"Page %(page)s of %(pages)s" in the interface language, cut around its two numbers.

    The words go into the HTML, escaped, and the numbers come from CSS counters, so a
    translation never reaches the stylesheet.
    """
    gettext = environment.globals["gettext"]
    label = str(gettext("Page %(page)s of %(pages)s"))  # the call's name lets `library extract` find it
    before, _, rest = label.partition("%(page)s")
    between, _, after = rest.partition("%(pages)s")
    return before, between, after


def _font_faces():
    """@font-face rules for the project's fonts, from the files the font packages install.

    Marked safe for the template: the rules are the library's own text, built from file paths.
    """
    from markupsafe import Markup

    rules = []
    for (family, weight, style, *_), path in zip(FONT_FILES, _font_paths(), strict=True):
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("{path.as_uri()}"); }}')
    return Markup("\n".join(rules))


def _created(date: dt.date) -> str:
    """The creation date written into a PDF: SOURCE_DATE_EPOCH, or else the paper's own date.

    Either way two builds of the same inputs give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    else:
        moment = dt.datetime.combine(date, dt.time(), dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

