"""The rendering core the site, the PDFs and the EPUBs share: the Jinja2 environment, the body tree, contents.

The stages render the same segments through the same templates and filters; what differs is
only the page around them, which each stage builds itself.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from library.core.config import Config
from library.core.errors import TemplateError
from library.core.paths import SiteMap, site_address
from library.model.translation import TranslatedPaper, TranslatedSegment, percent_label, text_direction
from library.outputs.headers import META_POLICY
from library.outputs.results import MAX_QUERY_LENGTH
from library.sources.markup import plain_text, render_inline
from library.sources.papers import Block, Container

# The styles of list Babel joins (babel.lists.format_list).
ListStyle = Literal["standard", "standard-short", "or", "or-short", "unit", "unit-short", "unit-narrow"]

if TYPE_CHECKING:
    from collections.abc import Iterable

    import jinja2
    import jinja2.bccache
    from markupsafe import Markup

    from library.model.project import Project
    from library.model.translation import EscapingTranslations
    from library.sources.papers import PaperMeta

__all__ = ["Environments", "Leaf", "Node", "PaperView", "body_tree", "table_of_contents", "paper_view", "render_page",
           "make_environment", "render_template", "template_files", "volume_prefix", "prefixed_translation",
           "page_address"]

# Characters a reader may type in the search box; search cuts longer queries to this too.
# The papers are written in British English, as UN texts are: "5 April 2022".
_FORMAT_LOCALES = {"en": "en_GB"}


@dataclass(frozen=True)
class Leaf:
    """A block of the body with its text in the page's language (None for code and rules)."""

    block: Block
    segment: TranslatedSegment | None


@dataclass(frozen=True)
class Node:
    """A list, list item, quote or table part, with what it holds."""

    container: Container
    children: tuple[Node | Leaf, ...]


@dataclass(frozen=True)
class PaperView:
    """A paper in one language as both the site and the PDFs lay it out."""

    translation: TranslatedPaper
    body: tuple[Node | Leaf, ...]
    contents: tuple[tuple[int, TranslatedSegment], ...]

    @property
    def meta(self) -> PaperMeta:
        return self.translation.paper.meta


def paper_view(translation: TranslatedPaper) -> PaperView:
    return PaperView(translation, body_tree(translation), table_of_contents(translation))


def body_tree(translation: TranslatedPaper) -> tuple[Node | Leaf, ...]:
    """The body's blocks nested in their containers again, for the templates to walk."""
    by_block = {s.segment.block: s for s in translation.segments if s.segment.block is not None}
    root: list[Any] = []
    open_nodes: list[tuple[Container, list[Any]]] = []
    for index, block in enumerate(translation.paper.blocks):
        shared = _shared_depth([c for c, _ in open_nodes], block.path)
        del open_nodes[shared:]
        for container in block.path[shared:]:
            children: list[Any] = []
            (open_nodes[-1][1] if open_nodes else root).append((container, children))
            open_nodes.append((container, children))
        (open_nodes[-1][1] if open_nodes else root).append(Leaf(block, by_block.get(index)))
    return _freeze(root)


def _shared_depth(open_containers: list[Container], path: tuple[Container, ...]) -> int:
    depth = 0
    while depth < min(len(open_containers), len(path)) and open_containers[depth] == path[depth]:
        depth += 1
    return depth


def _freeze(items: list[Any]) -> tuple[Node | Leaf, ...]:
    return tuple(item if isinstance(item, Leaf) else Node(item[0], _freeze(item[1])) for item in items)


def table_of_contents(translation: TranslatedPaper) -> tuple[tuple[int, TranslatedSegment], ...]:
    """The headings of levels 2 and 3, with their level, for the table of contents."""
    blocks = translation.paper.blocks
    headings = [(blocks[s.segment.block].level, s) for s in translation.segments
                if s.segment.role == "heading" and s.segment.block is not None]
    return tuple((level, segment) for level, segment in headings if level in (2, 3))


def volume_prefix(slug: str) -> str:
    """What a paper's anchor ids start with in a volume, so that the papers of one volume keep apart."""
    return f"{slug}--"


def prefixed_translation(translation: TranslatedPaper, prefix: str) -> TranslatedPaper:
    """The translation with prefix on every anchor id, as a volume holds it."""
    def rename(segment: TranslatedSegment) -> TranslatedSegment:
        return dataclasses.replace(
            segment, segment=dataclasses.replace(segment.segment, id=prefix + segment.segment.id)
        )

    return dataclasses.replace(translation, segments=tuple(rename(s) for s in translation.segments))


# The folders of templates/ that belong to one stage each; the site renders from the rest.
_STAGE_FOLDERS = ("pdf", "epub")


def template_files(config: Config, *, pdf: bool = False, epub: bool = False) -> list[Path]:
    """The template files one stage renders from: the PDFs' or the EPUBs' own and the shared partials, or the site's."""
    folder = config.templates_dir
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    if pdf or epub:
        own = folder / ("pdf" if pdf else "epub")
        return [path for path in files if path.is_relative_to(own) or path.parent == folder and path.name[0] == "_"]
    return [path for path in files if not any(path.is_relative_to(folder / name) for name in _STAGE_FOLDERS)]


