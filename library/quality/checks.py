"""Quality checks on translated texts: markup, links, numbers, typography, terminology.

Each check is a small function from the English text and its translation to the
problems it sees. A translator silences one check for one entry with the translator
comment ``# library-ignore: <check id>, ...`` (see pofiles: gettext's tools keep comments,
not flags they do not know), as Weblate's ``ignore-<check>`` flags do.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from library.core.paths import catalog_path, shown
from library.core.words import counted
from library.model.project import Project
from library.model.translation import is_translated
from library.quality.findings import Check, Context, Finding, Problem, Severity
from library.quality.terminology import avoided_term, glossary
from library.sources.glossary import Term
from library.sources.markup import inline_tokens, prose
from library.sources.pofiles import IGNORE_COMMENT, IGNORE_FLAG, read_catalog, silenced_checks

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

__all__ = [
    "Severity",
    "Context",
    "Check",
    "Finding",
    "Problem",
    "CHECKS",
    "IGNORE_FLAG",
    "check_text",
    "terms_for",
    "check_catalog",
    "check_messages",
    "check_project",
    "check_outcome",
    "render_problems",
]

# --- the checks ----------------------------------------------------------------------------

_MARKUP = {
    "em_open": "emphasis (*…*)",
    "strong_open": "strong emphasis (**…**)",
    "link_open": "link ([…](…))",
    "image": "image (![…](…))",
    "code_inline": "code span (`…`)",
    "hardbreak": "line break",
}


def _markup(source: str, target: str, context: Context) -> Iterable[str]:
    """Inline Markdown: the same emphasis, links, images, code spans and line breaks."""
    counts = [Counter(t.type for t in inline_tokens(text) if t.type in _MARKUP) for text in (source, target)]
    counts[1]["em_open"] -= _foreign_italics(source, target)
    for kind, name in _MARKUP.items():
        if counts[0][kind] != counts[1][kind]:
            yield f"{name}: {counts[0][kind]} in the English, {counts[1][kind]} in the translation"
    if counts[0]["code_inline"] == counts[1]["code_inline"]:
        codes = [Counter(t.content for t in inline_tokens(text) if t.type == "code_inline")
                 for text in (source, target)]
        for code in sorted(codes[0] - codes[1]):
            yield f"code span `{code}` must be kept as it is"


def _foreign_italics(source: str, target: str) -> int:
    """Italics the translation adds around words it keeps in English, as French and Spanish typography wants."""
    english, emphasised = prose(source), set(_emphasised(source))
    return sum(1 for words in _emphasised(target) if words and words in english and words not in emphasised)


def _emphasised(text: str) -> list[str]:
    """The text inside each *emphasis* span."""
    spans, depth, current = list[str](), 0, list[str]()
    for token in inline_tokens(text):
        if token.type == "em_open":
            depth, current = depth + 1, []
        elif token.type == "em_close" and depth:
            depth -= 1
            spans.append("".join(current))
        elif depth and token.type == "text":
            current.append(token.content)
    return spans


def _links(source: str, target: str, context: Context) -> Iterable[str]:
    """The same link targets; only a language code in the address may change (/en/ to /fr/)."""
    from library.sources.markup import link_targets

    wanted = Counter(_link_key(url, context.language) for url in link_targets(source))
    found = Counter(_link_key(url, context.language) for url in link_targets(target))
    originals = {_link_key(url, context.language): url for url in (*link_targets(source), *link_targets(target))}
    for key in sorted((wanted - found).keys()):
        yield f"the link to {originals[key]} is missing from the translation"
    for key in sorted((found - wanted).keys()):
        yield f"the link to {originals[key]} is not in the English"


def _link_key(url: str, language: str) -> str:
    # A translator may point to the page in their language: en.site/..., /en/, ?lang=en.
    codes = "|".join(sorted({"en", language.split("_")[0]}))
    url = re.sub(rf"(?<=//)({codes})(?=\.)", "*", url)
    url = re.sub(rf"(?<=/)({codes})(?=/|$|\?|#)", "*", url)
    return re.sub(rf"([?&](?:lang|hl|language)=)({codes})\b", r"\1*", url)


def _numbers(source: str, target: str, context: Context) -> Iterable[str]:
    """The same numbers, read in the English format and in the language's (1.5% is 1,5 %)."""
    english = _numbers_in(prose(source), "en")
    as_local = _numbers_in(prose(target), context.language)
    as_english = _numbers_in(prose(target), "en")  # a number the translator kept as written is fine
    for value in sorted(english - as_local - as_english):
        yield f"the number {_shown(value)} is missing from the translation"
    extra = as_local - english
    if extra and as_english - english:
        for value in sorted(extra):
            yield f"the number {_shown(value)} is not in the English"


