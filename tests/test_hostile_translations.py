"""A site built from catalogs full of script and HTML injections shows them as text and runs nothing."""
from __future__ import annotations

import itertools
import json
import re
from urllib.parse import urlsplit

import pytest
from checkers import vnu_errors
from pages import Page, text
from projects import DATA, live_server, make_project, translate_catalogs

from library.core.config import load_config
from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.headers import META_POLICY
from library.outputs.site.html import build_html
from library.sources.markup import is_allowed_link

PAYLOADS = [
    line for line in (DATA / "hostile" / "payloads.txt").read_text("utf-8").splitlines()
    if line and not line.startswith("# ")
]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# Everything the templates and the inline renderer may produce; anything else was injected.
TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "header", "nav", "main", "footer", "article",
    "section", "div", "p", "span", "a", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "time", "em",
    "strong", "code", "br", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
    "img", "pre", "hr", "form", "label", "input", "button", "noscript", "details", "summary",
    "i",  # a citation's title, set in italics by the CSL style
}
ATTRIBUTES = {
    "lang", "dir", "charset", "name", "content", "rel", "href", "hreflang", "src", "defer", "class", "id",
    "aria-label", "aria-current", "aria-labelledby", "aria-hidden", "tabindex", "data-keep-place", "data-column",
    "datetime", "type", "scope", "start", "alt", "title", "role", "action", "method", "for", "value", "maxlength",
    "autocomplete", "http-equiv", "hidden", "data-static-search", "data-root", "data-notice", "data-status",
    "data-results", "data-language",
    "download", "property",  # OpenGraph's tags are RDFa: <meta property="og:title" content="…">
}


def _hostile_translator(used: set[str]):
    """Two payloads for each message, in turn, keeping the placeholders that Python formatting needs."""
    payloads = itertools.cycle(PAYLOADS)

    def translate(message):
        chosen = [next(payloads), next(payloads)]
        used.update(chosen)
        payload = " ".join(chosen)
        if message.python_format:
            english = message.id if isinstance(message.id, str) else message.id[1]
            placeholders = " ".join(PLACEHOLDER.findall(english))
            payload = f"{payload.replace('%', '%%')} {placeholders}"
        return (payload, payload) if isinstance(message.id, tuple) else payload

    return translate


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    config = load_config(make_project(tmp_path_factory.mktemp("hostile")) / "setup.cfg")
    used: set[str] = set()
    translate_catalogs(config, "fr", _hostile_translator(used))
    assert used == set(PAYLOADS), "more payloads than messages: some would go untested"
    build_html(Project(config))
    return config


def _pages(config) -> list[Page]:
    site = site_folder(config)
    return [Page(path) for path in sorted(site.rglob("*.html"))
            if path.relative_to(site).parts[0] in ("fr", "index.html")]


def test_every_payload_reached_a_page(hostile_site):
    shown = " ".join(text(page.root) for page in _pages(hostile_site))
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\" onmouseover=\"alert(1)",
                    "<svg/onload=alert(1)>", "[click](javascript:alert(1))"):
        assert payload in shown, payload


def test_no_element_or_attribute_was_injected(hostile_site):
    for page in _pages(hostile_site):
        for element in page.root.iter():
            assert element.tag in TAGS, f"{page.path}: injected <{element.tag}>"
            unexpected = set(element.attrib) - ATTRIBUTES
            assert not unexpected, f"{page.path}: injected {unexpected} on <{element.tag}>"


def test_the_only_scripts_are_the_sites_own(hostile_site):
    for page in _pages(hostile_site):
        scripts = page.all("script")
        data_types = ("application/json", "application/ld+json")  # data, never run
        code = [script.get("src") for script in scripts if script.get("type") not in data_types]
        assert code[0].endswith("assets/site.js") and all(not text(s) for s in scripts if s.get("src"))
        front_door = page.path.name == "index.html" and page.path.parent == site_folder(hostile_site)
        assert code[1:] == (["../assets/search.js"] if page.path.name == "search.html"
                            else ["assets/front-door.js"] if front_door else [])
        for data in (script for script in scripts if script.get("type") == "application/json"):
            assert page.path.name == "search.html" and json.loads(text(data))  # data the script reads, whole
        for data in (script for script in scripts if script.get("type") == "application/ld+json"):
            # A paper's schema.org description: JSON whole, its texts (payloads included) inside its strings.
            assert json.loads(text(data))["@type"] == "Report" and "</" not in text(data)
        policies = [
            (meta.get("http-equiv"), meta.get("content")) for meta in page.all("meta") if meta.get("http-equiv")
        ]
        assert policies == [("Content-Security-Policy", META_POLICY)]


def test_every_address_is_allowed(hostile_site):
    for page in _pages(hostile_site):
        for element in page.root.iter():
            for name in ("href", "src"):
                url = element.get(name)
                if url is not None:
                    assert is_allowed_link(url), f"{page.path}: {name}={url!r}"
            if element.tag in ("img", "script", "link") and element.get("type") not in ("application/json",
                                                                                        "application/ld+json"):
                target = element.get("src") or element.get("href")
                assert not urlsplit(target).scheme and not target.startswith("//"), f"{page.path}: loads {target}"


@pytest.mark.java
def test_pages_stay_valid_html(hostile_site):
    assert vnu_errors([page.path for page in _pages(hostile_site)]) == []


def test_no_script_runs_and_nothing_is_fetched_in_a_browser(hostile_site, browser):
    # The site's Content-Security-Policy is switched off: escaping alone must hold.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs, errors, requests = [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    site = site_folder(hostile_site)
    with live_server(hostile_site) as base:
        for path in _pages(hostile_site):
            address = f"{base}/{path.path.relative_to(site).as_posix()}"
            page.goto(address)
            page.mouse.move(200, 300)
            page.keyboard.press("Tab")
            assert page.evaluate("document.querySelectorAll('script:not([type=\"application/ld+json\"])').length") \
                == 1, address
    context.close()
    assert dialogs == [] and errors == []
    assert [url for url in requests if not url.startswith(base)] == []
