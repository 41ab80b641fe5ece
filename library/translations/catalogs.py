"""Gettext catalogs of the papers and the UI: extract (POT), update (PO), compile (MO)."""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import heapq
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from library.core.config import Config
from library.core.errors import CatalogError, EditedMeanwhile, LibraryError
from library.core.files import Changes, read_checked, write_all, write_if_unchanged
from library.core.paths import (
    UI_DOMAIN,
    anchor_record_path,
    catalog_path,
    catalog_paths,
    mo_path,
    shown,
    shown_at,
    template_path,
    template_paths,
)
from library.model.project import Project
from library.model.stamps import source_date
from library.model.translation import singular
from library.sources.anchors import render_anchor_record
from library.sources.papers import Paper
from library.sources.pofiles import parse_catalog, read_catalog
from library.sources.powriter import render_catalog
from library.sources.segments import segment_paper
from library.translations.memory import Memory, build_memory

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

__all__ = [
    "CatalogUpdate",
    "UpdateReport",
    "extract_catalogs",
    "update_catalogs",
    "language_memory",
    "compile_catalogs",
    "paper_template",
    "merge_catalog",
]

UI_PROJECT = "briefing-library-ui"
PUBLISHER = "Quaker United Nations Office"
# A message's key in a catalog: its msgid, with its context when it has one.
_MessageKey: TypeAlias = object
UI_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}


# --- extract -------------------------------------------------------------------------------