@lru_cache(maxsize=8)
def _number_pattern(language: str) -> re.Pattern[str]:
    from babel.numbers import get_decimal_symbol, get_group_symbol

    decimal, group = get_decimal_symbol(language), get_group_symbol(language)
    groups = {group}
    if decimal == ",":  # French and Spanish style guides group thousands with a space: 12 000
        groups |= {" ", "\u00a0", "\u202f"}
    separators = "".join(re.escape(g) for g in sorted(groups))
    return re.compile(
        r"(?<!\d)"
        rf"(?P<whole>\d{{1,3}}(?:[{separators}]\d{{3}})+(?!\d)|\d+)"
        rf"(?:{re.escape(decimal)}(?P<fraction>\d+))?"
    )


def _numbers_in(text: str, language: str) -> set[Decimal]:
    values = set()
    for match in _number_pattern(language).finditer(text):
        digits = re.sub(r"\D", "", match["whole"])  # group separators out
        values.add(Decimal(f"{digits}.{match['fraction']}" if match["fraction"] else digits))
    return values


def _shown(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _whitespace(source: str, target: str, context: Context) -> Iterable[str]:
    """The same leading and trailing whitespace."""
    for where, strip in (("starts", str.lstrip), ("ends", str.rstrip)):
        before = _edge(source, strip, where)
        after = _edge(target, strip, where)
        if before != after:
            yield f"the English {where} with {_describe(before)}, the translation with {_describe(after)}"


def _edge(text: str, strip: Callable[[str], str], where: str) -> str:
    rest = strip(text)
    return text[: len(text) - len(rest)] if where == "starts" else text[len(rest):]


def _describe(space: str) -> str:
    if not space:
        return "no whitespace"
    names = {" ": "space", "\n": "newline", "\t": "tab", "\u00a0": "no-break space", "\u202f": "narrow no-break space"}
    return " + ".join(names.get(char, f"U+{ord(char):04X}") for char in space)


_CLOSERS = "\"'”’»)]*_`\u00a0\u202f "
_END_MARKS = {".": "a full stop", "…": "an ellipsis", "?": "a question mark", "!": "an exclamation mark",
              ":": "a colon", ";": "a semicolon", ",": "a comma"}


def _punctuation(source: str, target: str, context: Context) -> Iterable[str]:
    """The same end punctuation: a full stop, question mark, colon, ... or none."""
    before, after = _end_mark(source), _end_mark(target)
    if before == "" and after in "?!":
        return  # a heading or title turned into a question ("Who we are": "Qui sommes-nous ?")
    if before != after:
        yield (f"the English ends with {_END_MARKS.get(before, 'no punctuation')}, "
               f"the translation with {_END_MARKS.get(after, 'no punctuation')}")


def _end_mark(text: str) -> str:
    # Quotes, brackets and emphasis close after or before the stop depending on the
    # language ("end." vs « fin ».), so they are looked through.
    bare = text.rstrip().rstrip(_CLOSERS).replace("...", "…")
    return bare[-1] if bare and bare[-1] in _END_MARKS else ""


_NO_BREAK = "\u00a0\u202f"
# A colon or semicolon only counts before a space or the end: "https://", "10:30" are not punctuation.
_HIGH_MARK = re.compile(r"(?P<space>[ \u00a0\u202f]?)(?P<mark>[:;](?=\s|$)|[!?»])")


def _french_spacing(source: str, target: str, context: Context) -> Iterable[str]:
    """French typography: a no-break space before : ; ! ? » and after «."""
    if context.language.split("_")[0] != "fr":
        return
    text = prose(target)
    for match in _HIGH_MARK.finditer(text):
        if not _needs_space(text, match):
            continue
        plain = "a plain space" if match["space"] else "no space"
        yield f"{plain} before “{match['mark']}”: use a no-break space"
    for match in re.finditer(r"«(?P<next>.?)", text):
        if not match["next"] or match["next"] not in _NO_BREAK:
            yield "after “«”, use a no-break space"


def _needs_space(text: str, match: re.Match[str]) -> bool:
    if match["space"]:
        return match["space"] not in _NO_BREAK
    previous = text[match.start() - 1] if match.start() else ""
    if not previous:
        return False
    # "?!" and "…?" take no space; a "!" inside a word is not punctuation.
    return not (match["mark"] in "!?" and (previous in "!?…" or _glued(text, match.end())))


def _glued(text: str, end: int) -> bool:
    return end < len(text) and text[end].isalnum()


# French typography keeps a number with its noun: « 16 mai », « 23 objectifs », « objectif 8 ». A year
# (« en 2020 et ») or a number followed by a small word (« 17 au 20 mai ») is left alone, so the check only
# speaks where a break would split a number from what it counts or names.
_LABELS = ("alinéa", "annexe", "article", "chapitre", "cible", "objectif", "paragraphe", "résolution")
_LABEL_THEN_NUMBER = re.compile(rf"(?<!\w)(?P<label>(?i:{'|'.join(_LABELS)})s?) (?P<number>\d+(?:[./]\d+)*)")
_NUMBER_THEN_WORD = re.compile(r"(?<![\w/.,-])(?P<number>\d+(?:[.,]\d+)?) (?P<word>[a-zà-öø-ÿœæ][^\W\d_]*)")
_SMALL_WORDS = frozenset({
    "a", "à", "après", "au", "aux", "avant", "avec", "car", "ce", "ces", "cette", "chez", "comme", "contre", "d",
    "dans", "de", "depuis", "des", "donc", "dont", "du", "elle", "elles", "en", "entre", "est", "et", "il", "ils",
    "jusqu", "l", "la", "le", "les", "leur", "leurs", "lors", "mais", "n", "ne", "ni", "on", "ont", "ou", "où", "par",
    "pour", "puis", "qu", "que", "qui", "s", "sa", "sans", "se", "selon", "ses", "son", "sont", "sous", "sur", "un",
    "une", "vers", "y",
})


def _french_number_spacing(source: str, target: str, context: Context) -> Iterable[str]:
    """French typography: a no-break space between a number and its noun (« 16 mai », « objectif 8 »)."""
    if context.language.split("_")[0] != "fr":
        return
    text = prose(target)
    for match in _LABEL_THEN_NUMBER.finditer(text):
        yield f"“{match['label']} {match['number']}”: use a no-break space between the word and its number"
    for match in _NUMBER_THEN_WORD.finditer(text):
        number, word = match["number"], match["word"]
        is_year = len(number) == 4 and number.isdigit()
        if not is_year and word not in _SMALL_WORDS:
            yield f"“{number} {word}”: use a no-break space between the number and its noun"


_WORD = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")
_PLACEHOLDERS = re.compile(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[a-zA-Z%]|\{[^{}]*\}")
UNTRANSLATED_FROM = 3  # words: "participation", "PDF, page %(page)s" are the same in French


def _untranslated(source: str, target: str, context: Context) -> Iterable[str]:
    """A translation identical to the English, unless it is short, only names, or an official term."""
    if source.strip() != target.strip():
        return
    words = _WORD.findall(_PLACEHOLDERS.sub(" ", prose(source)))
    if len(words) < UNTRANSLATED_FROM or not any(word[0].islower() for word in words):
        return  # "New York Declaration for Refugees": names are the same in every language
    if any(term.english == source.strip() and term.translation(context.language) == term.english
           for term in context.terms):
        return
    yield "the translation is the English text"


_ALLOWED_REPEATS = {"fr": {"nous", "vous"}}  # "nous nous réunissons"
_REPEAT = re.compile(r"\b([^\W\d_]+)\s+\1\b", re.IGNORECASE)


def _repeated_word(source: str, target: str, context: Context) -> Iterable[str]:
    """A word written twice in a row (“de de”), unless the English repeats it too."""
    allowed = _ALLOWED_REPEATS.get(context.language.split("_")[0], set())
    english = {match[1].casefold() for match in _REPEAT.finditer(prose(source))}
    for match in _REPEAT.finditer(prose(target)):
        word = match[1].casefold()
        if word not in allowed and word not in english:
            yield f"“{match[0]}”: a word repeated"


LENGTH_FROM = 60  # characters of English text; shorter texts vary too much (acronyms spelt out)
LENGTH_RATIO = (0.5, 2.5)


def _length(source: str, target: str, context: Context) -> Iterable[str]:
    """A translation far shorter or longer than the English: a sentence lost or one too many."""
    before, after = len(prose(source)), len(prose(target))
    if before < LENGTH_FROM:
        return
    ratio = after / before
    if not LENGTH_RATIO[0] <= ratio <= LENGTH_RATIO[1]:
        yield f"the translation is {ratio:.1f} times as long as the English ({after} and {before} characters)"


_PLACEHOLDER = re.compile(r"(todo|tbd|fixme|x{2,}|n/?a)", re.IGNORECASE)


def _empty_looking(source: str, target: str, context: Context) -> Iterable[str]:
    """A translation with no words (only spaces, punctuation or markup) or a placeholder like TODO."""
    if not _has_words(target) and _has_words(source):
        yield "the translation has no words: it would show as blank or as stray marks"
    elif _is_placeholder(target) and not _is_placeholder(source):
        yield f"“{target.strip()}” looks like a placeholder, not a translation"


def _is_placeholder(text: str) -> bool:
    return _PLACEHOLDER.fullmatch(prose(text).strip(" .…-?!")) is not None


def _has_words(text: str) -> bool:
    # Code spans count as words too: `library update` is not blank.
    return any(char.isalnum() for char in prose(text) or text)


CHECKS: tuple[Check, ...] = (
    Check("markup", "error", "inline Markdown (emphasis, links, code, line breaks) kept", _markup),
    Check("links", "error", "link targets kept (a language code in them may change)", _links),
    Check("numbers", "error", "numbers kept, in the English or the language's format", _numbers),
    Check("empty-looking", "error", "a translation with no words, or a placeholder such as TODO", _empty_looking),
    Check("whitespace", "warning", "the same leading and trailing whitespace", _whitespace),
    Check("punctuation", "warning", "the same end punctuation", _punctuation),
    Check("french-spacing", "warning", "French: a no-break space before : ; ! ? » and after «", _french_spacing),
    Check("french-number-spacing", "warning", "French: a no-break space between a number and its noun "
          "(« 16 mai », « objectif 8 »)", _french_number_spacing),
    Check("untranslated", "warning", f"a translation identical to the English ({UNTRANSLATED_FROM}+ words)",
          _untranslated),
    Check("repeated-word", "warning", "a word written twice in a row", _repeated_word),
    Check("length", "warning", f"a translation under {LENGTH_RATIO[0]} or over {LENGTH_RATIO[1]} times "
          f"the length of an English text of {LENGTH_FROM}+ characters", _length),
    Check("glossary", "warning", "official terminology from locales/glossary.csv", glossary),
    Check("avoided-term", "warning", "a form the glossary lists to avoid (its <language>:avoid columns)",
          avoided_term),
)
_BY_ID = {check.id: check for check in CHECKS}


# --- running them --------------------------------------------------------------------------


def terms_for(terms: Iterable[Term], language: str) -> tuple[Term, ...]:
    """The terms that speak to translations into language: an official form, or forms to avoid there."""
    return tuple(term for term in terms if term.translation(language) or term.avoided_variants(language))


def check_text(source: str, target: str, language: str, *, terms: tuple[Term, ...] = (),
               ignore: frozenset[str] = frozenset()) -> tuple[Finding, ...]:
    """Every check on one English text and its translation, except those in ignore."""
    context = Context(language, terms)
    return tuple(
        Finding(check.id, check.severity, message)
        for check in CHECKS
        if check.id not in ignore
        for message in check.function(source, target, context)
    )


def _pairs(message: Message) -> list[tuple[str, str]]:
    """(English, translation) for each form: msgid with msgstr[0], msgid_plural with the others."""
    if isinstance(message.id, (list, tuple)):
        singular, plural = message.id[0], message.id[1]
        return [(singular if index == 0 else plural, text) for index, text in enumerate(message.string or ())]
    return [(message.id, str(message.string))]


def _ignored(message: Message) -> tuple[frozenset[str], list[str]]:
    """The checks an entry silences, and the silenced names that are no check."""
    named = set(silenced_checks(message))
    return frozenset(named & _BY_ID.keys()), sorted(named - _BY_ID.keys())


def _check_message(message: Message, language: str, terms: tuple[Term, ...]) -> list[Finding]:
    ignore, unknown = _ignored(message)
    findings = [Finding("flags", "warning", f"{IGNORE_COMMENT} {name}: no such check (the checks are "
                                            f"{', '.join(_BY_ID)})") for name in unknown]
    for source, target in _pairs(message):
        findings.extend(check_text(source, target, language, terms=terms, ignore=ignore))
    return list(dict.fromkeys(findings))  # a plural's forms often repeat the same finding


def check_catalog(path: Path, language: str, domain: str, terms: tuple[Term, ...] = (),
                  root: Path | None = None) -> tuple[Problem, ...]:
    """Check every translated entry of one PO file (read strictly; fuzzy and empty entries are skipped)."""
    return check_messages(read_catalog(path, language=language, domain=domain, root=root), path, language, domain,
                          terms)


def check_messages(catalog: Catalog, path: Path, language: str, domain: str,
                   terms: tuple[Term, ...] = ()) -> tuple[Problem, ...]:
    """Check every translated entry of catalog, read from path (fuzzy and empty entries are skipped)."""
    return tuple(
        Problem(path, message.lineno or 0, language, domain, finding.check, finding.severity, finding.message)
        for message in catalog
        if message.id and is_translated(message)
        for finding in _check_message(message, language, terms)
    )


def check_project(project: Project, languages: tuple[str, ...] = (),
                  papers: tuple[str, ...] = ()) -> tuple[Problem, ...]:
    """Check the catalogs asked for (all by default) against the glossary in locales/."""
    config = project.config
    chosen = project.select_languages(languages, targets_only=True)
    domains = project.select_papers(papers, ui=True)
    problems: list[Problem] = []
    for language in chosen:
        terms = terms_for(project.glossary.terms, language)
        for domain in domains:
            catalog = project.catalog(domain, language)
            if catalog is not None:
                problems.extend(check_messages(catalog, catalog_path(config, language, domain), language, domain,
                                               terms))
    return tuple(problems)


# --- output --------------------------------------------------------------------------------


def check_outcome(problems: tuple[Problem, ...], strict: bool) -> None:
    """Raise ChecksFailed if there are errors, or warnings under strict."""
    from library.core.errors import ChecksFailed

    errors, warnings = _counts(problems)
    if errors or (strict and warnings):
        raise ChecksFailed(f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
                           + (" (--strict fails on warnings too)" if strict and not errors else ""))


def render_problems(problems: tuple[Problem, ...], fmt: str, root: Path, strict: bool = False) -> str:
    """One 'file:line: severity: message [check]' line per problem and a count, or JSON."""
    errors, warnings = _counts(problems)
    if fmt == "json":
        import json

        rows = [{**problem.as_row(), "file": shown(problem.path, root)} for problem in problems]
        data = {"errors": errors, "warnings": warnings, "problems": rows}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    lines = [f"{shown(p.path, root)}:{p.line}: {p.severity}: {p.message} [{p.check}]" for p in problems]
    summary = f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
    lines.append(summary + (" (--strict: warnings fail too)" if strict and warnings and not errors else ""))
    return "\n".join(lines) + "\n"


def _counts(problems: tuple[Problem, ...]) -> tuple[int, int]:
    errors = sum(1 for problem in problems if problem.severity == "error")
    return errors, len(problems) - errors
