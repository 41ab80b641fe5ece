"""Shared fixtures: a throw-away project built from the files under tests/data, and a headless browser."""
from __future__ import annotations

import gc
import hashlib
import itertools
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from checkers import launch_chromium
from click.testing import CliRunner
from playwright.sync_api import Browser, sync_playwright
from projects import REAL_SITE_URL, copy_files, make_project, prefixed, translate_catalogs

from library.cli import main
from library.core.config import Config, load_config

_TEST_FOLDERS = itertools.count()


@pytest.fixture
def tmp_path(request, tmp_path_factory) -> Path:
    """A new empty folder for each test, named after it, as pytest's own tmp_path.

    pytest's numbers each folder after listing every folder the session made so far (and
    links the latest): over a thousand tests, a CPU-second of the local tier. A counter
    numbers them here. They are kept, as pytest's default tmp_path_retention_policy ("all")
    keeps its own: the base folder goes at the start of a later session.
    """
    name = re.sub(r"\W", "_", request.node.name)[:30]
    path = tmp_path_factory.getbasetemp() / f"{name}-{next(_TEST_FOLDERS)}"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the test papers, the real templates and a setup.cfg."""
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def prepare(tmp_path_factory):
    """Bring a test's project to a state a recipe makes, made once a session and copied after.

    prepare(project, name, recipe): the first call of a name runs recipe(config) on a project of
    its own; every call copies that project's locales/ into project. Dozens of tests that start
    from translated catalogs share one extract, update and translation that way.
    """
    made: dict[str, Path] = {}

    def copy_into(project: Path, name: str, recipe: Callable[[Config], object]) -> None:
        if name not in made:
            folder = make_project(tmp_path_factory.mktemp(f"prepared-{name}"))
            recipe(load_config(folder / "setup.cfg"))
            made[name] = folder
        copy_files(made[name] / "locales", project / "locales")

    return copy_into


def site_built_once(tmp_path_factory, name: str, prepare: Callable[[Config], object] | None = None, *,
                    index: bool = False) -> Config:
    """A project of its own, prepared (its catalogs translated, say), its site (and index) built.

    For module-scoped fixtures shared by the tests that only read the pages: a build per test
    took most of their time.
    """
    from library.model.project import Project
    from library.outputs.search.index import build_index
    from library.outputs.site.html import build_html

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        config = load_config(make_project(tmp_path_factory.mktemp(name)) / "setup.cfg")
        if prepare is not None:
            prepare(config)
        build_html(Project(config))
        if index:
            build_index(Project(config))
    return config


def _cli(config: Config, *args: str) -> None:
    result = CliRunner().invoke(main, ["--config", str(config.root / "setup.cfg"), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _extract_and_update(config: Config) -> None:
    _cli(config, "extract")
    _cli(config, "update")


def _french(config: Config) -> None:
    translate_catalogs(config, "fr", prefixed("FR "))


@pytest.fixture
def updated(project: Path, prepare) -> Path:
    """The project after `library extract` and `library update`: every catalog, none translated."""
    prepare(project, "updated", _extract_and_update)
    return project


@pytest.fixture
def french(project: Path, prepare) -> Path:
    """The project with its catalogs extracted and French translated as "FR " + the English."""
    prepare(project, "french", _french)
    return project


@pytest.fixture(scope="module")
def updated_shared(tmp_path_factory, prepare) -> Path:
    """One `updated` project for a module's tests that change a file and put it back (projects.put_back).

    For the dozens of broken-file cases of one test: a project of 50 files each cost more
    than the command they run, most of it the kernel's in creating the files.
    """
    project = make_project(tmp_path_factory.mktemp("updated-shared"))
    prepare(project, "updated", _extract_and_update)
    return project


@pytest.fixture(scope="module")
def french_shared(tmp_path_factory, prepare) -> Path:
    """One `french` project for a module's tests that change a file and put it back (see updated_shared)."""
    project = make_project(tmp_path_factory.mktemp("french-shared"))
    prepare(project, "french", _french)
    return project


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project / "setup.cfg")


