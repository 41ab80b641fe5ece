"""Watch mode keys again only the pages a save can change, and leaves the site a fresh build makes.

On a synthetic series of four papers, saves go through the watcher one after the other: a
French catalog, an English paper, a template, a Spanish catalog that takes a paper below the
threshold, the series' French catalog. Each keys again the pages of the papers it can change
(every paper's for a template or the series), and after them all the site stage's files are
byte for byte those `library build html` makes from nothing on a copy of the sources.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import REPOSITORY, catalog_of, save_translation

from library.cli import main
from library.core.config import Config, load_config
from library.core.files import write_atomic
from library.core.paths import catalog_path, site_folder, state_path
from library.model.stamps import FileHashes
from library.outputs.site import html as site_module
from library.outputs.site.writing import SiteFiles
from library.serving.watch import Preview, _Watcher, watch_project
from library.sources.powriter import render_catalog

sys.path.insert(0, str(REPOSITORY / "benchmarks"))
from synthetic import make_library  # noqa: E402

FRENCH = "why-the-imrf-matters"  # the second paper: its French catalog is saved
ENGLISH = "key-points-on-the-roadmap"  # the third: its English source is edited
SPANISH = "meaningful-participation"  # the fourth: its Spanish catalog is emptied
EVERY_PAPER = {"what-is-the-imrf", FRENCH, ENGLISH, SPANISH, "series"}


@pytest.fixture
def series(tmp_path, monkeypatch) -> Config:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1646092800")
    return load_config(make_library(tmp_path / "series", 4) / "setup.cfg")


def _site_files(config: Config) -> dict[str, bytes]:
    """The site stage's files (the other stages' folders left out), by name."""
    site = site_folder(config)
    return {name: (site / name).read_bytes() for name in sorted(SiteFiles(site).names)}


def _recorded_keys(config: Config) -> dict[str, object]:
    state = json.loads(state_path(config, "html").read_text("utf-8"))
    return {"pages": state["pages"], "scopes": state["scopes"]}


def _empty_catalog(config: Config, language: str, slug: str) -> None:
    """A translator's save that takes every translation of a catalog out."""
    catalog = catalog_of(config, language, slug)
    for message in catalog:
        if message.id:
            message.string = ""
    write_atomic(catalog_path(config, language, slug), render_catalog(catalog))


def _edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


@pytest.mark.slow  # five saves through the watcher, then a build from nothing: seconds of CPU; CI runs it
def test_each_save_keys_its_papers_pages_and_the_site_is_a_fresh_builds(series, tmp_path, monkeypatch):
    settings = series.root / "setup.cfg"
    said: list[str] = []
    watcher = _Watcher(settings, Preview(), said.append, None)
    watcher.rebuild([settings])  # as `serve --watch` starts
    watcher.warm()
    keyed: Counter[str] = Counter()  # the papers whose pages' keys were computed, not kept from the last build
    paper_key = site_module._Site._paper_key
    monkeypatch.setattr(site_module._Site, "_paper_key",
                        lambda site, language, paper, *parts: keyed.update([paper.slug]) or paper_key(
                            site, language, paper, *parts))

    def save(path: Path, papers: set[str]) -> None:
        keyed.clear()
        said.clear()
        watcher.rebuild([path])
        assert any(" site files rewritten in " in line for line in said), said
        assert not any(line.startswith("Error") for line in said), said
        assert set(keyed) == papers

    save_translation(series, "fr", FRENCH, "Forum d’examen", "Le Forum d’examen")
    save(catalog_path(series, "fr", FRENCH), {FRENCH})
    assert "Le Forum d’examen" in (site_folder(series) / "fr" / f"{FRENCH}.html").read_text("utf-8")

    save(_edit(series.papers_dir / f"{ENGLISH}.md", "cannot carry that task alone.",
               "cannot carry that task on their own."), {ENGLISH})  # extract and update, then its pages

    save(_edit(series.templates_dir / "_paper_card.html", "</", "<!-- a card -->\n</"), EVERY_PAPER)

    _empty_catalog(series, "es", SPANISH)  # below the threshold: no longer published in Spanish
    save(catalog_path(series, "es", SPANISH), {SPANISH})

    save_translation(series, "fr", "series", "Bureau Quaker", "Le Bureau Quaker")
    save(catalog_path(series, "fr", "series"), EVERY_PAPER)  # the series shows on every page

    fresh = tmp_path / "fresh"
    shutil.copytree(series.root, fresh, ignore=shutil.ignore_patterns("build"))
    result = CliRunner().invoke(main, ["--config", str(fresh / "setup.cfg"), "build", "html"])
    assert result.exit_code == 0, result.output
    fresh_config = load_config(fresh / "setup.cfg")
    watched, built = _site_files(series), _site_files(fresh_config)
    assert sorted(watched) == sorted(built)
    assert [name for name in built if watched[name] != built[name]] == []
    assert _recorded_keys(series) == _recorded_keys(fresh_config)  # the keys kept are those computed afresh
    result = CliRunner().invoke(main, ["--config", str(fresh / "setup.cfg"), "extract"])
    assert result.exit_code == 0, result.output
    catalogs = sorted(path.relative_to(fresh) for path in (fresh / "locales").rglob("*")
                      if path.is_file() and path.name != "ui.pot")  # the interface's: watch mode leaves it be
    assert [name for name in catalogs if (fresh / name).read_bytes() != (series.root / name).read_bytes()] == []


