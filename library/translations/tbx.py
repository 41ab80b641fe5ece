"""The glossary (locales/glossary.csv) as TBX-Basic, for a CAT tool's terminology base.

One ``termEntry`` per glossary line; per language a ``langSet`` whose official term is
``preferredTerm-admn-sts``, whose accepted variants (the ``<language>:accepted`` columns)
are ``admittedTerm-admn-sts`` and whose forms to avoid (``<language>:avoid``) are
``deprecatedTerm-admn-sts``, as TBX-Basic names a term's administrative status. The note
goes with the entry.
"""
from __future__ import annotations

from pathlib import Path

from library import __version__
from library.core.paths import glossary_path
from library.model.project import Project
from library.sources.glossary import Glossary, Term, read_glossary
from library.translations.exchange import escape_text

__all__ = ["STATUSES", "export_tbx", "render_tbx"]

STATUSES = {"official": "preferredTerm-admn-sts", "accepted": "admittedTerm-admn-sts",
            "avoid": "deprecatedTerm-admn-sts"}


def export_tbx(project: Project, output: Path) -> tuple[Path, int]:
    """Write <output>/glossary.tbx; return it with its number of entries."""
    from library.core.errors import GlossaryError
    from library.core.files import write_atomic

    config = project.config
    path = glossary_path(config)
    glossary = read_glossary(path, config.source_language, config.locales_dir)
    if glossary.path is None:
        raise GlossaryError(path, None, "no glossary to export")
    languages = (config.source_language, *config.languages)
    target = output / "glossary.tbx"
    write_atomic(target, render_tbx(glossary, languages))
    return target, len(glossary.terms)


def render_tbx(glossary: Glossary, languages: tuple[str, ...]) -> bytes:
    """TBX-Basic (martif) text of the glossary's terms in languages, the source language first."""
    entries = "".join(_entry(term, languages) for term in glossary.terms)
    source = languages[0]
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<martif type="TBX-Basic" xml:lang="{source}">\n'
        "  <martifHeader>\n    <fileDesc>\n"
        f"      <sourceDesc><p>The official terminology of the briefing library (locales/glossary.csv), "
        f"exported by briefing-library {__version__}</p></sourceDesc>\n"
        '    </fileDesc>\n    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>\n'
        "  </martifHeader>\n  <text>\n    <body>\n" + entries + "    </body>\n  </text>\n</martif>\n"
    )
    return text.encode("utf-8")


def _entry(term: Term, languages: tuple[str, ...]) -> str:
    lines = [f'      <termEntry id="glossary-{term.line}">']
    if term.note:
        lines.append(f"        <note>{escape_text(term.note)}</note>")
    for language in languages:
        official = term.english if language == languages[0] else term.translation(language)
        forms = [(official, "official")] if official else []
        # A form readers may still search for but translations must avoid is, to a CAT tool, deprecated.
        forms += [(form, "accepted") for form in term.accepted_variants(language)
                  if form not in term.avoided_variants(language)]
        forms += [(form, "avoid") for form in term.avoided_variants(language)]
        if not forms:
            continue
        lines.append(f'        <langSet xml:lang="{language}">')
        lines += [f"          <tig><term>{escape_text(form)}</term>"
                  f'<termNote type="administrativeStatus">{STATUSES[kind]}</termNote></tig>'
                  for form, kind in _unique(forms)]
        lines.append("        </langSet>")
    lines.append("      </termEntry>")
    return "\n".join(lines) + "\n"


def _unique(forms: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each form once, with its first status (an official term also listed as a variant stays preferred)."""
    kept: dict[str, str] = {}
    for form, kind in forms:
        kept.setdefault(form, kind)
    return list(kept.items())
