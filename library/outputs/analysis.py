"""Text analysis for search: tokenise, lowercase, drop stop words, fold accents, then stem.

Folding comes before stemming so that a reader who types "declaracion" finds
"Declaración". Snowball's suffix tables are written with accents, though, so
"declaracion" would keep its suffix while "declaraciones" loses it; the stemmers
here get folded tables, and stem folded words exactly as Snowball stems accented ones.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

__all__ = ["OPERATORS", "FoldedStemFilter", "analyzer", "analysis_name", "fold", "is_question_word", "question_words",
           "stem", "stop_words", "word_spans", "words"]

# Whoosh's word pattern, with apostrophes as separators: "l’examen" gives "l" and "examen".
_WORD = re.compile(r"\w+(?:[.,]\w+)*")
# Snowball's stop lists leave out a few of the commonest words of each language.
_EXTRA_STOP_WORDS = {
    "en": {"also", "may", "can", "us"},
    "fr": {"les", "aux", "ces", "cet", "cette", "leurs", "où", "dont", "ainsi", "plus"},
    "es": {"del", "al", "así"},
}
# ...and leave out of them a few that matter here: the papers are about what to do before, during
# and after the Forum, and a reader asking "what happens after the forum" means that word.
_NOT_STOP_WORDS = {
    "en": {"after", "before", "during"},
    "es": {"antes", "durante"},
}

# Readers type AND, OR and NOT, and in their own language too; operators must be capitals.
OPERATORS = {
    "fr": {"And": "ET", "Or": "OU", "Not": "SAUF"},
    "es": {"And": "Y", "Or": "O", "Not": "NO"},
}

# Words that ask rather than say ("what", "pourquoi", "cómo"): a query keeps them only to rank, never to exclude.
_QUESTION_WORDS = {
    "en": {"what", "why", "how", "when", "where", "who", "whom", "which", "whose", "does", "do", "did", "happens",
           "happen", "mean", "means"},
    "fr": {"que", "qu", "quoi", "qui", "quel", "quelle", "quels", "quelles", "pourquoi", "comment", "quand", "où",
           "combien", "lequel", "laquelle", "lesquels", "lesquelles", "est", "ce", "se", "passe", "t", "il",
           "signifie", "veut", "dire"},
    "es": {"qué", "que", "cuál", "cuáles", "cómo", "cuándo", "dónde", "adónde", "quién", "quiénes", "cuánto",
           "cuánta", "cuántos", "cuántas", "por", "para", "es", "son", "pasa", "ocurre", "sucede", "significa"},
}


def fold(text: str) -> str:
    """text with its accents and ligatures folded to plain letters ("Déclaración" -> "Declaracion")."""
    from whoosh.support.charset import accent_map

    return text.translate(accent_map)


_EDGE_MARKS = re.compile(r"^[^\w]+|[^\w]+$")  # "¿quién" and "why?" are the words that ask


def is_question_word(word: str, language: str) -> bool:
    """Whether word, as typed, with or without accents and marks around it (¿quién), only asks: what, pourquoi, cómo."""
    return fold(_EDGE_MARKS.sub("", word).lower()) in _folded_question_words(base_language(language))


def question_words(language: str) -> frozenset[str]:
    """The words that only ask in language, folded (the browser's search drops them as the server does)."""
    return _folded_question_words(base_language(language))


@cache
def _folded_question_words(code: str) -> frozenset[str]:
    return frozenset(fold(word) for word in _QUESTION_WORDS.get(code, ()))


def base_language(language: str) -> str:
    return language.split("_")[0].lower()


@cache
def stop_words(language: str) -> frozenset[str]:
    """Stop words of language, each both as written and folded."""
    from whoosh.lang import has_stopwords, stopwords_for_language

    code = base_language(language)
    words_ = set(stopwords_for_language(code)) if has_stopwords(code) else set()
    words_ = (words_ | _EXTRA_STOP_WORDS.get(code, set())) - _NOT_STOP_WORDS.get(code, set())
    return frozenset(words_ | {fold(word) for word in words_})


@cache
def _folded_stemmer(language: str) -> Any:  # a Whoosh Snowball stemmer (Whoosh is untyped)
    """Whoosh's Snowball stemmer for language, its suffix tables and vowels folded."""
    from whoosh.lang.snowball import classes

    stemmer_class = classes.get(base_language(language))
    if stemmer_class is None:
        return None
    folded: dict[str, object] = {}
    for klass in stemmer_class.__mro__:
        for attribute, value in vars(klass).items():
            if ("suffixes" in attribute or "vowels" in attribute) and attribute not in folded:
                folded[attribute] = _fold_table(value)
    return type(f"Folded{stemmer_class.__name__}", (stemmer_class,), folded)()


def _fold_table(value: object) -> object:
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return tuple(fold(item) for item in value)
    return value


@lru_cache(maxsize=200_000)
def stem(language: str, folded_word: str) -> str:
    """The Snowball stem of a folded word (the word itself for a language without a stemmer)."""
    stemmer = _folded_stemmer(language)
    return stemmer.stem(folded_word) if stemmer is not None else folded_word


class FoldedStemFilter:
    """A Whoosh filter stemming folded words; a plain class, so the index can pickle it by name."""

    is_morph = True  # Whoosh skips morphological filters when it highlights or corrects terms

    def __init__(self, language: str) -> None:
        self.language = language

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.language == self.language

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:  # Whoosh's tokens
        for token in tokens:
            if not token.stopped:
                token.text = stem(self.language, token.text)
            yield token


@cache
def analyzer(language: str) -> Any:  # a Whoosh analyzer (Whoosh is untyped)
    """The Whoosh analyzer of language: words, lowercase, stop words out, folded, stemmed."""
    from whoosh.analysis import (
        CharsetFilter,
        CompositeAnalyzer,
        LowercaseFilter,
        RegexTokenizer,
        StopFilter,
    )
    from whoosh.support.charset import accent_map

    return CompositeAnalyzer(
        RegexTokenizer(_WORD),
        LowercaseFilter(),
        StopFilter(stoplist=stop_words(language), minsize=1),
        CharsetFilter(accent_map),
        FoldedStemFilter(base_language(language)),
    )


def analysis_name(language: str) -> str:
    """How language is analysed, for `library index` to say: stemmed, or folded words only."""
    from whoosh.lang.snowball import classes

    if base_language(language) in classes:
        return "Snowball stemmer"
    return "folded words (no Snowball stemmer for this language)"


def words(text: str, language: str) -> list[str]:
    """The lowercase words of text that are not stop words, as written (accents kept)."""
    stops = stop_words(language)
    return [word for word in (w.lower() for w in _WORD.findall(text)) if word not in stops]


@lru_cache(maxsize=8192)
def word_spans(text: str, language: str) -> tuple[tuple[int, int, str], ...]:
    """Each indexed word of text: where it starts and ends, and the term it is indexed as.

    The same steps as `analyzer`, without Whoosh's token objects: highlighting a passage
    this way costs a regular expression and cached stems.
    """
    stops, code = stop_words(language), base_language(language)
    spans = []
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if word not in stops:
            spans.append((match.start(), match.end(), stem(code, fold(word))))
    return tuple(spans)
