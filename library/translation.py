"""A paper in one language: each segment's text and status, with English fallbacks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .config import Config
from .papers import Paper
from .segments import Segment, segment_paper

__all__ = [
    "Status",
    "TranslatedSegment",
    "TranslatedPaper",
    "EscapingTranslations",
    "is_translated",
    "translate_paper",
    "load_translation",
    "load_ui_translations",
]

Status = Literal["translated", "fuzzy", "missing"]


@dataclass(frozen=True)
class TranslatedSegment:
    """A segment as a reader sees it: the text, its language, and why it is in that language."""

    segment: Segment
    text: str
    language: str  # the language of text: the target, or the source when it falls back
    status: Status

    @property
    def is_fallback(self) -> bool:
        return self.status != "translated"


@dataclass(frozen=True)
class TranslatedPaper:
    """A paper's segments in one language."""

    paper: Paper
    language: str
    segments: tuple[TranslatedSegment, ...]

    def count(self, status: Status) -> int:
        return sum(1 for s in self.segments if s.status == status)

    @property
    def percent_translated(self) -> float:
        return 100.0 * self.count("translated") / len(self.segments) if self.segments else 100.0

    def by_id(self) -> dict[str, TranslatedSegment]:
        return {s.segment.id: s for s in self.segments}


def is_translated(message) -> bool:
    """The one definition used everywhere: a non-empty translation that is not fuzzy."""
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def translate_paper(paper: Paper, language: str, catalog, source_language: str = "en") -> TranslatedPaper:
    """Look up each segment of paper in catalog (a Babel Catalog, or None for no catalog)."""
    if language == source_language:
        segments = tuple(TranslatedSegment(s, s.msgid, language, "translated") for s in segment_paper(paper))
        return TranslatedPaper(paper, language, segments)
    segments = tuple(_translate(segment, catalog, language, source_language) for segment in segment_paper(paper))
    return TranslatedPaper(paper, language, segments)


def _translate(segment: Segment, catalog, language: str, source_language: str) -> TranslatedSegment:
    message = catalog.get(segment.msgid) if catalog is not None else None
    if message is not None and is_translated(message):
        return TranslatedSegment(segment, message.string, language, "translated")
    status: Status = "fuzzy" if message is not None and message.fuzzy and message.string else "missing"
    return TranslatedSegment(segment, segment.msgid, source_language, status)


def load_translation(config: Config, paper: Paper, language: str) -> TranslatedPaper:
    """translate_paper with the paper's PO file for language, read strictly."""
    from .catalogs import catalog_path
    from .pofiles import read_catalog

    if language == config.source_language:
        return translate_paper(paper, language, None, config.source_language)
    path = catalog_path(config, language, paper.slug)
    catalog = read_catalog(path, language=language, domain=paper.slug) if path.exists() else None
    return translate_paper(paper, language, catalog, config.source_language)


class EscapingTranslations:
    """Interface strings for Jinja2, escaped: a translator's '<b>' is shown, never obeyed.

    Jinja2's i18n extension marks what gettext returns as safe HTML, so the
    escaping has to happen here, before it does.
    """

    def __init__(self, translations) -> None:
        self._translations = translations

    def gettext(self, message: str):
        from markupsafe import escape

        return escape(self._translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int):
        from markupsafe import escape

        return escape(self._translations.ngettext(singular, plural, n))


def load_ui_translations(config: Config, language: str) -> EscapingTranslations:
    """The interface catalog of language (fuzzy and empty entries left out), read strictly."""
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.support import Translations

    from .catalogs import UI_DOMAIN, catalog_path
    from .pofiles import read_catalog

    path = catalog_path(config, language, UI_DOMAIN)
    if language == config.source_language or not path.exists():
        return EscapingTranslations(gettext.NullTranslations())
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(path, language=language, domain=UI_DOMAIN))
    buffer.seek(0)
    return EscapingTranslations(Translations(buffer, domain=UI_DOMAIN))
