"""The site's address: absolute canonical and hreflang links, a sitemap and robots.txt, published languages only."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import snapshot
from lxml import etree
from pages import Page
from projects import DATA, prefixed, translate_catalogs
from projects import REAL_SITE_URL as SITE_URL

from library.core.config import load_config
from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.sitemap.sitemap import NEEDS_SITE_URL, build_sitemap

SCHEMA = DATA / "sitemaps" / "sitemap-with-alternates.xsd"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _with_site_url(project: Path, url: str = SITE_URL):
    setup = project / "setup.cfg"
    setup.write_text(setup.read_text("utf-8") + f"site_url = {url}\n", "utf-8")
    return load_config(setup)


def _validated(path: Path) -> etree._ElementTree:
    """The sitemap, parsed and validated by lxml against sitemaps.org's XML Schema (and the xhtml:link element)."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    tree = etree.parse(str(path))
    assert schema.validate(tree), schema.error_log
    return tree


def _clusters(tree) -> dict[str, dict[str, str]]:
    """Each listed address -> its alternates by hreflang."""
    return {url.findtext("s:loc", namespaces=NS): {link.get("hreflang"): link.get("href")
                                                   for link in url.findall("x:link", NS)}
            for url in tree.getroot().findall("s:url", NS)}


def _head_links(path: Path) -> tuple[list[str], dict[str, str], bool]:
    page = Page(path)
    canonical = [link.get("href") for link in page.all("link") if link.get("rel") == "canonical"]
    alternates = {link.get("hreflang"): link.get("href") for link in page.all("link") if link.get("hreflang")}
    noindex = any(m.get("name") == "robots" and m.get("content") == "noindex" for m in page.all("meta"))
    return canonical, alternates, noindex


@pytest.fixture
def french(project, config):
    """The test project with its sample paper published in French (and nothing in Spanish)."""
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample",))
    return project


def test_with_site_url_links_are_absolute_and_only_published_languages_are_announced(french, run):
    config = _with_site_url(french)
    assert run("build", "html").exit_code == 0
    site = site_folder(config)
    canonical, alternates, noindex = _head_links(site / "fr" / "sample.html")
    assert canonical == [SITE_URL + "fr/sample.html"] and not noindex
    assert alternates == {"en": SITE_URL + "en/sample.html", "fr": SITE_URL + "fr/sample.html",
                          "x-default": SITE_URL + "en/sample.html"}
    # Spanish is 0 % translated: the page is there for readers, not announced, and not in the sitemap.
    canonical, alternates, noindex = _head_links(site / "es" / "sample.html")
    assert canonical == [SITE_URL + "es/sample.html"] and alternates == {} and noindex
    clusters = _clusters(_validated(site / "sitemap.xml"))
    assert SITE_URL + "es/sample.html" not in clusters
    assert clusters[SITE_URL + "fr/sample.html"] == {code: href for code, href in
                                                     _head_links(site / "fr" / "sample.html")[1].items()}
    assert clusters[SITE_URL + "fr/sample/en.html"] == {"fr": SITE_URL + "fr/sample/en.html",
                                                        "en": SITE_URL + "en/sample/fr.html"}
    # The series page is not translated: the homes are announced in English alone.
    assert clusters[SITE_URL + "en/"] == {"en": SITE_URL + "en/", "x-default": SITE_URL}
    assert (site / "robots.txt").read_text("utf-8").endswith(
        "User-agent: *\nDisallow: /migration-justice/dashboard/\n\nSitemap: " + SITE_URL + "sitemap.xml\n")


@pytest.mark.slow  # builds a site in two states
def test_alternates_are_reciprocal_with_one_default_per_cluster(french, run):
    config = _with_site_url(french)
    run("build", "html")
    clusters = _clusters(_validated(site_folder(config) / "sitemap.xml"))
    for address, alternates in clusters.items():
        if address == SITE_URL:  # the front door is the homes' x-default
            continue
        assert address in alternates.values(), address
        for code, other in alternates.items():
            if code != "x-default":
                assert clusters[other] == alternates, (address, other)


