"""XLIFF 1.2 out of the catalogs and back in, as the OASIS "XLIFF 1.2 Representation Guide for Gettext PO" maps them.

One file per catalog (``<paper>.<lang>.xlf``). A unit's id is a hash of its English (and
context), so it is the same in every export while the English stays the same, and an import
can tell a unit whose English changed. Fuzzy entries go out as
``state="needs-review-translation"``, untranslated ones as ``needs-translation``, translated
ones as ``translated`` (and ``approved="yes"``); comments as notes, ``#:`` locations as
context groups, the previous English of an outdated entry as an ``alt-trans``, plurals as
``x-gettext-plurals`` groups, inline Markdown as tags (see exchange).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from library import __version__
from library.core.errors import CatalogError
from library.core.files import read_checked
from library.core.paths import catalog_path, template_path
from library.model.project import Project
from library.model.translation import singular
from library.quality.checks import CHECKS, check_text
from library.sources.pofiles import parse_catalog, silenced_checks
from library.sources.powriter import render_catalog
from library.translations.exchange import (
    Code,
    Element,
    ExchangeError,
    aligned,
    escape_attribute,
    escape_text,
    inline_pieces,
    iter_records,
)

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

__all__ = ["XLIFF_NS", "CatalogImport", "XliffPlan", "unit_id", "render_xliff", "export_xliff", "plan_xliff_import"]

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
TOOL = "briefing-library"
FINAL_STATES = {"translated", "signed-off", "final"}
# The checks whose errors an import refuses, as `library check` would: broken tags, lost links.
IMPORT_CHECKS = frozenset({"markup", "links"})
_INLINE = {"bpt", "ept", "ph"}


def unit_id(message: Message) -> str:
    """The same id in every export while the entry's English (and context) stays the same."""
    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    key = "\x04".join([message.context or "", *ids])
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _is_python_format(message: Message) -> bool:
    return "python-format" in message.flags


# --- export --------------------------------------------------------------------------------


def export_xliff(project: Project, languages: tuple[str, ...], papers: tuple[str, ...],
                 output: Path) -> list[tuple[Path, dict[str, int]]]:
    """Write <output>/<paper>.<lang>.xlf for each catalog asked; return each file and its count of units by state."""
    from library.core.files import write_atomic

    written = []
    source = project.config.source_language
    for language in project.select_languages(languages, targets_only=True):
        for domain in project.select_papers(papers, ui=True):
            catalog = project.catalog(domain, language)
            if catalog is None:
                continue  # no PO file yet: `library update` makes it
            data, counts = render_xliff(catalog, domain, source, language)
            path = output / f"{domain}.{language}.xlf"
            write_atomic(path, data)
            written.append((path, counts))
    return written


def render_xliff(catalog: Catalog, domain: str, source: str, language: str) -> tuple[bytes, dict[str, int]]:
    """The XLIFF 1.2 text of one catalog, and how many of its entries are in each state."""
    counts = {"translated": 0, "needs-review-translation": 0, "needs-translation": 0}
    units = []
    for message in catalog:
        if not message.id:
            continue
        state = _state(message)
        counts[state] += 1
        units.append(_plural_group(message, state, language) if isinstance(message.id, (list, tuple))
                     else _unit(message, state, language))
    header = "".join(f"{name}: {value}\n" for name, value in catalog.mime_headers
                     if name != "Generated-By" and value != "EMAIL@ADDRESS")  # as the PO file writes it
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<xliff version="1.2" xmlns="{XLIFF_NS}">\n'
        f'  <file original="{escape_attribute(domain)}.po" source-language="{source}" '
        f'target-language="{language}" datatype="po" tool-id="{TOOL}">\n'
        f'    <header>\n      <tool tool-id="{TOOL}" tool-name="briefing library" tool-version="{__version__}"/>\n'
        "    </header>\n    <body>\n"
        '      <trans-unit id="header" restype="x-gettext-domain-header" translate="no" approved="no" '
        f'xml:space="preserve">\n        <source>{escape_text(header)}</source>\n      </trans-unit>\n'
        + "".join(units)
        + "    </body>\n  </file>\n</xliff>\n"
    )
    return text.encode("utf-8"), counts