def paper_template(paper: Paper, root: Path) -> Catalog:
    """The POT catalog of one paper: one message per distinct segment text."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(
        domain=paper.slug,
        project=paper.slug,
        version=paper.meta.date.isoformat(),
        copyright_holder=paper.meta.publisher,
        header_comment=(
            f"# Translation template for “{paper.meta.title}”.\n"
            f"# Made by `library extract` from {shown(paper.path.resolve(), root)}: edit the source, not this file."
        ),
    )
    source = shown(paper.path.resolve(), root)
    for segment in segment_paper(paper):
        catalog.add(segment.msgid, locations=[(source, segment.line)], auto_comments=list(segment.comments))
    return catalog


def ui_template(config: Config) -> Catalog:
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
    for folder, pattern, method, base in _ui_sources(config):
        for path in sorted(folder.glob(pattern)):
            if method == "python" and not _may_mark_strings(path):
                continue
            found = extract_from_file(method, str(path), keywords=UI_KEYWORDS, comment_tags=("Translators:",),
                                      options={"trimmed": "true"}, strip_comment_tags=True)
            for line, message, comments, context in found:
                catalog.add(message, locations=[(shown(path.resolve(), base), line)], auto_comments=comments,
                            context=context)
    return catalog


# A call of one of UI_KEYWORDS, as Babel's Python extractor finds them: the name, then "(".
_KEYWORD_CALL = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, UI_KEYWORDS)) + r")\s*\(")


def _may_mark_strings(path: Path) -> bool:
    """Whether a module calls a gettext keyword at all; most do not, and tokenising them all took most of an extract."""
    return _KEYWORD_CALL.search(path.read_text("utf-8")) is not None


def _ui_sources(config: Config) -> Iterator[tuple[Path, str, str, Path]]:
    """(folder, pattern, Babel method, the folder locations are named from) of every interface string.

    The code's strings come from this package wherever it is installed, so a project folder
    without the library's source still gets them all; they are named library/<module>.py.
    """
    package = Path(__file__).resolve().parents[1]  # library/
    yield package, "**/*.py", "python", package.parent
    yield config.templates_dir, "**/*.html", "jinja2.ext:babel_extract", config.root


def extract_catalogs(project: Project, *, interface: bool = True, papers: tuple[str, ...] = ()) -> Changes:
    """Write locales/<slug>.pot and the anchor record of every paper, and locales/ui.pot.

    Unchanged files are left alone. The template of a paper that is gone is removed; its anchor
    record is kept (retired) so that, when the paper comes back (a branch switched, an editor's
    delete-and-recreate), its passages get their ids back. Without interface, ui.pot is left
    as it is: after an edit of the papers alone, which cannot change it, that saves reading the
    templates and the code. With papers (slugs), only their templates and anchor records: a
    paper's edit cannot change another's (watch mode, where rendering 200 templates to find the
    one that changed took a second).
    """
    config = project.config
    chosen = [paper for paper in project.papers if not papers or paper.slug in papers]
    templates = {paper.slug: paper_template(paper, config.root) for paper in chosen}
    if interface:
        templates[UI_DOMAIN] = ui_template(config)
    planned = {}
    for domain, catalog in templates.items():
        path = template_path(config, domain)
        planned[path] = _render_without_date_churn(path, catalog, keep_format=domain == UI_DOMAIN)
    changes = write_all(planned)
    for paper in chosen:
        path, record = anchor_record_path(config, paper.slug), render_anchor_record(project.anchor_record(paper.slug))
        written = write_if_unchanged(path, record, project.anchor_record_as_read(paper.slug))
        (changes.written if written else changes.unchanged).append(path)
    for stale in template_paths(config):
        if stale not in planned and (interface or stale != template_path(config, UI_DOMAIN)) and (
                not papers or stale.stem in papers):  # a paper named, gone: its template goes
            stale.unlink()
            changes.removed.append(stale)
    return changes


def _render_without_date_churn(path: Path, catalog: Catalog, keep_format: bool) -> bytes:
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
    return source_date() or dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


# --- update --------------------------------------------------------------------------------


@dataclass
class CatalogUpdate:
    """What `library update` did to one PO file, entry by entry."""

    path: Path
    new: int = 0  # entries of English the catalog did not have
    outdated: int = 0  # entries whose English changed: the previous translation kept, fuzzy
    obsolete: int = 0  # entries whose English is gone, kept at the end of the file
    revived: int = 0  # obsolete entries whose English came back
    prefilled: int = 0  # new entries the translation memory filled, fuzzy

    def __add__(self, other: CatalogUpdate) -> CatalogUpdate:
        return CatalogUpdate(Path(), self.new + other.new, self.outdated + other.outdated,
                             self.obsolete + other.obsolete, self.revived + other.revived,
                             self.prefilled + other.prefilled)


@dataclass
class UpdateReport(Changes):
    catalogs: list[CatalogUpdate] = field(default_factory=list)


def update_catalogs(project: Project, languages: tuple[str, ...] = (), domains: tuple[str, ...] = ()) -> UpdateReport:
    """Create or update every PO file (of domains, when given) from its POT without losing a translation.

    New entries with no translation are pre-filled, fuzzy, from the translation memory of
    the language. Every file is read and merged before anything is written, so one broken
    catalog stops the command with nothing changed. A catalog a translator saves meanwhile
    is merged again from their save, never overwritten.
    """
    config = project.config
    chosen = project.select_languages(languages, targets_only=True)
    templates = _templates(project, domains)
    merges = []
    for language in chosen:
        # Built when a new entry first needs it: an edit that adds no English reads no other catalog.
        memory = functools.cache(functools.partial(language_memory, project, language))
        for domain, template in templates.items():
            merge = _CatalogMerge(catalog_path(config, language, domain), language, domain, template, memory, config)
            merge.run()
            merges.append(merge)
    report = UpdateReport()
    for merge in merges:
        (report.written if merge.write() else report.unchanged).append(merge.path)
        report.catalogs.append(merge.update)
    return report


@dataclass
class _CatalogMerge:
    """One PO file brought in line with its template: merged from the bytes read, written only over them."""

    path: Path
    language: str
    domain: str
    template: Catalog
    memory: Callable[[], Memory]
    config: Config
    read: bytes | None = None
    merged: bytes = b""
    update: CatalogUpdate = field(init=False)

    # A translator saving again and again while we merge: after this many merges, stop and say so.
    ATTEMPTS: ClassVar[int] = 5

    def run(self) -> None:
        """Read the catalog (there may be none yet) and merge the template into it."""
        self.read, self.update = self._read(), CatalogUpdate(self.path)
        catalog = None
        if self.read is not None:
            catalog = parse_catalog(self.read, self.path, language=self.language, domain=self.domain)
        known = _known_ids(catalog)  # before the merge changes the catalog in place
        # Babel moves the template's own entries into a new catalog: a copy for each language.
        merged = merge_catalog(catalog, copy.deepcopy(self.template), self.language, self.domain, self.update)
        self.update.prefilled = _prefill(merged, _new_ids(known, merged), self.memory, self.domain, self.config.root)
        self.merged = render_catalog(merged, keep_python_format=self.domain == UI_DOMAIN)

    def write(self) -> bool:
        """Write the merge unless the file changed since it was read; then merge the new file again."""
        for _ in range(self.ATTEMPTS):
            try:
                return write_if_unchanged(self.path, self.merged, self.read)
            except EditedMeanwhile:
                self.run()  # their save, merged; a broken save stops here, intact
        raise EditedMeanwhile(self.path, None, f"saved {self.ATTEMPTS} times while update merged it; "
                                                "left as saved: run `library update` again")

    def _read(self) -> bytes | None:
        if not (self.path.exists() or self.path.is_symlink()):
            return None
        return read_checked(self.path, self.config.locales_dir, CatalogError)


def language_memory(project: Project, language: str) -> Memory:
    """Every translated entry of language's catalogs, as they are now, and of the imported memories (TMX)."""
    from library.translations.tmx import outside_memory

    paths = catalog_paths(project.config, language)
    return build_memory([(path.stem, path, project.catalog(path.stem, language)) for path in paths],
                        outside_memory(project.config, language))


