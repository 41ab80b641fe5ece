"""How complete each catalog is, counted as Translate Toolkit's pocount counts, and what is missing."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from .catalogs import UI_DOMAIN, catalog_path, template_path
from .config import Config
from .errors import LibraryError
from .translation import is_translated

__all__ = [
    "TOTAL",
    "State",
    "Tally",
    "CatalogStatus",
    "MissingSegment",
    "count_words",
    "message_state",
    "catalog_status",
    "file_status",
    "project_status",
    "language_totals",
    "missing_segments",
    "word_diff",
    "select_domains",
    "select_languages",
    "check_threshold",
    "render_status",
    "render_missing",
]

TOTAL = "TOTAL"  # the domain of a language's total row; never a slug, which is lowercase
State = Literal["translated", "fuzzy", "untranslated"]

# pocount's own rules before it splits words (translate/tools/pocount.py): a line break tag is a
# space, XML-like tags are dropped, and a dot between two non-digits joins nothing ("e.g" -> " ").
_BR_TAG = re.compile(r"<br\s*?/?>")
_XML_TAG = re.compile(
    r"""<([\w.:]+)(\s([\w.:]+=((".*?")|('.*?')))?)*/?>|</([\w.]+)>""",
)
_DOT_BETWEEN_NON_DIGITS = re.compile(r"\D\.\D")


@dataclass(frozen=True)
class Tally:
    """A number of messages and the English (source) words in them."""

    messages: int = 0
    words: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.messages + other.messages, self.words + other.words)


@dataclass(frozen=True)
class CatalogStatus:
    """The completeness of one catalog (or, with domain TOTAL, of a language)."""

    language: str
    domain: str
    path: Path | None
    translated: Tally
    fuzzy: Tally
    untranslated: Tally
    obsolete: Tally
    translated_target_words: int
    exists: bool = True  # False: no PO file yet, so its template was counted, all untranslated

    @property
    def total(self) -> Tally:
        """Live messages: not the header, not obsolete."""
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent_translated(self) -> float:
        """Translated messages (non-empty, not fuzzy) out of all live messages."""
        return _percent(self.translated.messages, self.total.messages)

    @property
    def percent_words_translated(self) -> float:
        return _percent(self.translated.words, self.total.words)

    def as_row(self) -> dict[str, object]:
        """Flat, stable keys for JSON and CSV."""
        return {
            "language": self.language,
            "paper": self.domain,
            "file": str(self.path) if self.path else "",
            "exists": self.exists,
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

    @property
    def diff(self) -> str | None:
        """For a fuzzy text, a word diff from the English it was translated from to the current one."""
        if self.state != "fuzzy" or self.previous_msgid is None:
            return None
        return word_diff(self.previous_msgid, self.msgid)


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 100.0


def count_words(text: str) -> int:
    """The words of text as pocount counts them: Unicode word boundaries (UAX #29)."""
    from unicode_segmentation_rs import unicode_words

    text = _BR_TAG.sub("\n", text)
    text = _XML_TAG.sub("", text)
    text = _DOT_BETWEEN_NON_DIGITS.sub(" ", text)
    return len(unicode_words(text))


def _strings(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value or "",)


def message_state(message) -> State:
    """Translated (the one definition), fuzzy (flagged, with text to review) or untranslated."""
    if is_translated(message):
        return "translated"
    if message.fuzzy and any(_strings(message.string)):
        return "fuzzy"  # a fuzzy entry with no text is simply untranslated, as pocount has it
    return "untranslated"


def _source_words(message) -> int:
    return sum(count_words(text) for text in _strings(message.id))


def catalog_status(config: Config, language: str, domain: str) -> CatalogStatus:
    """Count the PO file of domain in language (its template, all untranslated, if it does not exist yet)."""
    path = catalog_path(config, language, domain)
    exists = path.exists()
    source = path if exists else template_path(config, domain)
    if not source.exists():
        raise LibraryError(f"{path}: no catalog and no template; run `library extract` and `library update`")
    status = file_status(source, language if exists else None, domain)
    return replace(status, language=language, path=path, exists=exists)


def file_status(path: Path, language: str | None = None, domain: str | None = None) -> CatalogStatus:
    """Count one PO or POT file, read strictly."""
    from .pofiles import read_catalog

    catalog = read_catalog(path, language=language, domain=domain)
    return _count(catalog, language or "", domain or path.stem, path, True)


def _count(catalog, language: str, domain: str, path: Path, exists: bool) -> CatalogStatus:
    tallies = {state: Tally() for state in _STATES}
    target_words = 0
    for message in catalog:
        if not message.id:
            continue  # the header
        state = message_state(message)
        tallies[state] += Tally(1, _source_words(message))
        if state == "translated":
            target_words += sum(count_words(text) for text in _strings(message.string))
    obsolete = Tally()
    for message in catalog.obsolete.values():
        obsolete += Tally(1, _source_words(message))
    return CatalogStatus(language, domain, path, tallies["translated"], tallies["fuzzy"], tallies["untranslated"],
                         obsolete, target_words, exists)


def select_languages(config: Config, languages: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The languages asked for (all target languages by default), refusing unknown ones."""
    for language in languages:
        if language not in config.languages:
            raise LibraryError(f"unknown language {language!r}: setup.cfg lists {', '.join(config.languages)}")
    return tuple(dict.fromkeys(languages)) or config.languages


def select_domains(config: Config, papers: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The paper slugs asked for (or 'ui'), all papers then 'ui' by default, refusing unknown ones."""
    from .papers import load_papers

    known = (*(paper.slug for paper in load_papers(config.papers_dir)), UI_DOMAIN)
    for name in papers:
        if name not in known:
            raise LibraryError(f"unknown paper {name!r}: choose from {', '.join(known)}")
    return tuple(name for name in known if name in papers) if papers else known


def project_status(config: Config, languages: tuple[str, ...] = (),
                   papers: tuple[str, ...] = ()) -> tuple[CatalogStatus, ...]:
    """The status of every catalog asked for, language by language, papers in series order, then 'ui'."""
    chosen_languages = select_languages(config, languages)
    domains = select_domains(config, papers)
    return tuple(catalog_status(config, language, domain) for language in chosen_languages for domain in domains)


def language_totals(statuses: tuple[CatalogStatus, ...]) -> tuple[CatalogStatus, ...]:
    """One TOTAL row per language, summing its catalogs."""
    totals = []
    for language in dict.fromkeys(status.language for status in statuses):
        rows = [status for status in statuses if status.language == language]
        totals.append(CatalogStatus(
            language, TOTAL, None,
            *(sum((getattr(row, name) for row in rows), Tally()) for name in (*_STATES, "obsolete")),
            sum(row.translated_target_words for row in rows),
            all(row.exists for row in rows),
        ))
    return tuple(totals)


# --- missing -------------------------------------------------------------------------------


def missing_segments(config: Config, language: str, papers: tuple[str, ...] = ()) -> tuple[MissingSegment, ...]:
    """Every untranslated or fuzzy text of the papers (or 'ui') in language, in reading order."""
    (language,) = select_languages(config, (language,))
    domains = select_domains(config, papers)
    found: list[MissingSegment] = []
    for domain in domains:
        found.extend(_missing_in(config, language, domain))
    return tuple(found)


def _missing_in(config: Config, language: str, domain: str) -> list[MissingSegment]:
    from .pofiles import read_catalog

    path = catalog_path(config, language, domain)
    catalog = read_catalog(path, language=language, domain=domain) if path.exists() else None
    missing = []
    for source in _sources(config, domain, catalog):
        message = catalog.get(source.msgid, source.context) if catalog is not None else None
        text = source.msgid[0] if isinstance(source.msgid, tuple) else source.msgid
        if message is None:
            missing.append(MissingSegment(language, domain, "absent", text, path, None, source.path, source.line))
            continue
        state = message_state(message)
        if state == "translated":
            continue
        previous = message.previous_id[0] if state == "fuzzy" and message.previous_id else None
        missing.append(MissingSegment(language, domain, state, text, path, message.lineno, source.path, source.line,
                                      previous))
    return missing


@dataclass(frozen=True)
class _Source:
    """A text to translate and where its English comes from."""

    msgid: str | tuple[str, str]
    path: Path | None
    line: int | None
    context: str | None = None


def _sources(config: Config, domain: str, catalog):
    """Each distinct text of domain, in reading order: the paper's segments, or the UI template's messages."""
    if domain != UI_DOMAIN:
        yield from _paper_sources(config, domain)
        return
    from .pofiles import read_catalog

    template = template_path(config, domain)
    messages = read_catalog(template, domain=domain) if template.exists() else catalog
    for message in messages or ():
        if message.id:
            name, line = message.locations[0] if message.locations else (None, None)
            yield _Source(message.id, config.root / name if name else None, line, message.context)


def _paper_sources(config: Config, slug: str):
    from .papers import load_paper
    from .segments import segment_paper

    paper = load_paper(config.papers_dir / f"{slug}.md")
    seen: set[str] = set()
    for segment in segment_paper(paper):
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
    """Raise IncompleteTranslation naming every catalog translated below percent."""
    from .errors import IncompleteTranslation

    if percent is None:
        return
    under = [status for status in statuses if status.percent_translated < percent]
    if under:
        names = ", ".join(f"{s.language}/{s.domain} {s.percent_translated:.1f}%" for s in under)
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
    row["file"] = _relative(status.path, root) if status.path else ""
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
    header = ["language", "paper", "translated", *_SHORT, *_SHORT[:-1]]
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
        lines.append("* no PO file yet: its template was counted; run `library update`")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _table_cells(status: CatalogStatus) -> list[str]:
    mark = "" if status.exists else "*"
    numbers = [str(getattr(status, name).messages) for name in ("total", *_COLUMNS)]
    words = [str(getattr(status, name).words) for name in ("total", *_COLUMNS[:-1])]  # obsolete words: in JSON
    return [status.language, status.domain + mark, f"{status.percent_translated:.1f}%", *numbers, *words]


def _group_title(title: str, widths: list[int]) -> str:
    width = sum(widths) + 2 * (len(widths) - 1)
    return f" {title} ".center(width, "-")


def _aligned(cells: list[str], widths: list[int]) -> str:
    parts = [cell.ljust(width) if index < 2 else cell.rjust(width) for index, (cell, width) in
             enumerate(zip(cells, widths))]
    return "  ".join(parts)


def render_missing(missing: tuple[MissingSegment, ...], language: str, root: Path) -> str:
    """Each missing text as 'po:line: state (source:line)', the English, and for a fuzzy one the change."""
    lines = []
    for item in missing:
        where = f"{_relative(item.po_path, root)}:{item.po_line}" if item.po_line else _relative(item.po_path, root)
        source = f"{_relative(item.source_path, root)}:{item.source_line}" if item.source_path else "?"
        state = "not in the PO file (run `library update`)" if item.state == "absent" else item.state
        lines += [f"{where}: {state} (source {source})", f"    {item.msgid}"]
        if item.diff is not None:
            lines.append(f"    changed: {item.diff}")
    counts = {state: sum(1 for item in missing if item.state == state) for state in ("untranslated", "fuzzy", "absent")}
    names = {"absent": "not in the PO file"}
    summary = ", ".join(f"{n} {names.get(state, state)}" for state, n in counts.items() if n)
    lines.append(f"{language}: {summary}" if summary else f"{language}: nothing missing")
    return "\n".join(lines) + "\n"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
