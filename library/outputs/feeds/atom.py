"""Atom feeds (RFC 4287), one per language: each paper published in that language, newest first.

A French reader follows feeds/fr.xml and learns of a new paper, or of a paper newly published
in French, once it passes the gate. An entry's time is its version's (model.publication.
version_time: the English paper's date, a translation's last revision), so the same sources give
the same feed; its id is a URN made from the paper and the language, which stays when the site
moves. Links are absolute with site_url, else relative to the feed, as feed readers resolve them.
"""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape, quoteattr

from library.core.config import Config
from library.core.files import Changes
from library.core.paths import SiteMap, site_address, site_folder
from library.model.citation import Citation, citation_of, language_tag
from library.model.project import Project
from library.model.publication import feed_languages, published_languages, version_time
from library.model.stamps import Digest, settings_text
from library.outputs.folders import project_texts, write_owned_folder
from library.sources.markup import plain_text

__all__ = ["build_feeds", "atom_feed", "entry_id"]

STAGE = "feeds"
_NAMESPACE = uuid.UUID("6c1f43e2-5f0e-4b8e-9a55-0f3c2d9b7a11")  # this library's: ids made from it are its own


def build_feeds(project: Project) -> tuple[Changes, list[Path]]:
    """Write each language's feed; return what changed and the feeds withdrawn (no paper published any more)."""
    config = project.config
    site = site_folder(config)
    inputs = Digest(settings_text(config), config.site_url).files(project_texts(config), config.root)

    def plan() -> dict[Path, bytes]:
        return {site / SiteMap.feed(language): atom_feed(project, language).encode("utf-8")
                for language in feed_languages(project)}
    return write_owned_folder(config, STAGE, site / SiteMap.feeds_folder(), inputs.code(__name__).hexdigest(), plan)


def entry_id(slug: str, language: str) -> str:
    """An entry's lasting id: the same paper in the same language is the same entry, wherever the site is."""
    return uuid.uuid5(_NAMESPACE, f"{slug}/{language}").urn


def atom_feed(project: Project, language: str) -> str:
    """The Atom feed of language: the series as the feed, each paper published in language as an entry."""
    config = project.config
    path = SiteMap.feed(language)
    series = project.translation(project.series_slug, language).by_id()
    # Newest first: by the version's time, then the paper's date and number.
    versions = sorted(
        (
            (version_time(project, paper.slug, language), paper.meta.date, paper.meta.number or 0, paper.slug)
            for paper in project.briefings
            if language in published_languages(project, paper.slug)
        ),
        reverse=True,
    )
    citations = [citation_of(project, version[-1], language) for version in versions]
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(language_tag(language))}>',
        f"  <id>{entry_id(project.series_slug, language)}</id>",
        f"  <title>{escape(plain_text(series['title'].text))}</title>",
        f"  <subtitle>{escape(plain_text(series['subtitle'].text))}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(_address(config, path, path))}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(_address(config, path, SiteMap.home(language)))}/>',
        f"  <updated>{_time(versions[0][0] if versions else None)}</updated>",
        f"  <author><name>{escape(plain_text(series['publisher'].text))}</name></author>",
        f"  <icon>{escape(_address(config, path, SiteMap.asset('icon.svg')))}</icon>",
    ]
    for version, citation in zip(versions, citations, strict=True):
        lines += _entry(config, path, citation, version[0])
    return "\n".join([*lines, "</feed>", ""])


def _entry(config: Config, path: str, citation: Citation, time: dt.datetime) -> list[str]:
    lines = ["  <entry>", f"    <id>{entry_id(citation.slug, citation.language)}</id>",
             f"    <title>{escape(citation.title)}</title>",
             f'    <link rel="alternate" type="text/html" hreflang={quoteattr(language_tag(citation.language))} '
             f"href={quoteattr(_address(config, path, citation.page))}/>"]
    if citation.pdf:
        lines.append(f'    <link rel="enclosure" type="application/pdf" '
                     f"href={quoteattr(_address(config, path, citation.pdf))}/>")
    lines += [f"    <updated>{_time(time)}</updated>",
              *([f"    <published>{citation.date.isoformat()}T00:00:00Z</published>"]
                if citation.language == citation.original else []),
              *(f"    <author><name>{escape(author.name)}</name></author>" for author in citation.authors),
              f"    <summary>{escape(citation.abstract)}</summary>",
              *(f"    <category term={quoteattr(keyword)}/>" for keyword in citation.keywords),
              "  </entry>"]
    return lines


def _address(config: Config, feed: str, target: str) -> str:
    """target as the feed links it: absolute with site_url, else relative to the feed's own folder."""
    absolute = site_address(config, target)
    if absolute:
        return absolute
    return "../" * (len(PurePosixPath(feed).parts) - 1) + target


def _time(time: dt.datetime | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ") if time else "1970-01-01T00:00:00Z"
