"""How complete each catalog is, counted as Translate Toolkit's pocount counts, and what is missing."""
from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from library.core.errors import IncompleteTranslation
from library.core.paths import UI_DOMAIN, catalog_path, shown
from library.model.project import Project
from library.model.translation import (
    Figure,
    Tally,
    count_words,
    passage_state,
    percent_label,
    singular,
    translations_of,
)

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

__all__ = [
    "TOTAL",
    "State",
    "CatalogStatus",
    "MissingSegment",
    "message_state",
    "catalog_status",
    "file_status",
    "project_status",
    "language_totals",
    "missing_segments",
    "word_diff",
    "check_threshold",
    "render_status",
    "render_missing",
    "render_missing_json",
]

TOTAL = "TOTAL"  # the domain of a language's total row; never a slug, which is lowercase
# pocount's names for the states: a missing passage is an untranslated message.
State = Literal["translated", "fuzzy", "untranslated"]
_POCOUNT_NAMES: dict[str, State] = {"translated": "translated", "fuzzy": "fuzzy", "missing": "untranslated"}


@dataclass(frozen=True)
class CatalogStatus:
    """The completeness of one catalog (or, with domain TOTAL, of a language)."""

    language: str
    domain: str
    path: Path | None
    figure: Figure
    obsolete: Tally
    translated_target_words: int
    exists: bool = True  # False: no PO file yet, so every message of the English is untranslated
    stale: str | None = None  # the PO file lags behind the English: the command that updates it

    @property
    def translated(self) -> Tally:
        return self.figure.translated

    @property
    def fuzzy(self) -> Tally:
        return self.figure.fuzzy

    @property
    def untranslated(self) -> Tally:
        return self.figure.missing

    @property
    def total(self) -> Tally:
        """Live messages: not the header, not obsolete."""
        return self.figure.total

    @property
    def percent_translated(self) -> float:
        """Translated messages (non-empty, not fuzzy) out of all live messages."""
        return self.figure.percent

    @property
    def percent_words_translated(self) -> float:
        return self.figure.percent_words

    def as_row(self) -> dict[str, object]:
        """Flat, stable keys for JSON and CSV."""
        return {
            "language": self.language,
            "paper": self.domain,
            "file": str(self.path) if self.path else "",
            "exists": self.exists,
            "up_to_date": self.stale is None,
            **{f"{name}": getattr(self, name).messages for name in ("total", *_STATES, "obsolete")},
            **{f"{name}_words": getattr(self, name).words for name in ("total", *_STATES, "obsolete")},
            "translated_target_words": self.translated_target_words,
            "percent_translated": round(self.percent_translated, 2),
            "percent_words_translated": round(self.percent_words_translated, 2),
        }


_STATES: tuple[State, ...] = ("translated", "fuzzy", "untranslated")


@dataclass(frozen=True)
class MissingSegment:
    """A text still to translate or to review, with where to find it."""

    language: str
    domain: str
    state: Literal["untranslated", "fuzzy", "absent"]  # absent: not in the PO file; run `library update`
    msgid: str
    po_path: Path
    po_line: int | None
    source_path: Path | None
    source_line: int | None
    previous_msgid: str | None = None
    translation: str | None = None  # a fuzzy entry's translation, of the previous English

    @property
    def diff(self) -> str | None:
        """For a fuzzy text, a word diff from the English it was translated from to the current one."""
        if self.state != "fuzzy" or self.previous_msgid is None:
            return None
        return word_diff(self.previous_msgid, self.msgid)


def message_state(message: Message | None) -> State:
    """A PO entry's state in pocount's words, from the one definition of a passage's state."""
    return _POCOUNT_NAMES[passage_state(message)]


def _source_words(message: Message) -> int:
    english = (message.id,) if isinstance(message.id, str) else message.id
    return sum(count_words(text) for text in english)


