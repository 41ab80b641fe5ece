"""Shared fixtures: a throw-away project built from the files under tests/data, and a headless browser."""
from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from checkers import launch_chromium
from click.testing import CliRunner
from playwright.sync_api import Browser, sync_playwright
from projects import make_project

from library.cli import main
from library.core.config import Config, load_config


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the test papers, the real templates and a setup.cfg."""
    return make_project(tmp_path)


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project / "setup.cfg")


@pytest.fixture
def run(project: Path):
    """Run the `library` command in the project, returning click's result."""

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--config", str(project / "setup.cfg"), *args], catch_exceptions=False)

    return invoke


@pytest.fixture(autouse=True)
def fixed_epoch(monkeypatch):
    """A fixed POT-Creation-Date, so generated files can be compared whole."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1646092800")  # 2022-03-01 00:00 UTC


@pytest.fixture(scope="session")
def real_library(tmp_path_factory) -> Config:
    """The library's own papers and catalogs, built once (site and indexes) for the tests that only read it."""
    import dataclasses

    from projects import REPOSITORY

    from library.model.project import Project
    from library.outputs.search.index import build_index
    from library.outputs.site.html import build_html
    from library.outputs.static_search.pagefind import build_static_search

    config = load_config(REPOSITORY / "setup.cfg")
    config = dataclasses.replace(config, build_dir=tmp_path_factory.mktemp("real") / "build")
    project = Project(config)
    build_html(project)
    build_static_search(project)
    build_index(project)
    return config


def pytest_collection_modifyitems(items) -> None:
    """Browser tests are marked `browser` (they use Chromium), for a fast local run: -m 'not browser and not java'."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright, shared by the whole session."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    """GNU msgfmt --check on path (gettext is installed by the test command)."""
    return subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)


def snapshot(folder: Path) -> dict[str, str]:
    """Path -> content hash of every file under folder, to prove nothing was written.

    The writers' lock files (build/.lock, build/.locales.lock) are left out: taking the
    lock records who holds it, which is no output.
    """
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }
