"""A segment's inline Markdown as HTML that cannot carry markup of its own.

Translations are untrusted: the HTML is built here token by token, every text
escaped, with a fixed set of tags and links only to http(s), mailto and the site.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["render_inline", "plain_text", "prose", "inline_tokens", "is_allowed_link", "link_targets",
           "markdown_reader"]

_ALLOWED_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Browsers drop these from a URL before reading its scheme ("java\tscript:").
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")
# Only these spaces are collapsed: a no-break space (U+00A0, U+202F) is part of the text's typography.
_ASCII_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_SIMPLE_TAGS = {
    "em_open": "<em>", "em_close": "</em>",
    "strong_open": "<strong>", "strong_close": "</strong>",
    "hardbreak": "<br>", "softbreak": "\n",
}


def is_allowed_link(url: str) -> bool:
    """http(s) and mailto links, and links inside the site (no other host, no backslash)."""
    bare = _IGNORED_IN_URLS.sub("", url)
    if "\\" in bare or bare.startswith("//"):
        return False
    scheme = _SCHEME.match(bare)
    return scheme is None or scheme[1].lower() in _ALLOWED_SCHEMES


@lru_cache(maxsize=1)
def markdown_reader() -> MarkdownIt:
    """The one Markdown reader of translated text (CommonMark, no raw HTML, only allowed links)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = is_allowed_link  # type: ignore[method-assign]  # markdown-it-py's documented hook
    return md


@lru_cache(maxsize=4096)
def inline_tokens(text: str) -> tuple[Token, ...]:
    """text's inline Markdown tokens, read once: links exactly as the site renders them."""
    tokens = markdown_reader().parseInline(text)
    return tuple(tokens[0].children or ()) if tokens else ()


@lru_cache(maxsize=4096)
def prose(text: str) -> str:
    """The running text a reader sees: no markup, no link addresses, no code."""
    kept = {"text": None, "softbreak": " ", "hardbreak": " ", "image": None}
    return "".join(kept[token.type] or token.content for token in inline_tokens(text) if token.type in kept)


def render_inline(text: str, *, links: bool = True) -> Markup:
    """HTML for text; with links=False, links keep only their text (for a table of contents)."""
    parts: list[str] = []
    for token in inline_tokens(text):
        parts.append(_render_token(token, links))
    return Markup("".join(parts))


def _render_token(token: Token, links: bool) -> str:
    if token.type in _SIMPLE_TAGS:
        return _SIMPLE_TAGS[token.type]
    if token.type == "code_inline":
        return f"<code>{escape(token.content)}</code>"
    if token.type == "link_open":
        return _link_open(token) if links else ""
    if token.type == "link_close":
        return "</a>" if links else ""
    if token.type == "image":
        # Inline images would load a resource from anywhere: keep their description only.
        return str(escape(token.content))
    return str(escape(token.content))


def _link_open(token: Token) -> str:
    href = token.attrGet("href") or ""
    title = token.attrGet("title")
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<a href="{escape(href)}"{title_attr}>'


def plain_text(text: str) -> str:
    """The words of text without its Markdown, for titles and descriptions."""
    kept = ("text", "code_inline", "image", "softbreak", "hardbreak")
    words = (" " if t.type.endswith("break") else t.content for t in inline_tokens(text) if t.type in kept)
    return _ASCII_SPACES.sub(" ", "".join(words)).strip(" ")


def link_targets(text: str) -> list[str]:
    """The addresses of the links in text, as written."""
    return [str(t.attrGet("href") or "") for t in inline_tokens(text) if t.type == "link_open"]