def catalog_status(project: Project, language: str, domain: str) -> CatalogStatus:
    """One catalog counted against the current English: the paper's segments, or the interface's template.

    When the PO file is up to date this is exactly what pocount counts in it; when it lags
    behind, the new English counts as untranslated and `stale` names the command to run.
    """
    config = project.config
    path = catalog_path(config, language, domain)
    catalog = project.catalog(domain, language)
    if domain == UI_DOMAIN:
        figure, sources = _ui_figure(project, language), _template_ids(project.template(domain))
    else:
        segments = project.translation(domain, language).segments
        figure, sources = project.figure(domain, language), {s.segment.msgid for s in segments}
    obsolete, target_words = Tally(), 0
    for message in catalog.obsolete.values() if catalog is not None else ():
        obsolete += Tally(1, _source_words(message))
    for message in catalog or ():
        if message.id and singular(message.id) in sources and message_state(message) == "translated":
            target_words += sum(count_words(text) for text in translations_of(message))
    return CatalogStatus(language, domain, path, figure, obsolete, target_words, catalog is not None,
                         _stale(project, domain, catalog, sources))


def _template_ids(template: Catalog | None) -> set[str]:
    return {singular(message.id) for message in template or () if message.id}


def _ui_figure(project: Project, language: str) -> Figure:
    """The interface catalog's figure, the project's one."""
    return project.figure(UI_DOMAIN, language)


def _stale(project: Project, domain: str, catalog: Catalog | None, sources: set[str]) -> str | None:
    """The command that brings the PO file in line with the English, or None when it is."""
    if catalog is not None and {singular(m.id) for m in catalog if m.id} == sources:
        return None
    if domain != UI_DOMAIN and _template_ids(project.template(domain)) != sources:
        return "library extract && library update"
    return "library update"


def file_status(path: Path, language: str | None = None, domain: str | None = None) -> CatalogStatus:
    """Count one PO or POT file as it stands, read strictly: pocount's view of the file."""
    from library.sources.pofiles import read_catalog

    catalog = read_catalog(path, language=language, domain=domain)
    tallies = {"translated": Tally(), "fuzzy": Tally(), "missing": Tally()}
    target_words = 0
    for message in catalog:
        if not message.id:
            continue  # the header
        state = passage_state(message)
        tallies[state] += Tally(1, _source_words(message))
        if state == "translated":
            target_words += sum(count_words(text) for text in translations_of(message))
    obsolete = Tally()
    for message in catalog.obsolete.values():
        obsolete += Tally(1, _source_words(message))
    return CatalogStatus(language or "", domain or path.stem, path, Figure(**tallies), obsolete, target_words)


def project_status(project: Project, languages: tuple[str, ...] = (),
                   papers: tuple[str, ...] = ()) -> tuple[CatalogStatus, ...]:
    """The status of every catalog asked for, language by language, papers in series order, then 'ui'."""
    chosen_languages = project.select_languages(languages, targets_only=True)
    domains = project.select_papers(papers, ui=True)
    return tuple(catalog_status(project, language, domain) for language in chosen_languages for domain in domains)


def language_totals(statuses: tuple[CatalogStatus, ...]) -> tuple[CatalogStatus, ...]:
    """One TOTAL row per language, summing its catalogs."""
    totals = []
    for language in dict.fromkeys(status.language for status in statuses):
        rows = [status for status in statuses if status.language == language]
        totals.append(CatalogStatus(
            language, TOTAL, None,
            sum((row.figure for row in rows), Figure()),
            sum((row.obsolete for row in rows), Tally()),
            sum(row.translated_target_words for row in rows),
            all(row.exists for row in rows),
            next((row.stale for row in rows if row.stale), None),
        ))
    return tuple(totals)


# --- missing -------------------------------------------------------------------------------


def missing_segments(project: Project, language: str, papers: tuple[str, ...] = ()) -> tuple[MissingSegment, ...]:
    """Every untranslated or fuzzy text of the papers (or 'ui') in language, in reading order."""
    (language,) = project.select_languages((language,), targets_only=True)
    found: list[MissingSegment] = []
    for domain in project.select_papers(papers, ui=True):
        found.extend(_missing_in(project, language, domain))
    return tuple(found)


