"""Every path under locales/ and build/, and every site URL: the one module that knows them.

Stages never build a path or a URL of their own, and never look into another stage's
folder: a stage that needs another's output reads that stage's manifest, named here.
"""
from __future__ import annotations

import re
from pathlib import Path
from stat import S_ISREG

from library.core.config import Config
from library.core.errors import CatalogError, SourceError
from library.core.files import checked_file

__all__ = [
    "UI_DOMAIN",
    "VOLUME",
    "volume_slug",
    "is_volume",
    "ASSETS",
    "RESERVED_SLUGS",
    "reserved_for",
    "SiteMap",
    "shown",
    "shown_at",
    "template_path",
    "template_paths",
    "paper_paths",
    "catalog_paths",
    "anchor_record_path",
    "anchor_record_paths",
    "glossary_path",
    "memory_folder",
    "memory_paths",
    "catalog_path",
    "catalog_folder",
    "mo_path",
    "site_folder",
    "pdf_folder",
    "pdf_path",
    "pdf_manifest_path",
    "epub_folder",
    "epub_path",
    "epub_manifest_path",
    "index_folder",
    "state_path",
    "scratch_folder",
    "lock_path",
    "site_address",
]

UI_DOMAIN = "ui"  # the interface catalog's domain, beside one domain per paper
VOLUME = "volume"  # the PDF of the whole series, in each language
ASSETS = "assets"  # the site's stylesheet, script, icon and the papers' images
# Names the catalogs, the site and the PDFs use for themselves, so no paper may take them.
RESERVED_SLUGS = {
    UI_DOMAIN: "the interface catalog",
    "index": "the home pages",
    "404": "the not-found pages",
    "500": "the server's error pages",
    "search": "the search pages",
    "dashboard": "the translators' dashboard",
    VOLUME: "the PDF of the whole series",
    ASSETS: "the site's assets",
}


def volume_slug(number: int | None) -> str:
    """The name of a volume's files: 'volume' for the whole series, 'volume-2' for the second of its parts.

    A part keeps its name as the last one fills up, so its address never moves while the series grows.
    """
    return VOLUME if number is None else f"{VOLUME}-{number}"


def is_volume(slug: str) -> bool:
    """Whether slug names a volume (the whole series, or a part of it) rather than a paper."""
    return slug == VOLUME or re.fullmatch(rf"{VOLUME}-[1-9][0-9]*", slug) is not None


def reserved_for(slug: str) -> str | None:
    """What a slug no paper may take is kept for (its files would collide), or None."""
    if slug in RESERVED_SLUGS:
        return RESERVED_SLUGS[slug]
    return "a part of the series' volume (volume_size)" if is_volume(slug) else None


# --- catalogs ------------------------------------------------------------------------------


def shown(path: Path, root: Path) -> str:
    """path as the library prints it: from the project's folder (root) when it is inside it."""
    text, prefix = str(path), str(root).rstrip("/") + "/"
    if text.startswith(prefix):  # by its text first: pathlib's parsing, asked for every file of a build, is slow
        return text[len(prefix):]
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def shown_at(path: Path, line: int | None, root: Path) -> str:
    """'path:line' as the library prints a place in a file, or the path alone when the line is not known."""
    return f"{shown(path, root)}:{line}" if line else shown(path, root)


def template_path(config: Config, domain: str) -> Path:
    return config.locales_dir / f"{domain}.pot"


def template_paths(config: Config) -> list[Path]:
    """Every POT file there is, the papers' and the interface's (each a regular file: see checked_file)."""
    return _checked(config.locales_dir, "*.pot", config.locales_dir, CatalogError)


def paper_paths(config: Config) -> list[Path]:
    """Every source paper, papers/<slug>.md, each a regular file of the project."""
    return _checked(config.papers_dir, "*.md", config.papers_dir, SourceError)


def catalog_paths(config: Config, language: str) -> list[Path]:
    """Every PO file of language, each a regular file of the locales folder."""
    return _checked(catalog_folder(config, language), "*.po", config.locales_dir, CatalogError)


def _checked(folder: Path, pattern: str, root: Path, error: type[CatalogError | SourceError]) -> list[Path]:
    # A pipe, a link to nothing or a link out of the project stops every command alike, unread.
    # A regular file (no link) in a folder that lies inside root lies inside it too: one lstat, not a resolve.
    inside = folder.resolve().is_relative_to(root.resolve())
    return [path if inside and S_ISREG(path.lstat().st_mode) else checked_file(path, root, error)
            for path in sorted(folder.glob(pattern))]


def anchor_record_path(config: Config, slug: str) -> Path:
    """The ids a paper's passages keep through edits, written by `library extract` beside its POT."""
    return config.locales_dir / f"{slug}.anchors.json"


def anchor_record_paths(config: Config) -> list[Path]:
    return _checked(config.locales_dir, "*.anchors.json", config.locales_dir, SourceError)


def glossary_path(config: Config) -> Path:
    """The official terms in every language, which `library check` holds translations to."""
    return config.locales_dir / "glossary.csv"


def memory_folder(config: Config) -> Path:
    """The outside translation memories `library import` kept (TMX), which `library update` pre-fills from."""
    return config.locales_dir / "memory"


def memory_paths(config: Config) -> list[Path]:
    """Every kept memory, locales/memory/<name>.tmx, each a regular file of the locales folder."""
    return _checked(memory_folder(config), "*.tmx", config.locales_dir, CatalogError)


def catalog_folder(config: Config, language: str) -> Path:
    return config.locales_dir / language / "LC_MESSAGES"


def catalog_path(config: Config, language: str, domain: str) -> Path:
    return catalog_folder(config, language) / f"{domain}.po"


def mo_path(config: Config, language: str, domain: str) -> Path:
    return config.build_dir / "locale" / language / "LC_MESSAGES" / f"{domain}.mo"


