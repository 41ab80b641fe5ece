"""Tell search engines what the site holds: sitemap.xml, with each page's languages, and robots.txt.

Both need the site's public address (`site_url` in setup.cfg): a sitemap lists absolute
addresses only. Every page the site announces (library/model/publication.py) is listed with its
alternates as `xhtml:link` elements, each page of a cluster naming all of them, itself and the
x-default included, so that the links are reciprocal as search engines require.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from library.core.files import Changes, write_outputs
from library.core.paths import SiteMap, site_address, site_folder
from library.model.project import Project
from library.model.publication import AnnouncedPage, announced_pages, version_time
from library.model.stamps import Digest, read_state, settings_text, write_state
from library.outputs.folders import project_texts

__all__ = ["build_sitemap", "sitemap_xml", "robots_txt", "NEEDS_SITE_URL"]

STAGE = "sitemap"
NEEDS_SITE_URL = ("no site_url in setup.cfg: canonical and hreflang links stay relative, and there is no "
                  "sitemap.xml or robots.txt, nor og:image or og:url (set site_url in [library] for them)")


def build_sitemap(project: Project) -> tuple[Changes, list[Path]]:
    """Write sitemap.xml and robots.txt (or, without site_url, remove them): what changed, and what went."""
    config = project.config
    site = site_folder(config)
    targets = [site / SiteMap.sitemap(), site / SiteMap.robots()]
    if not config.site_url:
        gone = [path for path in targets if path.is_file()]
        for path in gone:
            path.unlink()
        write_state(config, STAGE, {})
        return Changes(), gone
    state, inputs = read_state(config, STAGE), _stage_inputs(project)
    if state.get("inputs") == inputs and all(path.is_file() for path in targets):
        return Changes(unchanged=targets), []
    project.known()  # the gate's figures from the last build's record, not from every catalog
    times = _KeptTimes(project, state)
    changes = write_outputs({targets[0]: sitemap_xml(project, times.time).encode("utf-8"),
                             targets[1]: robots_txt(project).encode("utf-8")})
    write_state(config, STAGE, {"inputs": inputs, "code": times.code, "times": dict(sorted(times.used.items()))})
    return changes, []


class _KeptTimes:
    """Each version's time (publication.version_time), kept under the stamp of its text's files: a catalog's
    revision date is read again only when that catalog changed, not all 600 when one did."""

    def __init__(self, project: Project, state: dict[str, Any]) -> None:
        self.project, self.code = project, Digest().code(__name__).hexdigest()
        self.kept: dict[str, list[str]] = state.get("times", {}) if state.get("code") == self.code else {}
        self.used: dict[str, list[str]] = {}

    def time(self, slug: str, language: str) -> dt.datetime:
        name, stamp = f"{slug} {language}", self.project.known().text_stamp(slug, language)
        kept = self.kept.get(name)
        found = (dt.datetime.fromisoformat(kept[1]) if kept and kept[0] == stamp
                 else version_time(self.project, slug, language))
        self.used[name] = [stamp, found.isoformat()]
        return found


def _stage_inputs(project: Project) -> str:
    """The bytes of what decides which pages are published and when they were revised, and the address."""
    config = project.config
    digest = Digest(settings_text(config), config.site_url).files(project_texts(config, manifest=False), config.root)
    return digest.code(__name__).hexdigest()


def sitemap_xml(project: Project, time: Callable[[str, str], dt.datetime] | None = None) -> str:
    """The sitemaps.org sitemap of every announced page, with hreflang alternates (Google's xhtml:link).

    time(slug, language) gives a version's time (by default, publication.version_time).
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for page in announced_pages(project):
        lines += _url(project, page, time or functools.partial(version_time, project))
    return "\n".join([*lines, "</urlset>", ""])


def _url(project: Project, page: AnnouncedPage, time: Callable[[str, str], dt.datetime]) -> list[str]:
    alternates = page.alternates
    lines = ["<url>", f"  <loc>{_text(_absolute(project, page.path))}</loc>"]
    if page.slug:  # a paper's page changed last when its text in the languages it shows did
        modified = max(time(page.slug, code) for code in page.languages)
        lines.append(f"  <lastmod>{modified.date().isoformat()}</lastmod>")
    links = [*alternates.languages.items(), *([("x-default", alternates.default)] if alternates.default else [])]
    for code, target in links:
        lines.append(f'  <xhtml:link rel="alternate" hreflang={quoteattr(_tag(code))} '
                     f'href={quoteattr(_absolute(project, target))}/>')
    return [*lines, "</url>"]


def _absolute(project: Project, path: str) -> str:
    """A page's public address: the sitemap is written only with site_url (build_sitemap), so there is one."""
    address = site_address(project.config, path)
    assert address is not None
    return address


def _tag(code: str) -> str:
    """A language code as a language tag: pt_BR is pt-BR."""
    return code.replace("_", "-")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def robots_txt(project: Project) -> str:
    """Crawl everything but the translators' dashboard, and find the sitemap."""
    config = project.config
    folder = urlsplit(config.site_url).path or "/"
    dashboard = folder + SiteMap.dashboard().rsplit("/", 1)[0] + "/"
    return (f"# Search engines read robots.txt only at the root of a host: when the site lives under {folder},\n"
            f"# copy these lines into the host's own /robots.txt.\n"
            f"User-agent: *\nDisallow: {dashboard}\n\nSitemap: {site_address(config, SiteMap.sitemap())}\n")