def _missing_in(project: Project, language: str, domain: str) -> list[MissingSegment]:
    path = catalog_path(project.config, language, domain)
    catalog = project.catalog(domain, language)
    missing = []
    for source in _sources(project, domain, catalog):
        message = catalog.get(source.msgid, source.context) if catalog is not None else None
        text = singular(source.msgid)
        if message is None:
            missing.append(MissingSegment(language, domain, "absent", text, path, None, source.path, source.line))
            continue
        state = message_state(message)
        if state == "translated":
            continue
        previous = message.previous_id[0] if state == "fuzzy" and message.previous_id else None
        translation = message.string if state == "fuzzy" and isinstance(message.string, str) else None
        missing.append(MissingSegment(language, domain, state, text, path, message.lineno, source.path, source.line,
                                      previous, translation))
    return missing


@dataclass(frozen=True)
class _Source:
    """A text to translate and where its English comes from."""

    msgid: str | tuple[str, str]
    path: Path | None
    line: int | None
    context: str | None = None


def _sources(project: Project, domain: str, catalog: Catalog | None) -> Iterator[_Source]:
    """Each distinct text of domain, in reading order: the paper's segments, or the UI template's messages."""
    if domain != UI_DOMAIN:
        yield from _paper_sources(project, domain)
        return
    template = project.template(domain)
    for message in template if template is not None else catalog or ():
        if message.id:
            name, line = message.locations[0] if message.locations else (None, None)
            yield _Source(_msgid(message), project.config.root / name if name else None, line, message.context)


def _msgid(message: Message) -> str | tuple[str, str]:
    """A message's English: its msgid, or its singular and plural."""
    if isinstance(message.id, str):
        return message.id
    return message.id[0], message.id[1]


def _paper_sources(project: Project, slug: str) -> Iterator[_Source]:
    paper = project.paper(slug)
    seen: set[str] = set()
    for translated in project.translation(slug, project.config.source_language).segments:
        segment = translated.segment
        if segment.msgid not in seen:
            seen.add(segment.msgid)
            yield _Source(segment.msgid, paper.path, segment.line)


def word_diff(old: str, new: str) -> str:
    """new, with [-removed-] and {+added+} words, as `git diff --word-diff=plain` shows them."""
    before, after = old.split(), new.split()
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            parts.extend(before[a1:a2])
            continue
        if a2 > a1:
            parts.append("[-" + " ".join(before[a1:a2]) + "-]")
        if b2 > b1:
            parts.append("{+" + " ".join(after[b1:b2]) + "+}")
    return " ".join(parts)


# --- output --------------------------------------------------------------------------------

_COLUMNS = ("translated", "fuzzy", "untranslated", "obsolete")
_SHORT = ("total", "transl.", "fuzzy", "untransl.", "obsolete")


def check_threshold(statuses: tuple[CatalogStatus, ...], percent: float | None) -> None:
    """Raise IncompleteTranslation naming every catalog translated below percent, as the PDF gate judges."""
    if percent is None:
        return
    under = [status for status in statuses if not status.figure.passes(percent)]
    if under:
        names = ", ".join(f"{s.language}/{s.domain} {percent_label(s.percent_translated)}" for s in under)
        raise IncompleteTranslation(f"under {percent:g}% translated: {names}")


