"""The EPUB stage: a book per paper and language and a volume per language, through the PDFs' gate.

The gate, drafts, withdrawals and manifest are the PDFs' (library.outputs.gate); a book's page
list is its PDF's page map, read from the PDF manifest. A book is made again only when its
inputs changed: its sources and catalogs, the stage's templates and code, the cover's fonts,
and its PDF's page map.
"""
from __future__ import annotations

import functools
import os

from library import __version__
from library.core.files import write_atomic
from library.core.paths import epub_path
from library.model.manifest import Entry, read_manifest, write_manifest
from library.model.project import Project
from library.model.stamps import Digest, distribution_version, settings_text
from library.outputs.epub.book import make_book
from library.outputs.epub.cover import cover_font_paths
from library.outputs.gate import Plan, Report, image_files, plan_documents, previous_entries, retire, source_files
from library.outputs.render import Environments, template_files

__all__ = ["plan_epubs", "build_epubs"]


def plan_epubs(project: Project, languages: tuple[str, ...] = (), slugs: tuple[str, ...] = (),
               draft: bool = False) -> Plan:
    """The books asked for (volumes only when no paper is named), judged by the gate as the PDFs are."""
    config = project.config
    shared, images = _shared_inputs(project), image_files(config)
    pdfs = read_manifest(config, "pdf")

    def inputs(language: str, slug: str) -> str:
        digest = Digest(shared, language, slug, sorted(_pdf_pages(pdfs, language, slug).items()))
        return digest.files(source_files(project, language, slug, images), config.root, project.file_hashes).hexdigest()

    return plan_documents(project, "epub", functools.partial(epub_path, config), inputs, languages, slugs, draft)


def _shared_inputs(project: Project) -> str:
    """Hash of what every book depends on: the EPUB templates, the stage's code, the cover's fonts and tools."""
    config = project.config
    digest = Digest(__version__, distribution_version("pillow"), distribution_version("tinyhtml5"),
                    settings_text(config), os.environ.get("SOURCE_DATE_EPOCH", ""))
    digest.files([*template_files(config, epub=True), *cover_font_paths()], config.root)
    return digest.code(__name__).hexdigest()


def build_epubs(project: Project, languages: tuple[str, ...] = (), slugs: tuple[str, ...] = (),
                draft: bool = False, plan: Plan | None = None) -> Report:
    """Make every planned book that is not up to date; withdraw what the gate no longer publishes; record all."""
    config = project.config
    plan = plan or plan_epubs(project, languages, slugs, draft)
    report = Report(refused=list(plan.refused), unchanged=[job.output for job in plan.current])
    entries = previous_entries(config, "epub", whole=plan.complete and plan.every_language)
    pdfs = read_manifest(config, "pdf")
    environments = Environments(project)
    try:
        for job in plan.pending:
            pages = _pdf_pages(pdfs, job.language, job.slug)
            write_atomic(job.output, make_book(project, job, pages, environments))
            entries[job.entry.key] = job.entry
            report.written.append(job.output)
    finally:
        report.withdrawn = retire(config, "epub", plan, entries, functools.partial(epub_path, config))
        write_manifest(config, "epub", entries)
    return report


def _pdf_pages(pdfs: dict[str, Entry], language: str, slug: str) -> dict[str, int]:
    """The page map of the PDF of a paper (or the volume) in a language: {} when none was rendered."""
    pdf = pdfs.get(f"{language}/{slug}")
    return pdf.pages if pdf is not None and pdf.verdict != "refused" else {}