def _state(message: Message) -> str:
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    if not any(strings):
        return "needs-translation"
    return "needs-review-translation" if message.fuzzy else "translated"


def _unit(message: Message, state: str, language: str) -> str:
    english, translation = singular(message.id), str(message.string or "")  # one form: not a plural
    lines = [f'      <trans-unit id="{unit_id(message)}" approved="{_approved(state)}" xml:space="preserve">',
             f"        <source>{_inline(english, message)}</source>",
             _target_element(translation, english, message, state, language),
             *_context(message), *_notes(message)]
    if message.fuzzy and message.previous_id:
        lines.append(_alt_trans(message.previous_id[0], translation, message, language))
    lines.append("      </trans-unit>")
    return "\n".join(line for line in lines if line) + "\n"


def _plural_group(message: Message, state: str, language: str) -> str:
    group = unit_id(message)
    one, plural = message.id[0], message.id[1]
    strings = tuple(message.string or ())
    previous = list(message.previous_id or ())
    lines = [f'      <group id="{group}" restype="x-gettext-plurals">', *_context(message), *_notes(message)]
    for index, text in enumerate(strings or ("",)):
        english = one if index == 0 else plural
        lines += [f'        <trans-unit id="{group}[{index}]" approved="{_approved(state)}" xml:space="preserve">',
                  f"          <source>{_inline(english, message)}</source>",
                  "  " + _target_element(text, english, message, state, language)]
        if message.fuzzy and previous:
            lines.append("  " + _alt_trans(previous[min(index, len(previous) - 1)], text, message, language))
        lines.append("        </trans-unit>")
    lines.append("      </group>")
    return "\n".join(line for line in lines if line) + "\n"


def _approved(state: str) -> str:
    return "yes" if state == "translated" else "no"


def _target_element(text: str, english: str, message: Message, state: str, language: str) -> str:
    target = _inline(text, message, english=english)
    return f'        <target xml:lang="{language}" state="{state}">{target}</target>'


def _alt_trans(previous: str, text: str, message: Message, language: str) -> str:
    return (f'        <alt-trans origin="previous" xml:space="preserve"><source>{_inline(previous, message)}</source>'
            f'<target xml:lang="{language}">{_inline(text, message, english=previous)}</target></alt-trans>')


def _context(message: Message) -> list[str]:
    lines = []
    if message.context is not None:
        lines.append('        <context-group name="po-entry" purpose="information">'
                     f'<context context-type="x-po-msgctxt">{escape_text(message.context)}</context></context-group>')
    for name, line in message.locations:
        number = f'<context context-type="linenumber">{line}</context>' if line else ""
        lines.append('        <context-group name="po-reference" purpose="location">'
                     f'<context context-type="sourcefile">{escape_text(name)}</context>{number}</context-group>')
    return lines


def _notes(message: Message) -> list[str]:
    notes = [("developer", message.auto_comments), ("po-translator", message.user_comments)]
    return [f'        <note from="{origin}">{escape_text(chr(10).join(comments))}</note>'
            for origin, comments in notes if comments]


def _inline(text: str, message: Message, *, english: str | None = None) -> str:
    """text with its Markdown as tags; a translation's tags take the ids of the English's same tags."""
    pieces = inline_pieces(text, _is_python_format(message))
    if english is not None:
        pieces = tuple(aligned(pieces, inline_pieces(english, _is_python_format(message))))
    return "".join(escape_text(piece) if isinstance(piece, str) else _tag(piece) for piece in pieces)


def _tag(code: Code) -> str:
    kind = f' ctype="{code.kind}"' if code.role != "ept" else ""
    return f'<{code.role} id="{code.id}"{kind}>{escape_text(code.native)}</{code.role}>'


# --- import --------------------------------------------------------------------------------


