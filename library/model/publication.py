"""What the site announces to search engines: each page's published languages, as reciprocal alternates.

A page in a language is announced (hreflang, sitemap) only when its paper passes the gate in
that language: a half-translated page is read by those who find it on the site, never offered
as a translation. The pages every language has (home, search) follow the series page's gate.
The site's head and the sitemap both read their alternates here, so they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from library.core.paths import SiteMap
from library.model.project import Project

__all__ = [
    "Alternates",
    "published_languages",
    "site_languages",
    "language_alternates",
    "front_door_alternates",
    "paper_alternates",
    "bilingual_alternates",
    "AnnouncedPage",
    "announced_pages",
    "version_time",
    "feed_languages",
]


@dataclass(frozen=True)
class Alternates:
    """A page's cluster for search engines: language -> site path (itself included), and the x-default page.

    Empty when the page itself is not published: then it announces nothing and asks not to be indexed.
    """

    languages: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    @property
    def announced(self) -> bool:
        return bool(self.languages)


def published_languages(project: Project, slug: str) -> tuple[str, ...]:
    """The languages the paper passes the gate in, the source language first."""
    return tuple(code for code in project.config.all_languages if project.published(slug, code))


def site_languages(project: Project) -> tuple[str, ...]:
    """The languages whose pages of every language (home, search) are announced: the series page's."""
    return published_languages(project, project.series_slug)


def feed_languages(project: Project) -> tuple[str, ...]:
    """The languages that have a feed: those at least one paper of the series is published in."""
    return tuple(code for code in project.config.all_languages
                 if any(project.published(paper.slug, code) for paper in project.briefings))


def language_alternates(project: Project, language: str, page: Callable[[str], str]) -> Alternates:
    """A page every language has (page(code) is its path), announced in the series page's languages."""
    codes = site_languages(project)
    if language not in codes:
        return Alternates()
    return Alternates({code: page(code) for code in codes}, SiteMap.root_index())


def front_door_alternates(project: Project) -> Alternates:
    """The root page, which sends a reader to their language: every announced home, and itself as the default."""
    return Alternates({code: SiteMap.home(code) for code in site_languages(project)}, SiteMap.root_index())


def paper_alternates(project: Project, language: str, slug: str) -> Alternates:
    """A paper's page, announced in the languages it is published in; the original is the default."""
    codes = published_languages(project, slug)
    if language not in codes:
        return Alternates()
    return Alternates({code: SiteMap.paper(code, slug) for code in codes},
                      SiteMap.paper(project.config.source_language, slug))


def bilingual_alternates(project: Project, language: str, slug: str, other: str) -> Alternates:
    """Two languages side by side: the same pair seen from either side, when both are published."""
    codes = published_languages(project, slug)
    if language not in codes or other not in codes:
        return Alternates()
    return Alternates(
        {language: SiteMap.bilingual(language, slug, other), other: SiteMap.bilingual(other, slug, language)}
    )


@dataclass(frozen=True)
class AnnouncedPage:
    """A page the sitemap lists: its path, its alternates, and the paper and languages it shows (if a paper's)."""

    path: str
    alternates: Alternates
    slug: str | None = None
    languages: tuple[str, ...] = ()


def announced_pages(project: Project) -> Iterator[AnnouncedPage]:
    """Every page the sitemap lists: the root, homes, papers and side-by-side views, each with its alternates.

    Search and error pages are left out (search engines want no results pages), and so are the
    translators' dashboard and previews.
    """
    config = project.config
    yield AnnouncedPage(SiteMap.root_index(), front_door_alternates(project))
    for language in site_languages(project):
        yield AnnouncedPage(SiteMap.home(language), language_alternates(project, language, SiteMap.home))
    for paper in project.papers:
        slug, codes = paper.slug, published_languages(project, paper.slug)
        for language in codes:
            yield AnnouncedPage(SiteMap.paper(language, slug), paper_alternates(project, language, slug), slug,
                                (language,))
        for language in codes:
            for other in (code for code in config.all_languages if code in codes and code != language):
                yield AnnouncedPage(SiteMap.bilingual(language, slug, other),
                                    bilingual_alternates(project, language, slug, other), slug, (language, other))


def version_time(project: Project, slug: str, language: str) -> dt.datetime:
    """When the paper's version in language was last made: the English's date, or its catalog's last revision.

    A translation's time is its PO file's PO-Revision-Date, which PO editors set on each save, so
    it is an input of the build like the text itself: the same catalogs give the same dates.
    """
    written = project.paper(slug).meta.date
    english = dt.datetime(written.year, written.month, written.day, tzinfo=dt.UTC)
    catalog = None if language == project.config.source_language else project.catalog(slug, language)
    revised = getattr(catalog, "revision_date", None)
    if not isinstance(revised, dt.datetime):
        return english
    revised = (revised if revised.tzinfo else revised.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return max(english, revised)
