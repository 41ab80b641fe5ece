"""A paper in one language: each segment's text and status, with English fallbacks."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from library.core.paths import UI_DOMAIN
from library.sources.papers import Paper
from library.sources.segments import Segment, segment_paper

if TYPE_CHECKING:
    import gettext

    from babel import Locale
    from babel.messages.catalog import Catalog, Message
    from markupsafe import Markup

__all__ = [
    "singular",
    "translations_of",
    "Status",
    "Tally",
    "Figure",
    "TranslatedSegment",
    "TranslatedPaper",
    "EscapingTranslations",
    "is_translated",
    "passage_state",
    "keeps_previous_translation",
    "count_words",
    "shown_percent",
    "percent_label",
    "translate_paper",
    "ui_translations",
    "text_direction",
]

# A passage is translated, out of date (a fuzzy entry: the English changed since), or missing.
Status = Literal["translated", "fuzzy", "missing"]

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
class Figure:
    """How much of a text is translated: the one figure every count, badge, gate and mark shows.

    Counted in distinct messages of the current English, as pocount counts a PO file that is
    up to date: a passage repeated in a paper is one message, translated once.
    """

    translated: Tally = Tally()
    fuzzy: Tally = Tally()
    missing: Tally = Tally()

    def __add__(self, other: Figure) -> Figure:
        return Figure(self.translated + other.translated, self.fuzzy + other.fuzzy, self.missing + other.missing)

    @property
    def total(self) -> Tally:
        return self.translated + self.fuzzy + self.missing

    @property
    def percent(self) -> float:
        """Translated messages out of all messages; nothing to translate is complete."""
        return 100.0 * self.translated.messages / self.total.messages if self.total.messages else 100.0

    @property
    def percent_words(self) -> float:
        return 100.0 * self.translated.words / self.total.words if self.total.words else 100.0

    def passes(self, threshold: float) -> bool:
        """At or above the publication threshold (exact, not the rounded figure)."""
        return self.percent >= threshold


def shown_percent(percent: float) -> float:
    """A percentage as every output shows it: one decimal, rounded down, so only complete is 100."""
    return math.floor(percent * 10 + 1e-9) / 10


def percent_label(percent: float, locale: Locale | str = "en") -> str:
    """The shown percentage in a locale's own format: "65.5%", "65,5 %", "100 %"."""
    from decimal import Decimal

    from babel.numbers import format_percent

    # The locale's own pattern (its spacing and sign), with the one decimal the figure has.
    share = Decimal(str(shown_percent(percent))) / 100
    return format_percent(share.normalize(), locale=locale, decimal_quantization=False)


def count_words(text: str) -> int:
    """The words of text as pocount counts them: Unicode word boundaries (UAX #29)."""
    from unicode_segmentation_rs import unicode_words

    text = _BR_TAG.sub("\n", text)
    text = _XML_TAG.sub("", text)
    text = _DOT_BETWEEN_NON_DIGITS.sub(" ", text)
    return len(unicode_words(text))


@dataclass(frozen=True)
class TranslatedSegment:
    """A segment as a reader sees it: the text, its language, and why it is in that language."""

    segment: Segment
    text: str
    language: str  # the language of text: the target, or the source when it falls back
    status: Status
    # An outdated passage whose English changed only a little keeps its previous translation;
    # this is then the current English, which the reader can still reach.
    current_source: str = ""

    @property
    def needs_work(self) -> bool:
        """Missing or out of date: what the figure does not count and translators are shown."""
        return self.status != "translated"

    @property
    def is_fallback(self) -> bool:
        """Shown in the source language, for want of a (close enough) translation."""
        return self.needs_work and not self.current_source


@dataclass(frozen=True)
class TranslatedPaper:
    """A paper's segments in one language."""

    paper: Paper
    language: str
    segments: tuple[TranslatedSegment, ...]

    def count(self, status: Status) -> int:
        """Distinct messages in status, as the figure counts them."""
        tally: Tally = getattr(self.figure, status)
        return tally.messages

    @cached_property  # every page's key asks for it: counted once, not hundreds of times a build
    def figure(self) -> Figure:
        """The one figure of this paper in this language, from each distinct message's state."""
        tallies: dict[str, Tally] = {"translated": Tally(), "fuzzy": Tally(), "missing": Tally()}
        seen: set[str] = set()
        for segment in self.segments:
            if segment.segment.msgid not in seen:
                seen.add(segment.segment.msgid)
                tallies[segment.status] += Tally(1, count_words(segment.segment.msgid))
        return Figure(**tallies)

    def by_id(self) -> dict[str, TranslatedSegment]:
        return {s.segment.id: s for s in self.segments}


def singular(msgid: str | tuple[str, ...] | list[str]) -> str:
    """The English of a msgid (or of a previous msgid), its singular when it has plural forms."""
    return msgid if isinstance(msgid, str) else msgid[0]


def translations_of(message: Message) -> tuple[str, ...]:
    """A message's translations: one, or one per plural form (Babel keeps a plural's as a tuple)."""
    if message.pluralizable:
        return tuple(message.string or ())
    return (str(message.string or ""),)


def is_translated(message: Message) -> bool:
    """The one definition used everywhere: a non-empty translation that is not fuzzy."""
    strings = translations_of(message)
    return bool(strings) and all(strings) and not message.fuzzy


def passage_state(message: Message | None) -> Status:
    """The state of a passage from its PO entry (None: not in the catalog): the one place it is decided.

    A fuzzy entry with no text is simply missing, as pocount has it.
    """
    if message is None:
        return "missing"
    if is_translated(message):
        return "translated"
    return "fuzzy" if message.fuzzy and any(translations_of(message)) else "missing"


