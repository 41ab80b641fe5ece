"""Renaming a paper: its source, its catalogs in every language and its anchor record move together.

A paper renamed by hand (file and slug) would come back at 0 %: update would make new, empty
catalogs, and the memory offers the old translations only as fuzzy suggestions, since the same
English in another paper may call for other words. The rename is one fact, so one command
carries everything: the translations stay translated and the passages keep their ids. It works
before the source is renamed and after a hand rename alike; run again, it finishes what an
interrupted run began.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from library.core.errors import CatalogError, LibraryError, SelectionError, SourceError
from library.core.files import read_checked, write_if_unchanged
from library.core.paths import anchor_record_path, catalog_path, reserved_for
from library.model.project import Project
from library.model.translation import is_translated
from library.sources.papers import SLUG
from library.sources.pofiles import parse_catalog

__all__ = ["rename_paper"]


def rename_paper(project: Project, old: str, new: str) -> list[tuple[Path, Path]]:
    """Move papers/<old>.md to papers/<new>.md (its slug too), with its catalogs and anchor record.

    Returns each move made. Afterwards `library extract` (which drops <old>.pot) and `library
    update` bring the templates and the catalogs' references in step; the caller runs them.
    """
    config = project.config
    _check_slug(old, reserved_too=False)
    _check_slug(new, reserved_too=True)
    source_old, source_new = config.papers_dir / f"{old}.md", config.papers_dir / f"{new}.md"
    if not source_old.exists() and not source_new.exists():
        raise SelectionError(f"no paper papers/{old}.md to rename (nor papers/{new}.md, renamed by hand)")
    if source_old.exists() and source_new.exists():
        raise LibraryError(f"papers/{new}.md already exists: choose another name, or remove one of the two")
    catalogs = [(catalog_path(config, language, old), catalog_path(config, language, new), language)
                for language in config.languages]
    for before, after, language in catalogs:  # every one checked before any moves
        _check_no_translation_lost(before, after, language, config.locales_dir)
    moves: list[tuple[Path, Path]] = []
    for before, after, _ in catalogs:
        _move(before, after, moves)
    _move(anchor_record_path(config, old), anchor_record_path(config, new), moves)
    if source_old.exists():
        _rename_source(source_old, source_new, old, new)
        moves.append((source_old, source_new))
    return moves


def _check_slug(slug: str, *, reserved_too: bool) -> None:
    if not SLUG.fullmatch(slug):  # also keeps "../x" from naming a path
        raise SelectionError(f"{slug!r} is not a slug: lowercase words joined by '-'")
    if reserved_too and (reserved := reserved_for(slug)):
        raise SelectionError(f"the slug {slug!r} is kept for {reserved}; choose another")


def _check_no_translation_lost(old: Path, new: Path, language: str, locales: Path) -> None:
    """A catalog moves over one that update made after a hand rename only if that one holds no translation."""
    if not (old.exists() and new.exists()):
        return
    made_after = parse_catalog(read_checked(new, locales, CatalogError), new, language=language, domain=new.stem)
    if any(message.id and is_translated(message) for message in made_after):
        raise LibraryError(f"{new} already holds translations, and so does {old}: "
                           "merge them by hand (msgcat), then remove one")


def _move(old: Path, new: Path, moves: list[tuple[Path, Path]]) -> None:
    if old.exists():
        os.replace(old, new)  # the same folder: atomic, and the file keeps its bytes
        moves.append((old, new))


def _rename_source(old: Path, new: Path, old_slug: str, new_slug: str) -> None:
    data = read_checked(old, old.parent, SourceError)
    text = data.decode("utf-8")
    renamed, count = re.subn(rf"^(slug:\s*[\"']?){re.escape(old_slug)}([\"']?\s*)$", rf"\g<1>{new_slug}\g<2>",
                             text, count=1, flags=re.M)
    if count != 1:
        raise LibraryError(f"{old}: no 'slug: {old_slug}' line in its front matter to rename")
    write_if_unchanged(new, renamed.encode("utf-8"), None)
    old.unlink()
