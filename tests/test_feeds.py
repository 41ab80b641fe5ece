"""Atom feeds per language, read back by feedparser as a feed reader would."""
from __future__ import annotations

import feedparser
import pytest
from pages import Page
from projects import REAL_SITE_URL as SITE_URL
from projects import prefixed, translate_catalogs

from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.feeds.atom import build_feeds, entry_id


def _parsed(path, base: str | None = None):
    headers = {"content-location": base, "content-type": "application/atom+xml"} if base else None
    feed = feedparser.parse(path.read_bytes(), response_headers=headers)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


@pytest.fixture(scope="module")
def real_feeds(real_site_at_url):
    return real_site_at_url, Project(real_site_at_url)


def test_each_language_has_a_feed_of_its_papers(real_feeds):
    config, project = real_feeds
    for language in ("en", "fr", "es"):
        feed = _parsed(site_folder(config) / "feeds" / f"{language}.xml")
        series = project.translation(project.series_slug, language).by_id()
        assert feed.feed.title == series["title"].text and feed.feed.language == language
        assert feed.feed.link == SITE_URL + f"{language}/"
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [SITE_URL + f"feeds/{language}.xml"]
        assert len(feed.entries) == len(project.briefings)
        for entry in feed.entries:
            slug = entry.link.removeprefix(SITE_URL + f"{language}/").removesuffix(".html")
            titles = project.translation(slug, language).by_id()
            assert entry.id == entry_id(slug, language) and entry.title == titles["title"].text
            assert entry.summary == titles["summary"].text and entry.summary_detail.language == language
            assert entry.updated_parsed and entry.author
            assert [tag.term for tag in entry.tags] == [s.text for s in project.translation(slug, language).segments
                                                        if s.segment.role == "keyword"]
        times = [entry.updated_parsed for entry in feed.entries]
        assert times == sorted(times, reverse=True)  # newest first


def test_every_page_links_its_languages_feed(real_feeds):
    config, _ = real_feeds
    for path in ("fr/index.html", "fr/what-is-the-imrf.html", "es/search.html", "en/what-is-the-imrf/fr.html"):
        language = path.split("/")[0]
        links = [link.get("href") for link in Page(site_folder(config) / path).all("link")
                 if link.get("type") == "application/atom+xml"]
        assert links == [SITE_URL + f"feeds/{language}.xml"], path


@pytest.mark.slow  # builds the site
def test_without_site_url_the_links_are_relative_and_resolve_from_the_feed(project, config, run):
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample",))
    assert run("build", "html").exit_code == 0
    feed = _parsed(site_folder(config) / "feeds" / "fr.xml", base="https://mirror.example/papers/feeds/fr.xml")
    (entry,) = feed.entries
    assert entry.link == "https://mirror.example/papers/fr/sample.html" and entry.title.startswith("FR A sample")
    links = [link.get("href") for link in Page(site_folder(config) / "fr" / "sample.html").all("link")
             if link.get("type") == "application/atom+xml"]
    assert links == ["../feeds/fr.xml"]
    # Spanish has no paper published: no feed, and its pages link none.
    assert not (site_folder(config) / "feeds" / "es.xml").exists()
    assert not [link for link in Page(site_folder(config) / "es" / "sample.html").all("link")
                if link.get("type") == "application/atom+xml"]


@pytest.mark.slow  # builds the site three times
def test_a_newly_published_translation_is_a_new_entry_and_a_withdrawn_one_goes(project, config, run):
    run("extract"), run("update"), run("build", "html")
    feeds = site_folder(config) / "feeds"
    assert sorted(path.name for path in feeds.iterdir()) == ["en.xml"]
    translate_catalogs(config, "es", prefixed("ES "), domains=("sample",))
    lines = run("build", "html").output.splitlines()
    assert any(line.startswith("es: ") and "1 feed" in line for line in lines), lines
    (entry,) = _parsed(feeds / "es.xml").entries
    assert entry.id == entry_id("sample", "es") != entry_id("sample", "en")
    translate_catalogs(config, "es", lambda message: "", domains=("sample",))
    lines = run("build", "html").output.splitlines()
    assert "withdrew build/html/feeds/es.xml: no paper is published in that language any more" in lines


def test_the_same_sources_give_the_same_feed_and_a_second_build_writes_nothing(project, config, run):
    run("build", "html")
    feed = (site_folder(config) / "feeds" / "en.xml").read_bytes()
    changes, gone = build_feeds(Project(config))
    assert changes.written == [] and gone == []
    (site_folder(config) / "feeds" / "en.xml").unlink()
    build_feeds(Project(config))
    assert (site_folder(config) / "feeds" / "en.xml").read_bytes() == feed