@pytest.fixture
def run(project: Path):
    """Run the `library` command in the project, returning click's result."""

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--config", str(project / "setup.cfg"), *args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session", autouse=True)
def interface_template_once_per_templates() -> Iterator[None]:
    """Each extract's ui.pot catalog made once per distinct set of templates, then copied.

    Babel's Jinja2 extractor parsed every template at each `library extract`: some 120
    extracts of projects with the same templates spent 13 of the local tier's CPU-seconds on
    it. The catalog depends only on the templates' names and bytes (keyed here) and on the
    library's code (fixed for a session); a test that edits a template gets its own, made
    by the real extractor. test_catalogs calls the real ui_template directly.
    """
    import copy

    import library.translations.catalogs as catalogs
    from library.core.paths import shown

    real = catalogs.ui_template
    made: dict[tuple, object] = {}

    def ui_template(config: Config):
        try:
            key = tuple((shown(path.resolve(), config.root), hashlib.sha256(path.read_bytes()).digest())
                        for path in sorted(config.templates_dir.glob("**/*.html")))
        except OSError:  # the real extractor says what is wrong with the file
            return real(config)
        if key not in made:
            made[key] = real(config)
        return copy.deepcopy(made[key])  # extract sets its creation date

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalogs, "ui_template", ui_template)
        yield


@pytest.fixture(scope="session", autouse=True)
def msgcat_once_per_text() -> Iterator[None]:
    """GNU msgcat run once per distinct PO text a session, its layout remembered.

    Every PO or POT file the library writes goes through msgcat (sources/powriter.py): a
    local tier ran it a thousand times on 160 distinct texts, 4.5 CPU-seconds. Its output
    depends on the input bytes alone; where a test hides gettext (shutil.which finds no
    msgcat), the real function runs, as it would for a user.
    """
    import shutil

    import library.sources.powriter as powriter

    real = powriter._as_msgcat_writes
    laid_out: dict[bytes, bytes] = {}

    def as_msgcat_writes(data: bytes) -> bytes:
        if shutil.which("msgcat") is None:
            return real(data)
        key = hashlib.sha256(data).digest()
        if key not in laid_out:
            laid_out[key] = real(data)
        return laid_out[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(powriter, "_as_msgcat_writes", as_msgcat_writes)
        yield


FIXED_EPOCH = "1646092800"  # 2022-03-01 00:00 UTC


@pytest.fixture(autouse=True)
def fixed_epoch(monkeypatch):
    """A fixed POT-Creation-Date, so generated files can be compared whole."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


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


@pytest.fixture(scope="session")
def real_site_at_url(tmp_path_factory) -> Config:
    """A copy of the real library published at REAL_SITE_URL: its site, citation files, feeds and sitemap built once.

    Its English "What is the IMRF?" PDF is recorded as published (no PDF rendered), so the
    pages and files that link a PDF have one. For the tests that only read these outputs.
    """
    import dataclasses

    from projects import copy_real_library

    from library.model.manifest import PdfEntry, write_pdf_manifest
    from library.model.project import Project
    from library.outputs.citations.files import build_citations
    from library.outputs.feeds.atom import build_feeds
    from library.outputs.site.html import build_html
    from library.outputs.sitemap.sitemap import build_sitemap

    folder = copy_real_library(tmp_path_factory.mktemp("real-at-url"))
    config = dataclasses.replace(load_config(folder / "setup.cfg"), site_url=REAL_SITE_URL)
    write_pdf_manifest(config, {"en/what-is-the-imrf": PdfEntry("en", "what-is-the-imrf", "published", 100.0, "x")})
    project = Project(config)
    for build in (build_html, build_citations, build_feeds, build_sitemap):
        build(project)
    return config


def pytest_collection_finish(session) -> None:
    """Leave what the session holds from now on (modules, the collected tests) out of the collector's scans.

    Python's full garbage collections walk every object alive; some forty of them walked the
    imported library and the thousand collected tests again each time. Frozen objects are
    never collected: none of these are garbage. A young generation of 20,000 objects rather
    than 700 (the tests make many short-lived ones) promotes fewer to the old generations:
    fewer full collections. The collector's share of the local tier: 5.7 CPU-s to 3.0.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def pytest_collection_modifyitems(items) -> None:
    """Mark every test that uses the browser `browser`.

    The markers (registered in setup.cfg), each a kind of test the local tier leaves to CI:
    - browser: drives Debian's Chromium through Playwright (set here, from the fixtures a test uses);
    - java: runs the Nu HTML checker or veraPDF on Java;
    - slow: renders PDFs with WeasyPrint (a whole library's take a minute), runs many build cycles
      (a property test of extract and update, a writer killed at every moment, the library grown
      and shrunk, the incremental builds) or a whole build in a process of its own: seconds to a
      minute each.
    The local tier, about a minute: pytest -m "not slow and not browser and not java"; CI runs all.
    """
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