class Environments:
    """One Jinja2 environment per language, made on first use, for the pages or PDFs of one build."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._made: dict[str, jinja2.Environment] = {}

    def __getitem__(self, language: str) -> jinja2.Environment:
        if language not in self._made:
            self._made[language] = make_environment(self.project.config, language,
                                                    self.project.ui_translations(language))
        return self._made[language]


def make_environment(config: Config, language: str, translations: EscapingTranslations) -> jinja2.Environment:
    """A Jinja2 environment for language: autoescape everywhere, the interface catalog, Babel formats."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_compiled_templates(),
    )
    # A method the i18n extension adds to the environment, which Jinja2's types cannot know.
    environment.install_gettext_translations(translations, newstyle=False)  # type: ignore[attr-defined]
    environment.filters.update(_filters(language))
    environment.globals.update(site=SiteMap, languages=config.all_languages, source_language=config.source_language,
                               threshold=config.threshold, max_query_length=MAX_QUERY_LENGTH,
                               direction=text_direction(language), content_security_policy=META_POLICY)
    return environment


@lru_cache(maxsize=1)
def _compiled_templates() -> jinja2.BytecodeCache:
    """One store of compiled templates for the process; Jinja2 compiles a template again when its source changes."""
    # Each language's environment, and each build of a long-lived server (`library serve --watch`),
    # would otherwise compile every template again: 0.3 s of a site build.
    import jinja2

    class CompiledTemplates(jinja2.BytecodeCache):
        """Compiled code by template name and source checksum, whichever folder the template was read from.

        Jinja2 keys its cache by file path too: each project a process builds (the tests build
        hundreds) would compile the same templates again.
        """

        def __init__(self) -> None:
            self.code: dict[tuple[str, str], bytes] = {}

        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            return name

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            if (bucket.key, bucket.checksum) in self.code:
                bucket.bytecode_from_string(self.code[bucket.key, bucket.checksum])

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            self.code[bucket.key, bucket.checksum] = bucket.bytecode_to_string()

    return CompiledTemplates()


def _filters(language: str) -> dict[str, Any]:
    from babel import Locale
    from babel.dates import format_date
    from babel.lists import format_list
    from babel.numbers import format_decimal
    from markupsafe import Markup, escape

    locale = Locale.parse(_FORMAT_LOCALES.get(language, language))

    def language_name(code: str) -> str:
        """The language's own name, capitalised, as in a language menu: "Español"."""
        name = Locale.parse(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]

    def language_in_text(code: str) -> str:
        """The language's name in the page's language, for running text: "espagnol", "Spanish"."""
        return Locale.parse(code).get_display_name(locale) or code

    def list_of(entries: Iterable[str], style: ListStyle = "standard") -> Markup:
        """Items (text, or HTML such as links) joined as the page's language joins a list: "A, B and C"."""
        items = [escape(item) for item in entries]
        # Babel joins placeholders; its words are escaped, then each placeholder becomes its item.
        tokens = [f"\0{index}\0" for index in range(len(items))]
        joined = escape(format_list(tokens, style, locale=locale)) if items else escape("")
        for token, item in zip(tokens, items, strict=True):
            joined = joined.replace(token, item)
        return joined

    return {
        "inline": render_inline,
        "code": lambda text: Markup("<code>{}</code>").format(text),  # a command named in a sentence
        # An interface string as plain text for a script, its no-break spaces kept (striptags drops them).
        "text_only": lambda value: Markup(re.sub(r"<[^>]*>", "", str(value))).unescape(),
        "list_of": list_of,
        "plain": plain_text,
        "date": lambda value, style="long": format_date(value, style, locale=locale),
        "percent": lambda value: percent_label(value, locale),
        "number": lambda value: format_decimal(value, locale=locale),
        "language_name": language_name,
        "language_in_text": language_in_text,
        "direction": text_direction,
        "iso_date": lambda value: value.isoformat() if isinstance(value, dt.date) else str(value),
    }


def render_template(config: Config, environment: jinja2.Environment, template: str, context: dict[str, Any]) -> str:
    """template rendered with context; any failure becomes a TemplateError naming the template."""
    try:
        return str(environment.get_template(template).render(context))
    except Exception as error:
        raise _template_error(config, template, error) from None


def _template_error(config: Config, template: str, error: Exception) -> TemplateError:
    import jinja2

    if isinstance(error, jinja2.TemplateSyntaxError):
        return TemplateError(error.filename or config.templates_dir / template, error.lineno, error.message or "")
    if isinstance(error, jinja2.TemplateNotFound):
        return TemplateError(config.templates_dir / str(error.name), None, "template not found")
    return TemplateError(config.templates_dir / template, None, f"{type(error).__name__}: {error}")


def page_address(config: Config, page: str, target: str) -> str:
    """A site path as page links it for search engines and other sites: absolute with site_url, else relative."""
    return site_address(config, target) or "../" * (len(PurePosixPath(page).parts) - 1) + target


def render_page(project: Project, environment: jinja2.Environment, language: str, template: str, path: str,
                context: dict[str, Any]) -> str:
    """A site page: context plus what every page shows (the series, the language, links from here)."""
    # Links are relative, so the site also reads from a folder, offline; the 404 and 500
    # pages are only ever sent by the server, for any address, so their links start from the root.
    from_root = path in (SiteMap.not_found(language), SiteMap.server_error(language))
    root = "/" if from_root else "../" * (len(PurePosixPath(path).parts) - 1)

    def address(target: str) -> str:
        """A page's address for search engines and other sites: absolute with site_url, else relative."""
        return site_address(project.config, target) or root + target

    context = {"series": project.translation(project.series_slug, language), **context, "language": language,
               "page_path": path, "root": root, "image_base": root + SiteMap.asset(""), "address": address}
    return render_template(project.config, environment, template, context)