def test_without_site_url_links_stay_relative_and_the_build_says_what_needs_it(french, run, config):
    result = run("build", "html")
    assert result.exit_code == 0 and NEEDS_SITE_URL in result.output.splitlines()
    site = site_folder(config)
    assert not (site / "sitemap.xml").exists() and not (site / "robots.txt").exists()
    canonical, alternates, _ = _head_links(site / "fr" / "sample.html")
    assert canonical == ["../fr/sample.html"] and alternates["en"] == "../en/sample.html"


@pytest.mark.slow  # builds the site twice
def test_setting_then_unsetting_site_url_withdraws_the_sitemap(french, run):
    setup = french / "setup.cfg"
    plain = setup.read_text("utf-8")
    _with_site_url(french)
    first = run("build", "html")
    assert "settings changed" not in first.output  # a first build: everything
    assert run("build", "html").output.startswith("nothing to do")
    setup.write_text(plain, "utf-8")
    lines = run("build", "html").output.splitlines()
    assert "withdrew build/html/sitemap.xml: site_url is not set in setup.cfg" in lines
    assert "withdrew build/html/robots.txt: site_url is not set in setup.cfg" in lines
    assert any(line.endswith("(settings changed: site_url)") for line in lines), lines


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_a_second_build_leaves_the_sitemap_alone_and_the_site_stage_keeps_it(french, run):
    config = _with_site_url(french)
    run("build", "html")
    site = site_folder(config)
    before = snapshot(site)
    changes, gone = build_sitemap(Project(config))
    assert changes.written == [] and gone == [] and len(changes.unchanged) == 2
    run("build", "html")
    assert snapshot(site) == before  # the site stage does not take the sitemap for a stale page


@pytest.mark.parametrize("value", ["example.org", "ftp://example.org/", "https://", "https://exa mple.org/",
                                   "https://example.org/?page=1", "https://example.org:port/"])
def test_a_site_url_that_is_no_web_address_is_refused_with_its_line(project, run, value):
    (project / "setup.cfg").write_text((project / "setup.cfg").read_text("utf-8") + f"site_url = {value}\n", "utf-8")
    result = run("build", "html")
    assert result.exit_code == 3
    assert result.output.startswith("Error: setup.cfg:5: [library] site_url: expected an absolute http or https "
                                    "address such as https://example.org/migration-justice/")


def test_site_url_gets_its_trailing_slash(project):
    assert _with_site_url(project, "https://example.org/mj").site_url == "https://example.org/mj/"


def test_the_real_library_with_site_url_passes_the_sitemap_schema(real_site_at_url):
    config = real_site_at_url
    site = site_folder(config)
    clusters = _clusters(_validated(site / "sitemap.xml"))
    papers = [path.stem for path in config.papers_dir.glob("*.md")]
    # The root, three homes, and every paper in three languages, alone and beside each of the two others.
    assert len(clusters) == 1 + 3 + len(papers) * 3 * 3
    for address, alternates in clusters.items():
        path = site / address.removeprefix(SITE_URL)
        path = path / "index.html" if address.endswith("/") else path
        canonical, head, noindex = _head_links(path)
        assert canonical == [address] and head == alternates and not noindex, address


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_the_schema_refuses_what_search_engines_would(french, run):
    config = _with_site_url(french)
    run("build", "html")
    good = (site_folder(config) / "sitemap.xml").read_text("utf-8")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for broken in (good.replace("<lastmod>2022-03-01", "<lastmod>2022-13-01", 1),
                   good.replace('hreflang="fr"', 'hreflang="French"', 1),
                   good.replace("<loc>", "<location>", 1).replace("</loc>", "</location>", 1)):
        assert broken != good and not schema.validate(etree.fromstring(broken.encode()))
