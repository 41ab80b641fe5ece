"""Watch mode at scale: a save costs what it changed, not what the library holds.

On a synthetic series (the real papers, copied and translated), a PO save in watch mode parses
that catalog and no paper, translates that paper in that language only, indexes again only the
group of papers it belongs to, and plans that language's PDFs only, to tell which are behind; the
page and the search show the edit all the same.
"""
from __future__ import annotations

import sys
from collections import Counter

import pytest
from projects import REPOSITORY, save_translation

from library.core.config import load_config
from library.core.paths import catalog_path, site_folder
from library.model import project as project_module
from library.model.project import Project
from library.outputs.search import groups as index_groups
from library.outputs.search.engine import SearchEngine
from library.serving import watch as watch_module
from library.serving.watch import Preview, _Watcher

sys.path.insert(0, str(REPOSITORY / "benchmarks"))
from synthetic import make_library  # noqa: E402

CHANGED = "what-is-the-imrf-2"  # the fifth paper, in the third group of two
NEW_WORD = "zorglubien"


@pytest.fixture
def series(tmp_path, monkeypatch):
    """Six papers and the series page, indexed in groups of two: the config."""
    monkeypatch.setattr(index_groups, "GROUP_SIZE", 2)
    return load_config(make_library(tmp_path / "series", 6) / "setup.cfg")


def _save_an_entry(config) -> None:
    save_translation(config, "fr", CHANGED, "Le Forum", f"{NEW_WORD} : le Forum")


def _counting(monkeypatch, module, name: str, counts: Counter, key) -> None:
    """Count the calls of module.name by key(*args)."""
    original = getattr(module, name)

    def counted(*args, **kwargs):
        counts[key(*args)] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_a_po_save_reads_that_catalog_and_indexes_its_group_only(series, monkeypatch):
    from whoosh.writing import SegmentWriter

    said: list[str] = []
    watcher = _Watcher(series.root / "setup.cfg", Preview(), said.append, None)
    watcher.rebuild([series.root / "setup.cfg"])  # the first build, as `serve --watch` starts
    assert any("site files rewritten" in line for line in said)
    parsed, read, translated, indexed = Counter(), Counter(), Counter(), Counter()
    _counting(monkeypatch, project_module, "load_paper", parsed, lambda path: path.stem)
    _counting(monkeypatch, project_module, "read_catalog", read, lambda path, **_: path.name)
    _counting(monkeypatch, project_module, "translate_paper", translated, lambda paper, language, *_: (paper.slug,
                                                                                                       language))
    planned = Counter()  # the languages whose PDFs are planned again, to tell which are behind
    _counting(monkeypatch, watch_module, "pdfs_behind", planned, lambda project, languages=(): languages)
    add_document = SegmentWriter.add_document
    monkeypatch.setattr(SegmentWriter, "add_document",
                        lambda writer, **fields: indexed.update([fields["paper"]]) or add_document(writer, **fields))
    _save_an_entry(series)
    said.clear()
    watcher.rebuild([catalog_path(series, "fr", CHANGED)])
    assert any(line.endswith(f"{CHANGED}.po: 6 site files rewritten" + line.rsplit("rewritten", 1)[1])
               for line in said), said
    assert not parsed  # no paper read again
    assert read == Counter({f"{CHANGED}.po": 1})
    assert set(translated) == {(CHANGED, "fr")}
    assert set(indexed) == {CHANGED, "why-the-imrf-matters-2"}  # its group of two, and no other
    assert planned == Counter({("fr",): 1})
    assert len(watcher._unrendered_pdfs) == 3 * 8  # still every language's, papers and volumes
    assert NEW_WORD in (site_folder(series) / "fr" / f"{CHANGED}.html").read_text("utf-8")
    results = SearchEngine().search(Project(series), NEW_WORD, "fr")
    assert [group.paper for group in results.papers] == [CHANGED]


def test_a_later_project_takes_over_what_is_unchanged_and_reads_what_changed(series):
    earlier = Project(series)
    before = {(paper.slug, language): earlier.translation(paper.slug, language)
              for paper in earlier.papers for language in ("en", "fr", "es")}
    _save_an_entry(series)
    source = series.papers_dir / "key-points-on-the-roadmap.md"
    source.write_text(source.read_text("utf-8").replace("\n\n", "\n\nA new first paragraph.\n\n", 1), "utf-8")
    later = Project(series)
    later.adopt(earlier)
    changed = {(CHANGED, "fr")} | {("key-points-on-the-roadmap", language) for language in ("en", "fr", "es")}
    for (slug, language), translation in before.items():
        assert (later.translation(slug, language) is translation) is ((slug, language) not in changed)
    assert later.paper("series") is earlier.paper("series")
    assert later.paper("key-points-on-the-roadmap") is not earlier.paper("key-points-on-the-roadmap")
    assert NEW_WORD in repr(later.translation(CHANGED, "fr").segments)
    assert "A new first paragraph." in repr(later.paper("key-points-on-the-roadmap").blocks)


@pytest.mark.slow  # builds the series' site, then starts a second watcher on it
def test_the_first_save_after_the_server_starts_parses_no_paper(series, monkeypatch):
    settings = series.root / "setup.cfg"
    _Watcher(settings, Preview(), lambda line: None, None).rebuild([settings])  # the site, built before
    said: list[str] = []
    watcher = _Watcher(settings, Preview(), said.append, None)
    watcher.rebuild([settings])  # as `serve --watch` starts on a built site: nothing to do...
    assert not any("site files rewritten" in line and ": 0 site files" not in line for line in said), said
    watcher.warm()  # ...then what a save reads is read once
    parsed, read = Counter(), Counter()
    _counting(monkeypatch, project_module, "load_paper", parsed, lambda path: path.stem)
    _counting(monkeypatch, project_module, "read_catalog", read, lambda path, **_: path.name)
    _save_an_entry(series)
    watcher.rebuild([catalog_path(series, "fr", CHANGED)])
    assert any(f"{CHANGED}.po: 6 site files rewritten" in line for line in said), said
    assert not parsed and read == Counter({f"{CHANGED}.po": 1})