@dataclass
class CatalogImport:
    """What an import does to one PO file."""

    path: Path
    translated: int = 0  # entries given a new translation, marked translated
    fuzzy: int = 0  # entries given a new translation the file still marks for review (fuzzy)
    reviewed: int = 0  # fuzzy entries the file marks translated, their text unchanged
    kept: int = 0  # translations the file left empty, kept as they are
    units: int = 0  # units read for this catalog


@dataclass
class _Catalog:
    path: Path
    language: str
    domain: str
    data: bytes  # the PO file's bytes as read: it must still hold them when written
    catalog: Catalog
    report: CatalogImport
    by_id: dict[str, Message] = field(default_factory=dict)
    lines: dict[str, tuple[Path, int]] = field(default_factory=dict)  # unit id -> where it was in the XLIFF


@dataclass
class XliffPlan:
    """The PO files an import will write (path -> (bytes read, bytes to write)) and what changes in each."""

    writes: dict[Path, tuple[bytes, bytes]] = field(default_factory=dict)
    reports: list[CatalogImport] = field(default_factory=list)


def plan_xliff_import(project: Project, paths: list[Path]) -> XliffPlan:
    """Read XLIFF files and work out every catalog's new text, refusing the whole import at the first problem."""
    catalogs: dict[tuple[str, str], _Catalog] = {}
    for path in paths:
        _read_file(project, path, catalogs)
    plan = XliffPlan()
    for entry in catalogs.values():
        data = _rendered(entry)
        if data != entry.data:
            plan.writes[entry.path] = (entry.data, data)
        plan.reports.append(entry.report)
    return plan


def _read_file(project: Project, path: Path, catalogs: dict[tuple[str, str], _Catalog]) -> None:
    files: dict[tuple[object, ...], _Catalog] = {}
    records = iter_records(path, {"trans-unit", "group"})
    root, _ = next(records)
    if root.tag != "xliff" or root.namespace != XLIFF_NS or root.attrs.get("version") != "1.2":
        raise ExchangeError(path, root.line, f"not an XLIFF 1.2 file (the root is <{root.tag}> "
                                             f"version {root.attrs.get('version', 'none')!r}, "
                                             f"in {root.namespace or 'no namespace'!r})")
    for record, ancestors in records:
        file = next((element for element in reversed(ancestors) if element.tag == "file"), None)
        if file is None:
            raise ExchangeError(path, record.line, f"a <{record.tag}> outside any <file>")
        key = (file.line, *sorted(file.attrs.items()))  # a file element is only alive while it is open
        if key not in files:
            files[key] = _open_catalog(project, path, file, catalogs)
        _take(files[key], path, record)


def _take(entry: _Catalog, path: Path, element: Element) -> None:
    """Take a trans-unit, a plural group, or the units of any other group a tool made."""
    if element.tag == "trans-unit":
        if element.attrs.get("restype") != "x-gettext-domain-header" and element.attrs.get("translate") != "no":
            _take_unit(entry, path, element)
    elif element.attrs.get("restype") == "x-gettext-plurals":
        _take_plural(entry, path, element, element.elements("trans-unit"))
    else:
        for child in element.children:
            if isinstance(child, Element) and child.tag in ("trans-unit", "group"):
                _take(entry, path, child)


def _open_catalog(project: Project, path: Path, file: Element,
                  catalogs: dict[tuple[str, str], _Catalog]) -> _Catalog:
    config = project.config
    source = file.attrs.get("source-language", "")
    language = file.attrs.get("target-language", "")
    original = file.attrs.get("original", "")
    if _primary(source) != config.source_language:
        raise ExchangeError(path, file.line, f"source language {source!r}, but the library's English is "
                                             f"{config.source_language!r}")
    if language not in config.languages:
        raise ExchangeError(path, file.line, f"target language {language!r} is not one of this library's "
                                             f"({', '.join(config.languages)})")
    domain = original.removesuffix(".po")
    po = catalog_path(config, language, domain)
    if not original.endswith(".po") or "/" in domain or "\\" in domain or not domain \
            or not template_path(config, domain).is_file() or not po.is_file():
        raise ExchangeError(path, file.line, f"unknown catalog {original!r}: no locales/{language}/LC_MESSAGES/"
                                             f"{domain or '?'}.po in this library")
    key = (language, domain)
    if key not in catalogs:
        data = read_checked(po, config.locales_dir, CatalogError)
        catalog = parse_catalog(data, po, language=language, domain=domain)
        entry = _Catalog(po, language, domain, data, catalog, CatalogImport(po))
        entry.by_id = {unit_id(message): message for message in catalog if message.id}
        catalogs[key] = entry
    return catalogs[key]


