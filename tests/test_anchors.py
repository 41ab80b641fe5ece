from __future__ import annotations

import json

import pytest
from pages import Page

from library.core.errors import EditedMeanwhile, SourceError
from library.core.paths import anchor_record_path, site_folder
from library.model.project import Project
from library.outputs.site.html import build_html
from library.sources.anchors import AnchorRecord, assign_anchors, read_anchor_record, render_anchor_record
from library.sources.papers import load_paper
from library.sources.segments import segment_paper
from library.translations.catalogs import extract_catalogs

QUOTE = "A quoted paragraph."
REVIEW = "The first review takes place on 17-20 May 2022. Did it go well? *We hope so!*"


def _ids(config) -> dict[str, str]:
    """Passage text -> id, as the project now assigns them (from the record extract wrote)."""
    return {s.msgid: s.id for s in Project(config).segments("sample")}


def _edit(config, old: str, new: str) -> None:
    source = config.papers_dir / "sample.md"
    text = source.read_text("utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), "utf-8")


def test_without_a_record_ids_are_the_ones_the_text_gives(config):
    paper = load_paper(config.papers_dir / "sample.md")
    assert assign_anchors(segment_paper(paper), AnchorRecord())[0] == segment_paper(paper)


def test_an_edited_passage_keeps_its_id(config):
    extract_catalogs(Project(config))
    before = _ids(config)
    _edit(config, "takes place on", "is held on")
    after = _ids(config)
    assert after[REVIEW.replace("takes place on", "is held on")] == before[REVIEW]
    assert set(after.values()) == set(before.values())


def test_an_edited_heading_keeps_its_readable_id(config):
    extract_catalogs(Project(config))
    before = _ids(config)
    _edit(config, "### A list", "### A short list")
    assert _ids(config)["A short list"] == before["A list"] == "a-list"


def test_moved_passages_and_one_inserted_above_keep_their_ids(config):
    extract_catalogs(Project(config))
    before = _ids(config)
    _edit(config, "> A quoted paragraph.\n>\n> A second quoted paragraph.",
          "> A second quoted paragraph.\n>\n> A quoted paragraph.")  # two passages swap places
    _edit(config, REVIEW, "A new paragraph, written above the others.\n\n" + REVIEW)
    after = _ids(config)
    assert {text: after[text] for text in before} == before
    assert after["A new paragraph, written above the others."] not in before.values()


def test_a_passage_rewritten_beyond_recognition_is_new_and_its_old_id_is_retired(config):
    extract_catalogs(Project(config))
    before = _ids(config)
    _edit(config, QUOTE, "Entirely different words now stand in this place.")
    project = Project(config)
    assert _ids(config)["Entirely different words now stand in this place."] != before[QUOTE]
    assert project.anchor_record("sample").retired == {before[QUOTE]: "a-list"}


def test_extract_records_the_ids_and_a_build_without_it_assigns_the_same(config):
    extract_catalogs(Project(config))
    _edit(config, "takes place on", "is held on")
    _edit(config, QUOTE, "Entirely different words now stand in this place.")
    unextracted = _ids(config)
    extract_catalogs(Project(config))
    record = json.loads(anchor_record_path(config, "sample").read_text("utf-8"))
    recorded = {p["text"]: p["id"] for p in record["passages"]}  # the body's passages: front matter has names
    assert recorded == {text: anchor for text, anchor in unextracted.items() if text in recorded}
    assert len(recorded) >= 15
    assert _ids(config) == unextracted and len(record["retired"]) == 1


def test_a_record_reads_back_as_written(config):
    extract_catalogs(Project(config))
    _edit(config, QUOTE, "Entirely different words now stand in this place.")
    record = Project(config).anchor_record("sample")
    path = config.locales_dir / "copy.anchors.json"
    path.write_bytes(render_anchor_record(record))
    assert read_anchor_record(path, path.read_bytes()) == record


@pytest.mark.parametrize(("content", "line"), [('{"passages": [', 1), ('{\n "passages": [],\n "retired": 3\n}', None),
                                                ("[]", None)], ids=["truncated", "retired-not-a-map", "a-list"])
def test_a_damaged_record_is_a_located_error(config, content, line):
    path = anchor_record_path(config, "sample")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, "utf-8")
    with pytest.raises(SourceError) as raised:
        Project(config).segments("sample")
    assert (raised.value.path, raised.value.line) == (path, line)


@pytest.mark.slow  # builds the site after each of several edits
def test_links_made_before_edits_land_in_every_language(config):
    """An edited passage keeps its id on every page; a removed one's id leads to its section."""
    extract_catalogs(Project(config))
    before = _ids(config)
    _edit(config, "takes place on", "is held on")
    _edit(config, QUOTE + "\n>\n", "")  # the first quoted paragraph goes
    extract_catalogs(Project(config))
    build_html(Project(config))
    for language in ("en", "fr", "es"):
        page = Page(site_folder(config) / language / "sample.html")
        assert page.by_id(before[REVIEW]).tag == "p"
        retired = page.by_id(before[QUOTE])
        assert page.parents[retired].get("id") == "a-list"  # lands on the heading of its section


def test_a_paper_briefly_absent_gets_its_ids_back_when_it_returns(config):
    extract_catalogs(Project(config))
    before = _ids(config)
    source = config.papers_dir / "sample.md"
    text = source.read_text("utf-8")
    source.unlink()  # a branch switched, or an editor's delete-and-recreate, while extract runs
    changes = extract_catalogs(Project(config))
    assert anchor_record_path(config, "sample") not in changes.removed
    source.write_text(text.replace("takes place on", "is held on"), "utf-8")
    extract_catalogs(Project(config))
    assert _ids(config)[REVIEW.replace("takes place on", "is held on")] == before[REVIEW]


def test_an_anchor_record_edited_during_extract_is_left_as_saved(config):
    extract_catalogs(Project(config))
    _edit(config, "takes place on", "is held on")
    project = Project(config)
    project.segments("sample")  # the record is read
    path = anchor_record_path(config, "sample")
    saved = path.read_bytes().replace(b'"retired": {}', b'"retired": {"old-link": ""}')
    path.write_bytes(saved)
    with pytest.raises(EditedMeanwhile):
        extract_catalogs(project)
    assert path.read_bytes() == saved
