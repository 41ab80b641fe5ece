"""Gettext catalogs of the papers and the UI: extract (POT), update (PO), compile (MO)."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

from .config import Config
from .errors import CatalogError, LibraryError
from .files import Changes, write_all
from .papers import Paper, load_papers
from .pofiles import read_catalog, render_catalog
from .segments import segment_paper

__all__ = [
    "UI_DOMAIN",
    "extract_catalogs",
    "update_catalogs",
    "compile_catalogs",
    "paper_template",
    "template_path",
    "catalog_path",
    "mo_path",
]

UI_DOMAIN = "ui"
UI_PROJECT = "briefing-library-ui"
PUBLISHER = "Quaker United Nations Office"
UI_SOURCES = (("library", "**/*.py", "python"), ("templates", "**/*.html", "jinja2.ext:babel_extract"))
UI_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def template_path(config: Config, domain: str) -> Path:
    return config.locales_dir / f"{domain}.pot"


def catalog_path(config: Config, language: str, domain: str) -> Path:
    return config.locales_dir / language / "LC_MESSAGES" / f"{domain}.po"


def mo_path(config: Config, language: str, domain: str) -> Path:
    return config.build_dir / "locale" / language / "LC_MESSAGES" / f"{domain}.mo"


# --- extract -------------------------------------------------------------------------------


def paper_template(paper: Paper, root: Path):
    """The POT catalog of one paper: one message per distinct segment text."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(
        domain=paper.slug,
        project=paper.slug,
        version=paper.meta.date.isoformat(),
        copyright_holder=paper.meta.publisher,
        header_comment=(
            f"# Translation template for “{paper.meta.title}”.\n"
            f"# Made by `library extract` from {_relative(paper.path, root)}: edit the source, not this file."
        ),
    )
    source = _relative(paper.path, root)
    for segment in segment_paper(paper):
        catalog.add(segment.msgid, locations=[(source, segment.line)], auto_comments=list(segment.comments))
    return catalog


def ui_template(config: Config):
    """The POT catalog of strings in the templates and in the code, through Babel's extractors."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalog = Catalog(
        domain=UI_DOMAIN,
        project=UI_PROJECT,
        version="1",
        copyright_holder=PUBLISHER,
        header_comment="# Translation template for the library’s interface.\n"
        "# Made by `library extract` from the templates and the code: do not edit.",
    )
    for folder, pattern, method in UI_SOURCES:
        for path in sorted((config.root / folder).glob(pattern)):
            found = extract_from_file(method, str(path), keywords=UI_KEYWORDS, comment_tags=("Translators:",),
                                      options={"trimmed": "true"}, strip_comment_tags=True)
            for line, message, comments, context in found:
                catalog.add(message, locations=[(_relative(path, config.root), line)], auto_comments=comments,
                            context=context)
    return catalog


def extract_catalogs(config: Config) -> Changes:
    """Write locales/<slug>.pot for every paper and locales/ui.pot; unchanged files are left alone."""
    papers = load_papers(config.papers_dir)
    templates = {paper.slug: paper_template(paper, config.root) for paper in papers}
    templates[UI_DOMAIN] = ui_template(config)
    planned = {}
    for domain, catalog in templates.items():
        path = template_path(config, domain)
        planned[path] = _render_without_date_churn(path, catalog, keep_format=domain == UI_DOMAIN)
    changes = write_all(planned)
    for stale in sorted(config.locales_dir.glob("*.pot")):
        if stale not in planned:
            stale.unlink()
            changes.removed.append(stale)
    return changes


def _render_without_date_churn(path: Path, catalog, keep_format: bool) -> bytes:
    """Keep the old POT-Creation-Date when nothing else changed, so reruns are byte-identical."""
    if path.is_file():
        try:
            catalog.creation_date = read_catalog(path).creation_date
        except CatalogError:
            pass  # an unreadable template is simply regenerated
        else:
            data = render_catalog(catalog, keep_python_format=keep_format)
            if data == path.read_bytes():
                return data
    catalog.creation_date = _now()
    return render_catalog(catalog, keep_python_format=keep_format)


def _now() -> dt.datetime:
    """The current time, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)