def render_status(statuses: tuple[CatalogStatus, ...], fmt: str, root: Path) -> str:
    """The statuses and a TOTAL row per language, as an aligned table, JSON or CSV."""
    rows = [*statuses, *language_totals(statuses)]
    if fmt == "json":
        import json

        data = {"catalogs": [_row(s, root) for s in statuses],
                "totals": [_row(s, root) for s in rows[len(statuses):]]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv([_row(s, root) for s in rows])
    return _status_table(statuses, root)


def _row(status: CatalogStatus, root: Path) -> dict[str, object]:
    row = status.as_row()
    row["file"] = shown(status.path, root) if status.path else ""
    return row


def _csv(rows: list[dict[str, object]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["language"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _status_table(statuses: tuple[CatalogStatus, ...], root: Path) -> str:
    header = ["language", "paper", "complete", *_SHORT, *_SHORT[:-1]]
    body = []
    for language in dict.fromkeys(s.language for s in statuses):
        group = tuple(s for s in statuses if s.language == language)
        body += [_table_cells(s) for s in group]
        if len(group) > 1:
            body.append(_table_cells(language_totals(group)[0]))
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    groups = _group_title("messages", widths[3:8]) + "  " + _group_title("English words", widths[8:])
    lines = [" " * (sum(widths[:3]) + 6) + groups, *(_aligned(row, widths) for row in (header, *body))]
    if any(not s.exists for s in statuses):
        lines.append("* no PO file yet: its English counts as untranslated; run `library update`")
    stale = [s for s in statuses if s.exists and s.stale]
    for command in dict.fromkeys(s.stale for s in stale):
        names = ", ".join(f"{s.language}/{s.domain}" for s in stale if s.stale == command)
        lines.append(f"! behind the English (new text counted as untranslated): {names}; run `{command}`")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _table_cells(status: CatalogStatus) -> list[str]:
    mark = "" if status.exists else "*"
    mark += "!" if status.exists and status.stale else ""
    numbers = [str(getattr(status, name).messages) for name in ("total", *_COLUMNS)]
    words = [str(getattr(status, name).words) for name in ("total", *_COLUMNS[:-1])]  # obsolete words: in JSON
    return [status.language, status.domain + mark, percent_label(status.percent_translated), *numbers, *words]


def _group_title(title: str, widths: list[int]) -> str:
    width = sum(widths) + 2 * (len(widths) - 1)
    return f" {title} ".center(width, "-")


def _aligned(cells: list[str], widths: list[int]) -> str:
    parts = [cell.ljust(width) if index < 2 else cell.rjust(width) for index, (cell, width) in
             enumerate(zip(cells, widths, strict=True))]
    return "  ".join(parts)


def render_missing(missing: tuple[MissingSegment, ...], language: str, root: Path, width: int = 100) -> str:
    """Each missing text as 'po:line: state (source:line)', then, wrapped to width, the English, or for
    a fuzzy one the change of the English and the translation that needs it."""
    lines = []
    for item in missing:
        where = f"{shown(item.po_path, root)}:{item.po_line}" if item.po_line else shown(item.po_path, root)
        source = f"{shown(item.source_path, root)}:{item.source_line}" if item.source_path else "?"
        state = "not in the PO file (run `library update`)" if item.state == "absent" else item.state
        lines.append(f"{where}: {state} (source {source})")
        if item.diff is not None:  # the diff holds the whole current English: once is enough
            lines += _wrapped("changed: ", item.diff, width)
            lines += _wrapped(f"{language}: ", item.translation or "", width)
        else:
            lines += _wrapped("", item.msgid, width)
    counts = {state: sum(1 for item in missing if item.state == state) for state in ("untranslated", "fuzzy", "absent")}
    names = {"absent": "not in the PO file"}
    summary = ", ".join(f"{n} {names.get(state, state)}" for state, n in counts.items() if n)
    lines.append(f"{language}: {summary}" if summary else f"{language}: nothing missing")
    return "\n".join(lines) + "\n"


def render_missing_json(found: dict[str, tuple[MissingSegment, ...]], root: Path) -> str:
    """The missing texts of each language as JSON, paths shown from the project's folder."""
    import json

    rows = [{"language": item.language, "paper": item.domain, "state": item.state, "msgid": item.msgid,
             "file": shown(item.po_path, root), "line": item.po_line,
             "source": shown(item.source_path, root) if item.source_path else None,
             "source_line": item.source_line, "previous_msgid": item.previous_msgid, "translation": item.translation}
            for segments in found.values() for item in segments]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _wrapped(label: str, text: str, width: int) -> list[str]:
    """text indented under its label, wrapped to width (never narrower than 40 columns)."""
    import textwrap

    indent = "    " + " " * len(label)
    return textwrap.wrap(text, width=max(width, 40), initial_indent=f"    {label}", subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [f"    {label}".rstrip()]
