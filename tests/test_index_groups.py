"""The index stage in proportion to what changed: one catalog's edit analyses its group of papers only.

On a synthetic series (the real papers, copied and translated), cut into groups of three papers:
after one French catalog changed, the new generation takes over the other groups' segments, the
generation a reader holds is left byte for byte, and every search answers exactly as after a
whole rebuild from scratch (scores, order, snippets, did-you-mean).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest
from projects import REPOSITORY, save_translation

from library.core.config import load_config
from library.core.paths import catalog_path, index_folder
from library.model.project import Project
from library.outputs.analysis import analyzer
from library.outputs.results import results_json
from library.outputs.search import groups as index_groups
from library.outputs.search.engine import SearchEngine
from library.outputs.search.generation import Generation
from library.outputs.search.index import VOCABULARY, build_index

sys.path.insert(0, str(REPOSITORY / "benchmarks"))
from synthetic import make_library  # noqa: E402

PAPERS = 8  # and the series page: three groups of three
CHANGED = "what-is-the-imrf-2"  # the fifth paper: the second group
NEW_WORD = "zorglubien"
QUERIES = ["migration", "examen régional", NEW_WORD, "forum des migrations", '"Pacte mondial"', "migrants OU forum",
           "zorglubienne", "participation significative", "hearing", "Pacte SAUF objectifs", "que se passe-t-il"]


@pytest.fixture
def series(tmp_path, monkeypatch):
    """A synthetic series of PAPERS papers, indexed in groups of three: its config."""
    monkeypatch.setattr(index_groups, "GROUP_SIZE", 3)
    config = load_config(make_library(tmp_path / "series", PAPERS) / "setup.cfg")
    build_index(Project(config))
    return config


def _edit_catalog(config) -> None:
    """A translator's edit of one entry of CHANGED's French catalog: a new word in it."""
    save_translation(config, "fr", CHANGED, "Le Forum", f"{NEW_WORD} : le Forum")


def _files(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.iterdir()
            if path.name != "readers.lock"}


def _answers(config) -> list[str]:
    engine = SearchEngine()
    return [results_json(engine.search(Project(config), query, "fr", 50)) for query in QUERIES]


def test_one_changed_catalog_analyses_its_group_only(series, monkeypatch):
    from whoosh.writing import SegmentWriter

    before = json.loads(((index_folder(series) / "fr").resolve() / index_groups.GROUPS).read_text("utf-8"))
    _edit_catalog(series)
    analysed: list[str] = []
    add_document = SegmentWriter.add_document
    monkeypatch.setattr(SegmentWriter, "add_document",
                        lambda writer, **fields: analysed.append(fields["paper"]) or add_document(writer, **fields))
    reports = build_index(Project(series))
    assert [(report.language, report.rebuilt) for report in reports] == [("en", False), ("fr", True), ("es", False)]
    after = json.loads(((index_folder(series) / "fr").resolve() / index_groups.GROUPS).read_text("utf-8"))
    assert [group["papers"] for group in after["groups"]] == [group["papers"] for group in before["groups"]]
    changed = [CHANGED in group["papers"] for group in after["groups"]]
    assert changed == [False, True, False]
    assert set(analysed) == set(after["groups"][1]["papers"])  # the passages of that group's papers, and no other
    assert len(analysed) == after["groups"][1]["documents"]
    for old, new, edited in zip(before["groups"], after["groups"], changed, strict=True):
        assert (old["segment"] == new["segment"]) is not edited


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_a_reader_of_the_old_generation_sees_it_whole(series):
    old = (index_folder(series) / "fr").resolve()
    files = _files(old)
    reader = Generation(old, "fr", "en")  # a server's search holds it open, with its lease
    found = reader.searcher.doc_count()
    _edit_catalog(series)
    build_index(Project(series), ("fr",))
    new = (index_folder(series) / "fr").resolve()
    assert new != old and old.is_dir()
    assert _files(old) == files  # the segments the new generation took over are links, never written again
    assert reader.searcher.doc_count() == found
    stem = [token.text.encode("utf-8") for token in analyzer("fr")(NEW_WORD)]
    assert stem and stem[0] not in set(reader.searcher.lexicon("text"))
    assert stem[0] in set(Generation(new, "fr", "en").searcher.lexicon("text"))


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_after_an_update_search_answers_as_after_a_whole_rebuild(series, tmp_path, monkeypatch):
    updated_answers_before = _answers(series)
    _edit_catalog(series)
    build_index(Project(series))
    updated = _answers(series)
    assert updated != updated_answers_before and NEW_WORD in updated[QUERIES.index(NEW_WORD)]
    # The same library, edited the same way, indexed from nothing.
    fresh_root = tmp_path / "fresh"
    shutil.copytree(series.root, fresh_root, ignore=shutil.ignore_patterns("build"))
    fresh = load_config(fresh_root / "setup.cfg")
    build_index(Project(fresh))
    assert _answers(fresh) == updated
    # And as from one segment of every paper, as the index was before groups: the groups change no answer.
    whole_root = tmp_path / "whole"
    shutil.copytree(fresh_root, whole_root, ignore=shutil.ignore_patterns("build"))
    whole = load_config(whole_root / "setup.cfg")
    monkeypatch.setattr(index_groups, "GROUP_SIZE", 100)
    build_index(Project(whole))
    assert len(index_groups.read_groups((index_folder(whole) / "fr").resolve())) == 1
    assert _answers(whole) == updated
    for language in ("en", "fr", "es"):
        ours, theirs = ((index_folder(config) / language).resolve() for config in (series, fresh))
        assert (ours / VOCABULARY).read_bytes() == (theirs / VOCABULARY).read_bytes()
        with Generation(ours, language, "en").searcher as a, Generation(theirs, language, "en").searcher as b:
            assert a.doc_count_all() == b.doc_count_all()
            assert [a.stored_fields(doc) for doc in range(a.doc_count_all())] == \
                   [b.stored_fields(doc) for doc in range(b.doc_count_all())]


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_a_generation_of_another_layout_is_written_whole(series):
    link = index_folder(series) / "fr"
    (link.resolve() / index_groups.GROUPS).unlink()  # as the index stage wrote it before groups
    _edit_catalog(series)
    assert build_index(Project(series), ("fr",))[0].rebuilt
    groups = index_groups.read_groups(link.resolve())
    assert len(groups) == 3 and all(group.segment for group in groups)
    assert NEW_WORD in _answers(series)[QUERIES.index(NEW_WORD)]


def test_scores_over_the_groups_segments_are_whooshs_own(series):
    from whoosh.query import Phrase, Term

    generation = Generation((index_folder(series) / "fr").resolve(), "fr", "en")
    assert len(generation.searcher.reader().leaf_readers()) == 3
    stems = [token.text for token in analyzer("fr")("migration forum examen")]
    queries = [Term("text", stem) for stem in stems] + [Phrase("text", stems[1:], slop=2)]
    for query in queries:
        ours = generation.scoring.scores(query)
        theirs = {hit.docnum: hit.score for hit in generation.searcher.search(query, limit=None)}
        assert ours and ours == pytest.approx(theirs), query


def test_an_edit_no_passage_shows_keeps_the_generation_and_its_groups_learn_the_new_files(series):
    link = index_folder(series) / "fr"
    generation = link.resolve()
    before = index_groups.read_groups(generation)
    path = catalog_path(series, "fr", CHANGED)
    text = path.read_text("utf-8")  # the translator's comment on an entry: no passage changes
    path.write_text(text.replace('msgstr "Le Forum', 'msgstr "Le Forum', 1).replace("\nmsgid", "\n# relu\nmsgid", 1),
                    "utf-8")
    assert not build_index(Project(series), ("fr",))[0].rebuilt
    assert link.resolve() == generation
    after = index_groups.read_groups(generation)  # the same segments, under the inputs they have now
    assert [group.segment for group in after] == [group.segment for group in before]
    assert [group.inputs != old.inputs for group, old in zip(after, before, strict=True)] == [False, True, False]