# --- update --------------------------------------------------------------------------------


def update_catalogs(config: Config, languages: tuple[str, ...] | None = None) -> Changes:
    """Create or update every PO file from its POT without losing a translation.

    Every file is read and merged before anything is written, so one broken
    catalog stops the command with nothing changed.
    """
    templates = _read_templates(config)
    planned: dict[Path, bytes] = {}
    for language in _languages(config, languages):
        for domain, template in templates.items():
            path = catalog_path(config, language, domain)
            catalog = read_catalog(path, language=language, domain=domain) if path.exists() else None
            merged = merge_catalog(catalog, template, language, domain)
            planned[path] = render_catalog(merged, keep_python_format=domain == UI_DOMAIN)
    return write_all(planned)


def merge_catalog(catalog, template, language: str, domain: str):
    """Bring catalog (None for a new one) in line with template, keeping every translation.

    Babel's update does most of it; around it we revive obsolete entries whose
    English came back and keep the previous msgid (#|) of entries still fuzzy.
    """
    if catalog is None:
        catalog = _new_catalog(template, language, domain)
    for message in template:
        key = catalog._key_for(message.id, message.context)
        if message.id and key not in catalog._messages and key in catalog.obsolete:
            catalog[message.id] = catalog.obsolete.pop(key)
    previous = {m.id: m.previous_id for m in catalog if m.id and m.fuzzy and m.previous_id}
    catalog.update(template, update_header_comment=False, keep_user_comments=True, update_creation_date=True)
    for message in catalog:
        if message.id and message.fuzzy and not message.previous_id and message.id in previous:
            message.previous_id = previous[message.id]
    catalog.project, catalog.version = template.project, template.version
    return catalog


def _new_catalog(template, language: str, domain: str):
    from babel import Locale
    from babel.messages.catalog import Catalog

    name = Locale.parse(language).english_name
    return Catalog(
        locale=language,
        domain=domain,
        project=template.project,
        version=template.version,
        copyright_holder=PUBLISHER,
        header_comment=_translation_header_comment(template, name),
        creation_date=template.creation_date,
        revision_date=template.creation_date,
        last_translator=f"{name} translation team",
        language_team=name,
        fuzzy=False,
    )


def _translation_header_comment(template, language_name: str) -> str:
    """'# French translation of “Title”.' from the template's own header comment."""
    comment = " ".join(line.lstrip("# ") for line in template.header_comment.splitlines())
    match = re.search(r"Translation template for (.+?)\.\s+Made by", comment)
    subject = match[1] if match else f"“{template.project}”"
    return f"# {language_name} translation of {subject}.\n# Edit it with any PO editor; `library compile` checks it."


def _read_templates(config: Config) -> dict[str, object]:
    paths = sorted(config.locales_dir.glob("*.pot"))
    if not paths:
        raise LibraryError(f"no templates in {config.locales_dir}: run `library extract` first")
    return {path.stem: read_catalog(path, domain=path.stem) for path in paths}


def _languages(config: Config, languages: tuple[str, ...] | None) -> tuple[str, ...]:
    for language in languages or ():
        if language not in config.languages:
            raise LibraryError(f"unknown language {language!r}: setup.cfg lists {', '.join(config.languages)}")
    return tuple(languages or config.languages)


# --- compile -------------------------------------------------------------------------------


def compile_catalogs(config: Config, languages: tuple[str, ...] | None = None) -> Changes:
    """Write MO files into the build folder, leaving fuzzy entries out."""
    from babel.messages.mofile import write_mo

    planned: dict[Path, bytes] = {}
    for language in _languages(config, languages):
        for path in sorted((config.locales_dir / language / "LC_MESSAGES").glob("*.po")):
            catalog = read_catalog(path, language=language, domain=path.stem)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            planned[mo_path(config, language, path.stem)] = buffer.getvalue()
    return write_all(planned)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