def _primary(code: str) -> str:
    return code.replace("_", "-").split("-")[0].lower()


def _take_unit(entry: _Catalog, path: Path, unit: Element) -> None:
    identifier = unit.attrs.get("id", "")
    message = _message(entry, path, unit, identifier)
    if isinstance(message.id, (list, tuple)):
        raise ExchangeError(path, unit.line, f"unit {identifier!r} is a plural entry, but not in a plural group")
    _check_source(entry, path, unit, message.id, message)
    text, final = _target(entry, path, unit, message)
    entry.report.units += 1
    _apply(entry, path, unit, message, (text,), final)


def _take_plural(entry: _Catalog, path: Path, group: Element, forms: list[Element]) -> None:
    identifier = group.attrs.get("id", "")
    message = _message(entry, path, group, identifier)
    if not isinstance(message.id, (list, tuple)):
        raise ExchangeError(path, group.line, f"group {identifier!r} is a plural group, but its entry has no plural")
    texts, finals = [], []
    if not forms:
        raise ExchangeError(path, group.line, f"plural group {identifier!r} has no units")
    for index, unit in enumerate(forms):
        if unit.attrs.get("id") != f"{identifier}[{index}]":
            raise ExchangeError(path, unit.line, f"expected the unit {identifier}[{index}] here, found "
                                                 f"{unit.attrs.get('id')!r}")
        _check_source(entry, path, unit, message.id[0] if index == 0 else message.id[1], message)
        text, final = _target(entry, path, unit, message, english=message.id[0] if index == 0 else message.id[1])
        texts.append(text)
        finals.append(final)
    entry.report.units += 1
    _apply(entry, path, forms[0], message, tuple(texts), all(finals))


def _message(entry: _Catalog, path: Path, element: Element, identifier: str) -> Message:
    if identifier in entry.lines:
        first = entry.lines[identifier]
        raise ExchangeError(path, element.line,
                            f"unit {identifier!r} appears twice (first at {first[0].name}:{first[1]})")
    message = entry.by_id.get(identifier)
    if message is None:
        raise ExchangeError(path, element.line, f"unit {identifier!r}: the English changed since the export "
                                                f"(locales/{entry.language}/LC_MESSAGES/{entry.domain}.po has no "
                                                "such text); export again")
    entry.lines[identifier] = (path, element.line)
    return message


def _check_source(entry: _Catalog, path: Path, unit: Element, english: str, message: Message) -> None:
    source = unit.first("source")
    if source is None:
        raise ExchangeError(path, unit.line, "a <trans-unit> without <source>")
    if _flatten(path, source) != english:
        raise ExchangeError(path, source.line, f"unit {unit.attrs.get('id')!r}: the English changed since the "
                                               "export; export again")


def _target(entry: _Catalog, path: Path, unit: Element, message: Message,
            english: str | None = None) -> tuple[str, bool]:
    """The unit's target text ("" when none) and whether its state says translated or final."""
    target = unit.first("target")
    if target is None:
        return "", False
    lang = target.attrs.get("xml:lang")
    if lang is not None and _primary(lang) != _primary(entry.language):
        raise ExchangeError(path, target.line, f"a target in {lang!r} in the file for {entry.language!r}")
    text = _flatten(path, target, codes=_codes(english if english is not None else singular(message.id), message))
    state = target.attrs.get("state")
    final = state in FINAL_STATES if state is not None else unit.attrs.get("approved") == "yes"
    return text, final


