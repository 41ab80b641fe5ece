from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import pytest

from library.core.errors import SourceError
from library.sources.papers import load_paper, load_papers

DATA = Path(__file__).parent / "data"
BAD_SOURCES = sorted((DATA / "sources").glob("bad.*.md"))


def test_front_matter_is_read_with_types_and_lines():
    paper = load_paper(DATA / "papers" / "sample.md")
    meta = paper.meta
    assert (meta.slug, meta.kind, meta.number) == ("sample", "paper", 1)
    assert meta.title == "A sample paper: every kind of block"
    assert meta.date == dt.date(2022, 3, 1)
    assert meta.keywords == ("testing", "segments", "Global Compact")
    assert meta.summary.startswith("A short paper used by the tests. It has")
    assert meta.lines["title"] == 4 and meta.lines["keywords.2"] == 11


def test_body_blocks_keep_order_structure_and_lines():
    blocks = load_paper(DATA / "papers" / "sample.md").blocks
    kinds = [b.kind for b in blocks]
    assert kinds[:3] == ["heading", "paragraph", "paragraph"]
    assert {"cell", "image", "code", "rule"} <= set(kinds)
    first_item = next(b for b in blocks if b.text == "First item, with *emphasis*.")
    assert [c.kind for c in first_item.path] == ["bullet_list", "list_item"] and first_item.tight
    assert first_item.line == 24
    quote = next(b for b in blocks if b.text == "A quoted paragraph.")
    assert [c.kind for c in quote.path] == ["blockquote"]
    header_cell = next(b for b in blocks if b.text == "Meaning")
    assert header_cell.header and header_cell.align == "center"
    image = next(b for b in blocks if b.kind == "image")
    assert (image.text, image.src) == ("A map of the regions", "images/map.png")


def test_translators_comment_attaches_to_the_next_block():
    blocks = load_paper(DATA / "papers" / "sample.md").blocks
    noted = [b for b in blocks if b.comment]
    assert len(noted) == 1 and noted[0].text.startswith("The first review takes place")


def test_papers_come_in_series_order():
    papers = load_papers(DATA / "papers")
    assert [p.slug for p in papers] == ["sample", "series"]
    assert papers[1].meta.kind == "series" and papers[1].meta.number is None


@pytest.mark.parametrize("source", BAD_SOURCES, ids=lambda p: p.stem)
def test_bad_source_is_refused_with_file_and_line(source: Path, tmp_path: Path):
    expected_line, expected_message = source.with_suffix(".err").read_text("utf-8").strip().split(": ", 1)
    paper = tmp_path / "paper.md"
    shutil.copyfile(source, paper)
    with pytest.raises(SourceError) as raised:
        load_paper(paper)
    assert raised.value.path == paper
    assert raised.value.line == int(expected_line)
    assert raised.value.message.startswith(expected_message)
    assert str(raised.value).startswith(f"{paper}:{expected_line}: ")


def test_two_papers_with_one_number_are_refused(tmp_path: Path):
    for name in ("first", "second"):
        text = (DATA / "papers" / "sample.md").read_text("utf-8").replace("slug: sample", f"slug: {name}")
        (tmp_path / f"{name}.md").write_text(text, "utf-8")
    with pytest.raises(SourceError, match="number 1 is already used by first.md"):
        load_papers(tmp_path)


def test_a_second_series_page_is_refused(tmp_path: Path):
    shutil.copytree(DATA / "papers", tmp_path / "papers")
    text = (DATA / "papers" / "series.md").read_text("utf-8").replace("slug: series", "slug: the-series")
    (tmp_path / "papers" / "the-series.md").write_text(text, "utf-8")
    with pytest.raises(SourceError) as raised:
        load_papers(tmp_path / "papers")
    kind_line = text.splitlines().index("kind: series") + 1
    assert str(raised.value) == (f"{tmp_path / 'papers' / 'the-series.md'}:{kind_line}: a second series page; "
                                 "series.md is the series page already (give this one kind: paper and a number, "
                                 "or merge the two)")


def test_a_decomposed_paper_is_read_composed(tmp_path: Path):
    # An editor that saves "e" + U+0301 for "é": the catalogs, pages and index get one form.
    paper = tmp_path / "sample.md"
    text = (DATA / "papers" / "sample.md").read_text("utf-8").replace("Why this paper", "Pourquoi ce débat")
    paper.write_text(unicodedata.normalize("NFD", text), "utf-8")
    blocks = load_paper(paper).blocks
    assert blocks[0].text == "Pourquoi ce débat" and all(unicodedata.is_normalized("NFC", b.text) for b in blocks)


def test_a_byte_order_mark_is_accepted_and_said(tmp_path: Path, caplog):
    paper = tmp_path / "sample.md"
    paper.write_bytes(b"\xef\xbb\xbf" + (DATA / "papers" / "sample.md").read_bytes())
    with caplog.at_level("WARNING", logger="library.sources.papers"):
        meta = load_paper(paper).meta
    assert meta.slug == "sample" and meta.title == "A sample paper: every kind of block"
    assert [record.getMessage() for record in caplog.records] == [
        f"{paper}: starts with a byte order mark (BOM); read as UTF-8 without it"
    ]
