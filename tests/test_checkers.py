"""The HTML checkers themselves: each passes a clean page and flags a broken one."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from checkers import axe_violations, vnu_errors
from playwright.sync_api import Browser, Page

VALID = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Valid</title></head>
<body><main><h1>Valid</h1><p>A paragraph.</p></main></body>
</html>
"""
# Served with the Content-Security-Policy of the site; the inline script must not run.
CSP = "default-src 'self'; script-src 'self'"
CSP_PAGE = VALID.replace("<p>", "<script>document.title = 'scripted'</script><img src='a.png'><p>")


@pytest.mark.java
def test_vnu_passes_valid_and_flags_invalid_files(tmp_path: Path):
    valid = tmp_path / "valid.html"
    valid.write_text(VALID, "utf-8")
    # Spaces and accents in names: vnu.jar reports them percent-encoded, or skips them under LANG=C.
    stray = tmp_path / "stray end tag.html"
    stray.write_text(VALID.replace("</p>", "</p></div>"), "utf-8")
    untitled = tmp_path / "sans-titre-é.html"
    untitled.write_text(VALID.replace("<title>Valid</title>", ""), "utf-8")

    assert vnu_errors([valid, stray, untitled]) == [
        f"{stray}:4:46: Stray end tag “div”.",
        f"{untitled}:3:29: Element “head” is missing a required instance of child element “title”.",
    ]


@pytest.mark.java
def test_vnu_refuses_a_missing_file_and_needs_java(tmp_path: Path, monkeypatch):
    assert vnu_errors([]) == []
    with pytest.raises(pytest.fail.Exception, match="no HTML file to check at: .*nowhere.html"):
        vnu_errors([tmp_path / "nowhere.html"])
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="java is not on PATH"):
        vnu_errors([tmp_path / "nowhere.html"])


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_axe_passes_a_clean_page(page: Page):
    page.set_content(VALID)
    assert axe_violations(page) == []


def test_axe_flags_missing_alt_and_low_contrast(page: Page):
    page.set_content(VALID.replace("<p>", "<img src='a.png'><p style='color: #bbb; background: #fff'>"))
    assert axe_violations(page) == [
        "color-contrast: Elements must meet minimum color contrast ratio thresholds (1 node: p)",
        "image-alt: Images must have alternative text (1 node: img)",
    ]


def test_axe_runs_under_a_strict_content_security_policy(page: Page):
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP}
    page.route("http://site.test/**", lambda route: route.fulfill(body=CSP_PAGE, headers=headers))
    page.goto("http://site.test/")
    assert page.title() == "Valid"  # the policy holds
    assert axe_violations(page) == ["image-alt: Images must have alternative text (1 node: img)"]