def merge_catalog(catalog: Catalog | None, template: Catalog, language: str, domain: str,
                  update: CatalogUpdate | None = None) -> Catalog:
    """Bring catalog (None for a new one) in line with template, keeping every translation.

    Babel's update does most of it; around it we revive obsolete entries whose English came
    back and keep the previous msgid (#|) of entries still fuzzy. update, if given, counts it.
    """
    update = update or CatalogUpdate(Path())
    catalog = _new_catalog(template, language, domain) if catalog is None else catalog
    before = {m.id for m in catalog if m.id}
    was_obsolete = set(catalog.obsolete)
    for message in template:
        key = catalog._key_for(message.id, message.context)
        if message.id and key not in catalog._messages and key in catalog.obsolete:
            catalog[message.id] = catalog.obsolete.pop(key)
            update.revived += 1
    # The English each outdated translation was made from, as msgmerge --previous keeps it.
    made_from = {singular(m.id): m.previous_id for m in catalog if m.id and m.fuzzy and m.previous_id}
    with _close_matching():
        catalog.update(template, update_header_comment=False, keep_user_comments=True, update_creation_date=True)
    for message in catalog:
        if message.id and message.fuzzy:
            _keep_original_english(message, made_from)
    catalog.project, catalog.version = template.project, template.version
    arrived = [m for m in catalog if m.id and m.id not in before and _key(m) not in was_obsolete]
    update.outdated += sum(1 for m in arrived if m.fuzzy and m.previous_id)
    update.new += sum(1 for m in arrived if not (m.fuzzy and m.previous_id))
    update.obsolete += len(set(catalog.obsolete) - was_obsolete)
    return catalog


@contextlib.contextmanager
def _close_matching() -> Iterator[None]:
    """Babel's update with close_matches for its own search of the English an edited entry came from.

    Only over Babel's own search (difflib's, autojunk off), whose answers close_matches gives.
    """
    import babel.messages.catalog as babel_catalog

    babels = babel_catalog.get_close_matches
    if babels.__module__ != babel_catalog.__name__:
        yield
        return
    babel_catalog.get_close_matches = close_matches
    try:
        yield
    finally:
        babel_catalog.get_close_matches = babels