def test_a_file_is_hashed_again_once_it_changed_or_was_forgotten(tmp_path):
    path = tmp_path / "fr.po"
    path.write_bytes(b"one")
    hashes, reads = FileHashes(), []
    real_read = Path.read_bytes
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real_read(self))
        first = hashes.sha256(path)
        assert hashes.sha256(path) == first == hashlib.sha256(b"one").hexdigest() and len(reads) == 1
        hashes.forget([path])  # the watcher heard a save: read again, whatever the clock said
        assert hashes.sha256(path) == first and len(reads) == 2
        path.write_bytes(b"three")
        assert hashes.sha256(path) == hashlib.sha256(b"three").hexdigest() and len(reads) == 3
        path.unlink()
        assert hashes.sha256(path) == "-"


def test_the_site_removes_its_stale_files_and_the_folders_they_leave_empty(tmp_path):
    site = tmp_path / "html"
    for name in ("fr/kept.html", "fr/old/gone.html", "es/gone/deeper/gone.html", "pagefind/fr/part.pf",
                 "feeds/fr.xml"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x", "utf-8")
    (site / "empty" / "inside").mkdir(parents=True)  # left empty by an earlier build, or by hand
    (site / "pagefind" / "empty").mkdir()  # the static search's: none of the site stage's business
    files = SiteFiles(site)
    assert files.names == {"fr/kept.html", "fr/old/gone.html", "es/gone/deeper/gone.html"}
    removed = files.remove_except({"fr/kept.html"})
    assert sorted(path.relative_to(site).as_posix() for path in removed) == ["es/gone/deeper/gone.html",
                                                                           "fr/old/gone.html"]
    left = sorted(path.relative_to(site).as_posix() for path in site.rglob("*"))
    assert left == ["feeds", "feeds/fr.xml", "fr", "fr/kept.html", "pagefind", "pagefind/empty", "pagefind/fr",
                    "pagefind/fr/part.pf"]


@pytest.mark.slow  # builds a series' site, then watches it in a thread
def test_the_heap_is_frozen_while_watching_and_given_back_when_the_preview_closes(tmp_path):
    config = load_config(make_library(tmp_path / "series", 1) / "setup.cfg")
    gc.unfreeze()
    with _watching(config) as (preview, thread):
        assert gc.get_freeze_count() > 0  # what the start read: no collection a save sets off walks it
        before = preview.status.generation
        save_translation(config, "fr", "what-is-the-imrf", "Forum d’examen", "Le Forum d’examen")
        deadline = time.monotonic() + 60
        while preview.status.generation == before:
            assert time.monotonic() < deadline, "the save was not built"
            preview.next_status(preview.status, 0.5)
        assert gc.get_freeze_count() > 0
    assert not thread.is_alive() and gc.get_freeze_count() == 0


@contextlib.contextmanager
def _watching(config: Config) -> Iterator[tuple[Preview, threading.Thread]]:
    """The project watched in a thread, once its first build is done; closed and joined after."""
    preview, ready = Preview(), threading.Event()
    thread = threading.Thread(target=watch_project, args=(config.root / "setup.cfg", preview, lambda line: None),
                              kwargs={"pdf_pause": None, "ready": ready}, daemon=True)
    thread.start()
    try:
        assert ready.wait(120), "the first build did not end"
        yield preview, thread
    finally:
        preview.close()
        thread.join(30)


@pytest.mark.slow  # builds a series' site, then watches it in a thread
def test_a_save_made_before_the_system_listens_is_built_all_the_same(tmp_path, monkeypatch):
    import watchfiles

    config = load_config(make_library(tmp_path / "series", 1) / "setup.cfg")
    real_watch, saved_early = watchfiles.watch, []

    def listening_late(*args, **kwargs):  # the save lands after ready, before the system listens
        if not saved_early:
            save_translation(config, "fr", "what-is-the-imrf", "Forum d’examen", "Zorglub : Forum d’examen")
            saved_early.append(True)
        return real_watch(*args, **kwargs)

    monkeypatch.setattr(watchfiles, "watch", listening_late)
    with _watching(config) as (preview, thread):
        deadline = time.monotonic() + 60
        while "Zorglub" not in (site_folder(config) / "fr" / "what-is-the-imrf.html").read_text("utf-8"):
            assert time.monotonic() < deadline, "the save made before the watch listened was never built"
            preview.next_status(preview.status, 0.5)
    assert saved_early and not thread.is_alive()
