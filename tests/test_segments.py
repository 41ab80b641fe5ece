from __future__ import annotations

import datetime as dt
from pathlib import Path

from library.sources.papers import load_paper, parse_paper
from library.sources.powriter import render_catalog
from library.sources.segments import segment_paper, slugify
from library.translations.catalogs import paper_template

DATA = Path(__file__).parent / "data"


def test_sample_paper_gives_the_expected_pot_whole(config):
    paper = load_paper(config.papers_dir / "sample.md")
    catalog = paper_template(paper, config.root)
    catalog.creation_date = dt.datetime(2022, 3, 1, tzinfo=dt.UTC)
    rendered = render_catalog(catalog, keep_python_format=False).decode("utf-8")
    assert rendered == (DATA / "expected" / "sample.pot").read_text("utf-8")


def test_every_kind_of_block_and_field_is_a_segment():
    segments = segment_paper(load_paper(DATA / "papers" / "sample.md"))
    roles = {s.role for s in segments}
    assert roles == {"title", "subtitle", "publisher", "summary", "keyword", "heading", "paragraph",
                     "list_item", "quote", "cell", "image"}
    msgids = [s.msgid for s in segments]
    assert "code is not translated" not in " ".join(msgids)
    assert "Second item, with a [link](https://www.un.org/en/)." in msgids


def test_msgid_is_inline_markdown_with_whitespace_normalised():
    segments = segment_paper(load_paper(DATA / "papers" / "sample.md"))
    first = next(s for s in segments if s.msgid.startswith("The Global Compact"))
    assert first.msgid == (
        "The Global Compact for Safe, Orderly and Regular Migration (GCM) was endorsed in "
        "[A/RES/73/195](https://undocs.org/A/RES/73/195) with **152** votes in favour."
    )
    assert first.line == 16


def test_ids_are_unique_readable_for_headings_and_deterministic_for_repeats():
    segments = segment_paper(load_paper(DATA / "papers" / "sample.md"))
    ids = [s.id for s in segments]
    assert len(ids) == len(set(ids))
    assert ids[:4] == ["title", "subtitle", "publisher", "summary"]
    assert "why-this-paper" in ids and "why-this-paper-2" in ids
    repeated = [s.id for s in segments if s.msgid == "A repeated paragraph."]
    assert len(repeated) == 2 and repeated[1] == f"{repeated[0]}-2"


def test_ids_depend_on_the_text_not_on_the_position():
    original = (DATA / "papers" / "sample.md").read_text("utf-8")
    moved = original.replace("### A list\n", "### A list\n\nA new paragraph before the list.\n")
    before = {s.msgid: s.id for s in segment_paper(parse_paper(original, DATA / "papers" / "sample.md"))}
    after = {s.msgid: s.id for s in segment_paper(parse_paper(moved, DATA / "papers" / "sample.md"))}
    assert all(after[msgid] == anchor for msgid, anchor in before.items())


def test_slugify_folds_accents_and_cuts_at_a_word():
    assert slugify("Déclaration sur les progrès") == "declaration-sur-les-progres"
    assert slugify("word " * 30, limit=12) == "word-word"


def test_babel_sees_the_same_messages_through_the_entry_point():
    from babel.messages.extract import extract_from_file

    path = DATA / "papers" / "sample.md"
    found = [(line, message) for line, message, _, _ in extract_from_file("library_papers", str(path))]
    expected = [(s.line, s.msgid) for s in segment_paper(load_paper(path))]
    assert found == expected
