"""The terminology checks: where the English has a glossary term, the official form, and no form to avoid."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from library.quality.findings import Context
from library.sources.glossary import Term
from library.sources.markup import prose

__all__ = ["avoided_term", "glossary"]

TERM_GAP = 15  # words allowed between two words of a term: "audiencia interactiva oficiosa de múltiples interesados"


def glossary(source: str, target: str, context: Context) -> Iterable[str]:
    """Official terminology: where the English has a glossary term, the translation has its official form."""
    english = _fold(prose(source))
    englishes = tuple(term.english for term in context.terms)
    words: list[str] | None = None  # the translation's words, split only when a term is there
    for term in context.terms:
        official, phrase = term.translation(context.language), _fold(term.english)
        # A substring test first: most entries hold a handful of the terms, and the patterns cost more.
        if not official or phrase not in english or not _has_phrase(english, phrase):
            continue
        if not _has_phrase(_without_longer_terms(english, phrase, englishes), phrase):
            continue
        words = _loose_words(prose(target)) if words is None else words
        if not _has_term(words, official):
            yield f"“{term.english}” is officially “{official}” (glossary line {term.line})"


def _without_longer_terms(english: str, phrase: str, englishes: tuple[str, ...]) -> str:
    """The English with the longer terms that hold phrase blanked: "GCM" in "GCM Pledging Initiative" is that name."""
    for longer in _longer_terms(phrase, englishes):
        if longer in english:
            english = _phrase(longer).sub(" ", english)
    return english


@lru_cache(maxsize=1024)
def _longer_terms(phrase: str, englishes: tuple[str, ...]) -> tuple[str, ...]:
    """The folded terms longer than phrase that hold it, in glossary order: found once, not once per entry."""
    folded = (_fold(english) for english in englishes)
    return tuple(longer for longer in folded if len(longer) > len(phrase) and _has_phrase(longer, phrase))


@lru_cache(maxsize=8192)  # each term is folded again for every entry and every other term
def _fold(text: str) -> str:
    """Case, apostrophes and spaces made uniform, accents kept."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _has_phrase(text: str, phrase: str) -> bool:
    """phrase in text as whole words, or as a plural ("round tables" has "round table")."""
    return _phrase(phrase).search(text) is not None


@lru_cache(maxsize=1024)
def _phrase(phrase: str) -> re.Pattern[str]:
    """The pattern of phrase as whole words, perhaps plural."""
    return re.compile(rf"(?<!\w){re.escape(phrase)}(e?s)?(?!\w)")


def _loose_words(text: str) -> list[str]:
    """Words without case or accents, apostrophes splitting them (l’ensemble: l, ensemble)."""
    bare = unicodedata.normalize("NFKD", text.casefold())
    return re.findall(r"[^\W_]+", "".join(char for char in bare if not unicodedata.combining(char)))


def _has_term(words: list[str], official: str) -> bool:
    """The term's words in order, inflected (examen régional: examens régionaux) and a few words apart."""
    term = _loose_words(official)
    stems = [word[: max(4, len(word) - 2)] for word in term if len(word) >= 4] or term
    return any(word.startswith(stems[0]) and _rest_follows(words, start, stems[1:]) for start, word in enumerate(words))


def _rest_follows(words: list[str], position: int, stems: list[str]) -> bool:
    for stem in stems:
        window = words[position + 1 : position + 2 + TERM_GAP]
        found = next((i for i, word in enumerate(window) if word.startswith(stem)), None)
        if found is None:
            return False
        position += 1 + found
    return True


def avoided_term(source: str, target: str, context: Context) -> Iterable[str]:
    """A form the glossary says to avoid (its `<language>:avoid` column), in any case, with or without accents."""
    text = _bare(prose(target))
    english = _fold(prose(source))
    meant: list[str] | None = None  # the official forms the English calls for: found once a form to avoid is there
    for term in context.terms:
        found = {form: _spans(text, [_bare_form(form)]) for form in term.avoided_variants(context.language)
                 if _may_hold(text, _bare_form(form))}
        if not any(found.values()):
            continue
        official = term.translation(context.language)
        # A form to avoid for one term can be the official form of another, or part of it ("participation
        # effective" is "effective participation"; "primauté du droit" opens the label "primauté du droit et
        # garanties d'une procédure régulière"): inside that form, where the English has that term, it is right.
        meant = _meant(english, context) if meant is None else meant
        allowed = _spans(text, [*meant, _bare_form(official)] if official else meant)
        for form, spans in found.items():
            if any(not _inside(span, allowed) for span in spans):
                yield _avoid_message(form, term, official)


def _meant(english: str, context: Context) -> list[str]:
    """The official forms, bare, of the terms the English holds."""
    return [_bare_form(term.translation(context.language)) for term in context.terms
            if term.translation(context.language) and _fold(term.english) in english
            and _has_phrase(english, _fold(term.english))]


def _may_hold(text: str, form: str) -> bool:
    """Whether text can hold form at all: _form_pattern needs each of its words, as written, in text."""
    return all(word in text for word in form.split())


def _avoid_message(form: str, term: Term, official: str) -> str:
    if official:
        return f"“{form}” is a form to avoid for “{term.english}”: write “{official}” (glossary line {term.line})"
    return f"“{form}” is a form to avoid for “{term.english}” (glossary line {term.line}: {term.note})"


def _bare(text: str) -> str:
    """Folded (case, apostrophes, spaces) and without accents, so “Estatus” finds “estatus”."""
    decomposed = unicodedata.normalize("NFKD", _fold(text))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=4096)
def _bare_form(form: str) -> str:
    """A glossary form bare: the same few forms are asked for by every entry."""
    return _bare(form)


def _spans(text: str, forms: list[str]) -> list[tuple[int, int]]:
    """Where each form is in text as whole words, each word perhaps plural (estatus migratorios)."""
    return [match.span() for form in forms for match in _form_pattern(form).finditer(text)]


@lru_cache(maxsize=1024)
def _form_pattern(form: str) -> re.Pattern[str]:
    words = (rf"{re.escape(word)}(?:e?s|x)?" for word in form.split())
    return re.compile(rf"(?<!\w){' '.join(words)}(?!\w)")


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)
