"""Atom feeds (RFC 4287), one per language: each paper published in that language, newest first.

A French reader follows feeds/fr.xml and learns of a new paper, or of a paper newly published
in French, once it passes the gate. An entry's time is its version's (model.publication.
version_time: the English paper's date, a translation's last revision), so the same sources give
the same feed; its id is a URN made from the paper and the language, which stays when the site
moves. Links are absolute with site_url, else relative to the feed, as feed readers resolve them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import uuid
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from library.core.config import Config
from library.core.files import Changes
from library.core.paths import SiteMap, site_address, site_folder
from library.model.citation import Citation, citation_of, citation_sources, language_tag
from library.model.project import Project
from library.model.publication import feed_languages, published_languages, version_time
from library.model.stamps import Digest, read_state, settings_text, write_state
from library.outputs.folders import write_owned_items
from library.sources.markup import plain_text

__all__ = ["build_feeds", "atom_feed", "entry_id"]

STAGE = "feeds"
_ENTRIES = "feed-entries"  # the entries of the last build, kept by what each comes from
_NAMESPACE = uuid.UUID("6c1f43e2-5f0e-4b8e-9a55-0f3c2d9b7a11")  # this library's: ids made from it are its own


def build_feeds(project: Project) -> tuple[Changes, list[Path]]:
    """Write each language's feed; return what changed and the feeds withdrawn (no paper published any more).

    Each entry is kept from the last build while what its citation comes from is the same, so a
    changed catalog makes its own entry again, and reads no other paper's.
    """
    project.known()  # the gate's figures from the last build's record, not from every catalog
    config = project.config
    site = site_folder(config)
    entries = _KeptEntries(project)
    items: dict[str, tuple[str, Callable[[], dict[Path, bytes]]]] = {}
    for language in feed_languages(project):
        # The feed's own texts are the series page's; its entries', what their citations come from.
        key = Digest(entries.code, project.known().text_stamp(project.series_slug, language),
                     [(paper.slug, entries.sources(paper.slug, language)) for paper in project.briefings
                      if language in published_languages(project, paper.slug)]).hexdigest()

        def feed(language: str = language) -> dict[Path, bytes]:
            return {site / SiteMap.feed(language): atom_feed(project, language, entries.entry).encode("utf-8")}
        items[language] = (key, feed)
    written = write_owned_items(config, STAGE, site / SiteMap.feeds_folder(), items)
    entries.save()  # after the feeds are made: what they used, and the entries of the feeds left alone
    return written


@dataclasses.dataclass
class FeedEntry:
    """A version's entry as a feed shows it, and what orders the feed: newest first."""

    updated: str  # the version's time, as the feed writes it (in UTC: it sorts as text)
    date: str  # the paper's date, ISO
    number: int
    slug: str
    lines: list[str]

    def order(self) -> tuple[str, str, int, str]:
        return self.updated, self.date, self.number, self.slug


def feed_entry(project: Project, slug: str, language: str) -> FeedEntry:
    """The version's entry in its language's feed."""
    citation = citation_of(project, slug, language)
    time = _time(version_time(project, slug, language))
    lines = _entry(project.config, SiteMap.feed(language), citation, time)
    meta = project.paper(slug).meta
    return FeedEntry(time, meta.date.isoformat(), meta.number or 0, slug, lines)


class _KeptEntries:
    """The entries of the last build (build/state/feed-entries.json), each by what its citation comes from."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.code = Digest(settings_text(project.config), project.config.site_url).code(__name__).hexdigest()
        state = read_state(project.config, _ENTRIES)
        self.kept: dict[str, list[Any]] = state.get("entries", {}) if state.get("code") == self.code else {}
        self.used: dict[str, list[Any]] = {}
        self.current: dict[str, str] = {}  # each version published now: what its entry comes from

    def sources(self, slug: str, language: str) -> str:
        """What the version's entry comes from; an entry not made again this build is kept while this is the same."""
        name = f"{slug} {language}"
        if name not in self.current:
            self.current[name] = citation_sources(self.project, slug, language)
        return self.current[name]

    def entry(self, slug: str, language: str) -> FeedEntry:
        name, sources = f"{slug} {language}", self.sources(slug, language)
        kept = self.kept.get(name)
        made = FeedEntry(*kept[1]) if kept and kept[0] == sources else feed_entry(self.project, slug, language)
        self.used[name] = [sources, dataclasses.astuple(made)]
        return made

    def save(self) -> None:
        entries = {name: kept for name, kept in self.kept.items() if kept[0] == self.current.get(name)}
        entries.update(self.used)
        write_state(self.project.config, _ENTRIES, {"code": self.code, "entries": dict(sorted(entries.items()))})


def entry_id(slug: str, language: str) -> str:
    """An entry's lasting id: the same paper in the same language is the same entry, wherever the site is."""
    return uuid.uuid5(_NAMESPACE, f"{slug}/{language}").urn


def atom_feed(project: Project, language: str,
              entry: Callable[[str, str], FeedEntry] | None = None) -> str:
    """The Atom feed of language: the series as the feed, each paper published in language as an entry.

    entry(slug, language) gives a version's entry (by default, made from its texts).
    """
    config = project.config
    path = SiteMap.feed(language)
    series = project.translation(project.series_slug, language).by_id()
    made = entry or functools.partial(feed_entry, project)
    # Newest first: by the version's time, then the paper's date and number.
    entries = sorted((made(paper.slug, language) for paper in project.briefings
                      if language in published_languages(project, paper.slug)), key=FeedEntry.order, reverse=True)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(language_tag(language))}>',
        f"  <id>{entry_id(project.series_slug, language)}</id>",
        f"  <title>{escape(plain_text(series['title'].text))}</title>",
        f"  <subtitle>{escape(plain_text(series['subtitle'].text))}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(_address(config, path, path))}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(_address(config, path, SiteMap.home(language)))}/>',
        f"  <updated>{entries[0].updated if entries else _time(None)}</updated>",
        f"  <author><name>{escape(plain_text(series['publisher'].text))}</name></author>",
        f"  <icon>{escape(_address(config, path, SiteMap.asset('icon.svg')))}</icon>",
    ]
    for found in entries:
        lines += found.lines
    return "\n".join([*lines, "</feed>", ""])


def _entry(config: Config, path: str, citation: Citation, time: str) -> list[str]:
    lines = ["  <entry>", f"    <id>{entry_id(citation.slug, citation.language)}</id>",
             f"    <title>{escape(citation.title)}</title>",
             f'    <link rel="alternate" type="text/html" hreflang={quoteattr(language_tag(citation.language))} '
             f"href={quoteattr(_address(config, path, citation.page))}/>"]
    if citation.pdf:
        lines.append(f'    <link rel="enclosure" type="application/pdf" '
                     f"href={quoteattr(_address(config, path, citation.pdf))}/>")
    lines += [f"    <updated>{time}</updated>",
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