def translate_paper(paper: Paper, language: str, catalog: Catalog | None, source_language: str = "en",
                    segments: tuple[Segment, ...] | None = None) -> TranslatedPaper:
    """Look up each segment of paper (by default, as its text cuts it) in catalog (a Babel Catalog, or None)."""
    segments = segment_paper(paper) if segments is None else segments
    if language == source_language:
        shown = tuple(TranslatedSegment(s, s.msgid, language, "translated") for s in segments)
        return TranslatedPaper(paper, language, shown)
    shown = tuple(_translate(segment, catalog, language, source_language) for segment in segments)
    return TranslatedPaper(paper, language, shown)


def _translate(segment: Segment, catalog: Catalog | None, language: str, source_language: str) -> TranslatedSegment:
    message = catalog.get(segment.msgid) if catalog is not None else None
    status = passage_state(message)
    if message is None:
        return TranslatedSegment(segment, segment.msgid, source_language, status)
    if status == "translated":
        return TranslatedSegment(segment, _composed(message), language, status)
    if status == "fuzzy" and message.previous_id and keeps_previous_translation(message.previous_id[0], segment.msgid):
        return TranslatedSegment(segment, _composed(message), language, status, current_source=segment.msgid)
    return TranslatedSegment(segment, segment.msgid, source_language, status)


def _composed(message: Message) -> str:
    """The translation with each accented letter in one code point (NFC), however the translator's editor saved it."""
    return unicodedata.normalize("NFC", translations_of(message)[0])


# How alike the previous and the current English must be, in words, for the previous translation
# to stay on the page (marked). Word-level similarity = 1 - word edit distance / longer length.
# On edits of the real papers (tests/test_translation.py holds these examples):
#   one word changed in a 61-word paragraph ("will gather" -> "will meet"): 0.98, kept;
#   two words changed in it ("a plain question" -> "one simple question"): 0.97, kept;
#   a heading "What the IMRF is" -> "What the IMRF does": 0.75, English: in four words one word
#     is a quarter of the meaning;
#   a sentence rewritten around the same words: 0.27, English.
# 0.8 keeps the small edits that leave a translation nearly right, and drops the rest.
PREVIOUS_SIMILARITY = 0.8
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)")


def keeps_previous_translation(previous: str, current: str) -> bool:
    """Whether a translation of previous still serves for current, marked as possibly out of date.

    Only when the words barely changed and no number or link target did: a changed date or
    figure in an old translation would be wrong, not merely dated.
    """
    from rapidfuzz.distance import Levenshtein

    if _NUMBER.findall(previous) != _NUMBER.findall(current):
        return False
    if _LINK_TARGET.findall(previous) != _LINK_TARGET.findall(current):
        return False
    return Levenshtein.normalized_similarity(previous.split(), current.split()) >= PREVIOUS_SIMILARITY


class EscapingTranslations:
    """Interface strings for Jinja2, escaped, and marked where they fall back to the source language.

    A translator's '<b>' is shown, never obeyed: Jinja2's i18n extension marks what gettext
    returns as safe HTML, so the escaping has to happen here, before it does. A string with no
    translation comes back in a span that says its language (and its direction, where the
    page's differs), as the papers' untranslated passages do, so screen readers and
    hyphenation switch language. Where the text goes into an attribute, a template takes
    it through `striptags`.
    """

    def __init__(self, translations: gettext.NullTranslations, translated: frozenset[str] | None = None,
                 fallback_language: str = "",
                 page_direction: str = "ltr") -> None:
        self._translations = translations
        self._translated = translated  # None: the source language, where nothing falls back
        self._fallback_language = fallback_language
        self._page_direction = page_direction

    def gettext(self, message: str) -> Markup:
        return self._marked(message, self._translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> Markup:
        return self._marked(singular, self._translations.ngettext(singular, plural, n))

    def plain(self, message: str) -> tuple[str, str | None]:
        """message's translation as plain text, for metadata, and the language it falls back to (None: translated)."""
        translated = self._translated is None or message in self._translated
        return self._translations.gettext(message), None if translated else self._fallback_language

    def _marked(self, message: str, text: str) -> Markup:
        from markupsafe import Markup, escape

        if self._translated is None or message in self._translated:
            return escape(text)
        direction = text_direction(self._fallback_language)
        flip = f' dir="{direction}"' if direction != self._page_direction else ""
        return Markup(f'<span lang="{self._fallback_language}"{flip}>{{}}</span>').format(text)


def text_direction(code: str) -> str:
    """"rtl" for a language written right to left (Arabic, Hebrew...), else "ltr", from Babel's locale data."""
    from babel import Locale

    return Locale.parse(code).text_direction


def ui_translations(catalog: Catalog | None, language: str, source_language: str) -> EscapingTranslations:
    """The interface strings of language from its catalog (None: there is none, and all fall back)."""
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.support import Translations

    if language == source_language:
        return EscapingTranslations(gettext.NullTranslations())
    translations, translated = gettext.NullTranslations(), frozenset[str]()
    if catalog is not None:
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # fuzzy entries left out, as everywhere
        buffer.seek(0)
        translations = Translations(buffer, domain=UI_DOMAIN)
        translated = frozenset(singular(message.id) for message in catalog if message.id and is_translated(message))
    return EscapingTranslations(translations, translated, source_language, text_direction(language))