def _codes(english: str, message: Message) -> dict[tuple[str, str], str]:
    """The English's tags: (element, id) -> the Markdown they hold."""
    return {(code.role, str(code.id)): code.native for code in inline_pieces(english, _is_python_format(message))
            if isinstance(code, Code)}


def _flatten(path: Path, element: Element, codes: dict[tuple[str, str], str] | None = None) -> str:
    """The text of a source or target, each tag given back as the Markdown inside it.

    A tag a tool wrote back empty (some keep only the tag) stands for the English's same tag.
    """
    parts = []
    for child in element.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag in _INLINE:
            key = (child.tag, child.attrs.get("id", ""))
            if codes is not None and key not in codes:
                raise ExchangeError(path, child.line, f"tag <{child.tag} id=\"{key[1]}\"> is "
                                                      "not in the English; copy the English's tags")
            parts.append(child.text() or (codes or {}).get(key, ""))
        elif child.tag == "mrk":  # a tool's segment or comment marks: their text is the text
            parts.append(_flatten(path, child, codes))
        else:
            raise ExchangeError(path, child.line, f"<{child.tag}> is not a tag of this export "
                                                  "(only bpt, ept, ph and mrk are read)")
    return "".join(parts)


def _apply(entry: _Catalog, path: Path, unit: Element, message: Message, texts: tuple[str, ...], final: bool) -> None:
    plural = isinstance(message.id, (list, tuple))
    old = tuple(message.string or ()) if plural else (str(message.string or ""),)
    new = tuple(text or before for text, before in zip(texts, old + ("",) * len(texts), strict=False))
    new = new + old[len(new):]
    entry.report.kept += sum(1 for text, before in zip(texts, old, strict=False) if before and not text)
    if new != old:
        _check_markup(entry, path, unit, message, new)
        message.string = new if plural else new[0]
        if final:
            _unfuzzy(message)
            entry.report.translated += 1
        else:
            message.flags.add("fuzzy")
            entry.report.fuzzy += 1
    elif message.fuzzy and final and all(new):
        _unfuzzy(message)
        entry.report.reviewed += 1


def _unfuzzy(message: Message) -> None:
    # As a PO editor does when a translator confirms an entry: the previous English goes too.
    message.flags.discard("fuzzy")
    message.previous_id = []


def _check_markup(entry: _Catalog, path: Path, unit: Element, message: Message, strings: tuple[str, ...]) -> None:
    """Refuse a translation whose tags or links `library check` would call an error."""
    ignore = (frozenset(check.id for check in CHECKS if check.id not in IMPORT_CHECKS)
              | frozenset(silenced_checks(message)))
    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    for index, text in enumerate(strings):
        if not text:
            continue
        english = ids[0] if index == 0 else ids[-1]
        for finding in check_text(english, text, entry.language, ignore=ignore):
            raise ExchangeError(path, unit.line, f"unit {unit.attrs.get('id')!r}: {finding.message} "
                                                 f"[{finding.check}]; the catalog checks refuse it")


def _rendered(entry: _Catalog) -> bytes:
    """The catalog's new text, read back with the strict reader; its refusal names the XLIFF unit."""
    data = render_catalog(entry.catalog, keep_python_format=True)
    try:
        parse_catalog(data, entry.path, language=entry.language, domain=entry.domain)
    except CatalogError as error:
        where = _unit_at(entry, data, error.line)
        if where is None:
            raise
        raise ExchangeError(where[0], where[1], error.message) from None
    return data


def _unit_at(entry: _Catalog, data: bytes, line: int | None) -> tuple[Path, int] | None:
    """Where in the XLIFF the entry at line of the rendered PO text came from."""
    if line is None:
        return None
    starts = [number for number, text in enumerate(data.decode("utf-8").split("\n"), start=1)
              if text.startswith("msgid ")][1:]  # the first is the header's
    messages = [message for message in entry.catalog if message.id]
    before = [index for index, start in enumerate(starts) if start <= line]
    if not before or before[-1] >= len(messages):
        return None
    return entry.lines.get(unit_id(messages[before[-1]]))