def close_matches(word: str, possibilities: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Babel's get_close_matches (difflib's, without autojunk): the n best above cutoff, the same answers.

    Babel computes difflib's ratio of the new English with every translated entry of the catalog,
    in Python and quadratic in the texts' length. The blocks difflib matches are a common
    subsequence of the two texts, so the longest one (rapidfuzz computes it in C) bounds the ratio
    from above: entries are taken best bound first, and the search stops once no bound can reach
    the n-th best ratio.
    """
    from difflib import SequenceMatcher

    from rapidfuzz.distance import LCSseq

    bounded = []
    for text in possibilities:
        total = len(word) + len(text)
        bound = 2.0 * LCSseq.similarity(word, text) / total if total else 1.0  # difflib's own arithmetic
        if bound >= cutoff:
            bounded.append((bound, text))
    bounded.sort(key=lambda pair: pair[0], reverse=True)
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)
    best: list[tuple[float, str]] = []  # (ratio, text), as Babel ranks them: ties go to the greater text
    for bound, text in bounded:
        if len(best) >= n and bound < best[-1][0]:
            break
        matcher.set_seq1(text)
        ratio = matcher.ratio()
        if ratio >= cutoff:
            best = heapq.nlargest(n, [*best, (ratio, text)])
    return [text for _, text in best]


def _keep_original_english(message: Message, made_from: dict[str, list[str]]) -> None:
    """Point #| at the English the translation was made from, through any number of edits.

    Babel names the entry it matched: the same entry (and then no previous msgid at all), or,
    after a second edit, the intermediate English, which was never translated.
    """
    matched = singular(message.previous_id) if message.previous_id else singular(message.id)
    if matched in made_from:
        message.previous_id = made_from[matched]


def _key(message: Message) -> _MessageKey:
    return message.id if message.context is None else (message.id, message.context)


def _known_ids(catalog: Catalog | None) -> set[_MessageKey]:
    """The entries catalog (None: a new file) has, in use or obsolete."""
    if catalog is None:
        return set()
    return {_key(m) for m in catalog if m.id} | set(catalog.obsolete)


def _new_ids(known: set[_MessageKey], merged: Catalog) -> set[_MessageKey]:
    """The entries merged has that were not known before the merge."""
    return {_key(m) for m in merged if m.id and _key(m) not in known}


def _prefill(catalog: Catalog, new_ids: set[_MessageKey], memory: Callable[[], Memory], domain: str,
             root: Path) -> int:
    """Fill the new entries that have no translation from the memory, fuzzy, saying where from."""
    filled = 0
    for message in catalog:
        if _key(message) not in new_ids or not isinstance(message.id, str) or message.string or message.fuzzy:
            continue
        match = memory().best(message.id, interface=domain == UI_DOMAIN)
        if match is None:
            continue
        source = match.recollection
        message.string = source.translation
        message.flags.add("fuzzy")
        where = shown_at(source.path.resolve(), source.line, root)
        alike = "the same English" if match.exact else f"{math.floor(match.similarity * 100)}% alike"
        message.user_comments.append(f"memory: {where} ({alike}); review, then remove the fuzzy flag")
        filled += 1
    return filled


def _new_catalog(template: Catalog, language: str, domain: str) -> Catalog:
    from babel import Locale
    from babel.messages.catalog import Catalog

    name = str(Locale.parse(language).english_name)
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


def _translation_header_comment(template: Catalog, language_name: str) -> str:
    """'# French translation of “Title”.' from the template's own header comment."""
    comment = " ".join(line.lstrip("# ") for line in template.header_comment.splitlines())
    match = re.search(r"Translation template for (.+?)\.\s+Made by", comment)
    subject = match[1] if match else f"“{template.project}”"
    return f"# {language_name} translation of {subject}.\n# Edit it with any PO editor; `library compile` checks it."


def _templates(project: Project, domains: tuple[str, ...] = ()) -> dict[str, Catalog]:
    """The POT catalogs to update from (those of domains, when given), as the project read them."""
    paths = template_paths(project.config)
    if not paths:
        raise LibraryError(f"no templates in {project.config.locales_dir}: run `library extract` first")
    return {path.stem: _template(project, path) for path in paths if not domains or path.stem in domains}


def _template(project: Project, path: Path) -> Catalog:
    template = project.template(path.stem)
    assert template is not None  # its file is there: template_paths lists it
    return template


# --- compile -------------------------------------------------------------------------------


def compile_catalogs(project: Project, languages: tuple[str, ...] = ()) -> Changes:
    """Write MO files into the build folder, leaving fuzzy entries out; a PO file unchanged since is not read."""
    from library.model.stamps import Digest, read_state, write_state

    config = project.config
    state = read_state(config, "compile")
    code = Digest().code(__name__).hexdigest()
    planned: dict[Path, bytes] = {}
    changes = Changes()
    for language in project.select_languages(languages, targets_only=True):
        for path in catalog_paths(config, language):
            target = mo_path(config, language, path.stem)
            key = Digest(code, shown(path, config.root), project.file_hashes.sha256(path)).hexdigest()
            name = target.relative_to(config.build_dir).as_posix()
            if state.get(name) == key and target.is_file():
                changes.unchanged.append(target)
                continue
            planned[target] = _mo_bytes(path, language, config.locales_dir)
            state[name] = key
    written = write_all(planned)
    write_state(config, "compile", state)
    return Changes(written.written, [*changes.unchanged, *written.unchanged])


def _mo_bytes(path: Path, language: str, root: Path) -> bytes:
    from babel.messages.mofile import write_mo

    catalog = read_catalog(path, language=language, domain=path.stem, root=root)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()