# --- build outputs -------------------------------------------------------------------------


def site_folder(config: Config) -> Path:
    return config.build_dir / "html"


def pdf_folder(config: Config, draft: bool = False) -> Path:
    """Published PDFs, or (draft) the marked drafts of papers below the threshold, never linked."""
    return config.build_dir / ("pdf-draft" if draft else "pdf")


def pdf_path(config: Config, language: str, slug: str, draft: bool = False) -> Path:
    return pdf_folder(config, draft) / language / f"{slug}.pdf"


def pdf_manifest_path(config: Config, draft: bool = False) -> Path:
    """What the PDF stage published: each PDF, its figure and its anchor -> page map."""
    return pdf_folder(config, draft) / "manifest.json"


def epub_folder(config: Config, draft: bool = False) -> Path:
    """Published EPUBs, or (draft) the marked drafts of papers below the threshold, never linked."""
    return config.build_dir / ("epub-draft" if draft else "epub")


def epub_path(config: Config, language: str, slug: str, draft: bool = False) -> Path:
    return epub_folder(config, draft) / language / f"{slug}.epub"


def epub_manifest_path(config: Config) -> Path:
    """What the EPUB stage published, drafted and refused, as the PDF manifest says it of the PDFs."""
    return epub_folder(config) / "manifest.json"


def index_folder(config: Config) -> Path:
    return config.build_dir / "index"


def scratch_folder(config: Config) -> Path:
    """Where a stage may make its temporary files: beside the outputs, on the same disk."""
    return config.build_dir


def lock_path(config: Config, folder: str) -> Path:
    """The lock a command holds while it writes folder ('build' or 'locales'); both live in build/, never committed."""
    return config.build_dir / (".lock" if folder == "build" else f".{folder}.lock")


def state_path(config: Config, stage: str) -> Path:
    """Where a stage keeps the input hashes of its outputs, outside what gets published."""
    return config.build_dir / "state" / f"{stage}.json"


# --- site URLs -----------------------------------------------------------------------------


def site_address(config: Config, path: str) -> str | None:
    """A site path as its public address under site_url (setup.cfg), or None when site_url is unset.

    A folder's index.html is named by its folder (…/fr/), the address readers and links use.
    """
    if not config.site_url:
        return None
    folder, _slash, name = path.rpartition("/")
    return config.site_url + (f"{folder}/" if folder else "") if name == "index.html" else config.site_url + path


class SiteMap:
    """Where each page lives in the site, as a path from its root."""

    @staticmethod
    def root_index() -> str:
        return "index.html"

    @staticmethod
    def home(language: str) -> str:
        return f"{language}/index.html"

    @staticmethod
    def paper(language: str, slug: str) -> str:
        return f"{language}/{slug}.html"

    @staticmethod
    def bilingual(language: str, slug: str, other: str) -> str:
        return f"{language}/{slug}/{other}.html"

    @staticmethod
    def passage(language: str, slug: str, anchor: str) -> str:
        """A passage of a paper, as search results link it."""
        return f"{SiteMap.paper(language, slug)}#{anchor}"

    @staticmethod
    def pdf(language: str, slug: str) -> str:
        return f"{language}/{slug}.pdf"

    @staticmethod
    def pdf_page(language: str, slug: str, page: int) -> str:
        return f"{language}/{slug}.pdf#page={page}"

    @staticmethod
    def epub(language: str, slug: str) -> str:
        return f"{language}/{slug}.epub"

    @staticmethod
    def not_found(language: str) -> str:
        return f"{language}/404.html"

    @staticmethod
    def server_error(language: str) -> str:
        return f"{language}/500.html"

    @staticmethod
    def search(language: str) -> str:
        return f"{language}/search.html"

    @staticmethod
    def static_search_folder() -> str:
        """The static search stage's folder: Pagefind's index and the tables beside it (the search page loads them)."""
        return "pagefind"

    @staticmethod
    def sitemap() -> str:
        """The sitemap (sitemaps.org): at the site's root, since a sitemap lists only what lies under its folder."""
        return "sitemap.xml"

    @staticmethod
    def robots() -> str:
        return "robots.txt"

    @staticmethod
    def citations_folder() -> str:
        return "cite"

    @staticmethod
    def citation(language: str, slug: str, extension: str) -> str:
        """A paper's citation in one language for reference managers: bib (BibTeX), ris or json (CSL-JSON)."""
        return f"cite/{language}/{slug}.{extension}"

    @staticmethod
    def feeds_folder() -> str:
        return "feeds"

    @staticmethod
    def feed(language: str) -> str:
        """The Atom feed of a language: new papers and newly published translations."""
        return f"feeds/{language}.xml"

    @staticmethod
    def cards_folder() -> str:
        return "cards"

    @staticmethod
    def card(language: str, slug: str) -> str:
        """A paper's card image in one language, for the link previews of social networks."""
        return f"cards/{language}/{slug}.png"

    @staticmethod
    def other_stages() -> tuple[str, ...]:
        """What other stages than the site's own write into the site's folder: files and folders, from its root."""
        return (SiteMap.static_search_folder(), SiteMap.sitemap(), SiteMap.robots(), SiteMap.citations_folder(),
                SiteMap.feeds_folder(), SiteMap.cards_folder())

    @staticmethod
    def headers_file() -> str:
        """The security headers, for static hosts that read a `_headers` file (never served itself)."""
        return "_headers"

    @staticmethod
    def dashboard() -> str:
        return "dashboard/index.html"

    @staticmethod
    def preview(language: str, slug: str) -> str:
        return f"dashboard/{language}/{slug}.html"

    @staticmethod
    def asset(name: str) -> str:
        return f"{ASSETS}/{name}"
