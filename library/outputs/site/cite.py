"""The formatted citation of a paper's cite block: APA 7 (a CSL style), rendered at build time by citeproc-py.

The style (templates/csl/apa.csl, from the CSL project's repository, CC BY-SA 3.0) is read with
the CSL locale of the page's language, so the words a citation adds ("No.", "Nᵒ") are the
reader's. citeproc-py escapes its own words but not the texts it is given, which are
translators' and untrusted: they go in with < > & as private-use characters, and the whole
result is escaped before these become entities again, so the only tags are the formatter's
below (small capitals a class: the site's Content-Security-Policy allows no inline style).
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from library.core.config import Config
from library.core.errors import TemplateError

if TYPE_CHECKING:
    from citeproc import CitationStylesStyle  # type: ignore[import-untyped]  # citeproc-py: no type information

__all__ = ["STYLE", "formatted_citation", "csl_locale"]

STYLE = Path("csl") / "apa.csl"  # under the templates folder
_FALLBACK_LOCALE = "en-US"
# British English, as the papers and UN texts are written; the region Babel deems likeliest otherwise.
_PREFERRED = {"en": "en-GB"}


def _tag(name: str, attributes: str = "") -> type[str]:
    return type(name, (str,), {"__new__": lambda cls, text: str.__new__(cls, f"<{name}{attributes}>{text}</{name}>")})


# The formatter citeproc-py calls, as its own html module is laid out; the result is escaped as a whole.
_HTML = SimpleNamespace(preformat=str, Italic=_tag("i"), Oblique=_tag("i"),
                        Bold=_tag("b"), Light=_tag("span"), Underline=_tag("u"), Superscript=_tag("sup"),
                        Subscript=_tag("sub"), SmallCaps=_tag("span", ' class="small-caps"'))


def formatted_citation(config: Config, item: dict[str, Any], language: str) -> Markup:
    """The paper's entry in a reference list, as HTML in the CSL locale of language.

    APA names no publisher that is the author already: the papers' corporate author is their publisher.
    The original's title is left to the files: the style's words around it exist only in English.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]  # citeproc-py: no type information

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py names the CSL-JSON fields it does not use (abstract, keyword)
        left_out = {"original-title"}
        if [author.get("literal") for author in item["author"]] == [item.get("publisher")]:
            left_out.add("publisher")
        item = _shielded({name: value for name, value in item.items() if name not in left_out})
        source = CiteProcJSON([item])
        bibliography = CitationStylesBibliography(_style(config.templates_dir / STYLE, csl_locale(language)), source,
                                                  _HTML)
        bibliography.register(Citation([CitationItem(item["id"])]))
        entries = bibliography.bibliography()
    return Markup(_typography(_escaped("".join(str(part) for part in entries[0])), language))


# What HTML gives a meaning to, carried through citeproc-py as characters no text holds.
_SHIELDS = {"&": "\ue000", "<": "\ue001", ">": "\ue002"}
_TAG = re.compile(r"(</?(?:i|b|u|sup|sub|span)(?: class=\"small-caps\")?>)")


def _shielded(value: Any) -> Any:
    """value with every text's < > & replaced by its shield (and any shield character it held dropped)."""
    if isinstance(value, str):
        value = value.translate({ord(shield): None for shield in _SHIELDS.values()})
        return value.translate({ord(character): shield for character, shield in _SHIELDS.items()})
    if isinstance(value, list):
        return [_shielded(part) for part in value]
    if isinstance(value, dict):
        return {name: _shielded(part) for name, part in value.items()}
    return value


def _escaped(rendered: str) -> str:
    """citeproc-py's result as safe HTML: the formatter's tags kept, everything else escaped, shields as entities."""
    parts = _TAG.split(rendered)
    html = "".join(part if index % 2 else escape(part, quote=False) for index, part in enumerate(parts))
    return html.translate({ord(shield): escape(character) for character, shield in _SHIELDS.items()})


# The style's own punctuation, between the HTML's tags and character references.
_STYLE_SEMICOLON = re.compile(r"(<[^>]*>|&#?\w+;)|(?<=[^\s\u00a0\u202f]);")


def _typography(html: str, language: str) -> str:
    """French sets a narrow no-break space before a semicolon, and ties "Nᵒ" to its number; CSL's locale does not."""
    if language.split("_")[0] != "fr":
        return html
    return _STYLE_SEMICOLON.sub(lambda match: match[1] or "\u202f;", html).replace("Nᵒ ", "Nᵒ\u00a0")


@lru_cache(maxsize=8)
def _style(path: Path, locale: str) -> CitationStylesStyle:
    from citeproc import CitationStylesStyle
    from lxml.etree import XMLSyntaxError  # type: ignore[import-untyped]  # lxml: none without lxml-stubs

    if not path.is_file():
        raise TemplateError(path, None, "the citation style is missing (a CSL file, such as APA's)")
    try:
        return CitationStylesStyle(str(path), locale=locale, validate=False)
    except XMLSyntaxError as error:
        raise TemplateError(path, error.lineno, f"not a CSL style: {error.msg}") from None


def csl_locale(language: str) -> str:
    """The CSL locale citeproc-py has for a language: 'fr' is fr-FR, 'en' en-GB; en-US when it has none."""
    from babel import Locale
    from babel.core import get_global
    from citeproc import LOCALES_PATH

    locale = Locale.parse(language)
    likely = get_global("likely_subtags").get(locale.language, "").split("_")  # fr: fr_Latn_FR
    candidates = [_PREFERRED.get(language, ""), f"{locale.language}-{locale.territory}" if locale.territory else "",
                  f"{locale.language}-{likely[-1]}" if len(likely) > 1 else "", locale.language]
    return next((name for name in candidates if name and (Path(LOCALES_PATH) / f"locales-{name}.xml").is_file()),
                _FALLBACK_LOCALE)
