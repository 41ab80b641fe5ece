from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from library.core.paths import catalog_path
from library.model.project import Project
from library.model.translation import is_translated, keeps_previous_translation, translate_paper
from library.sources.papers import load_paper
from library.sources.pofiles import read_catalog
from library.sources.powriter import render_catalog
from library.translations.catalogs import extract_catalogs, update_catalogs


def _catalog(entries: dict[str, tuple[str, bool]]) -> Catalog:
    catalog = Catalog(locale="fr")
    for msgid, (string, fuzzy) in entries.items():
        catalog.add(msgid, string, flags=["fuzzy"] if fuzzy else [])
    return catalog


def test_is_translated_means_non_empty_and_not_fuzzy():
    catalog = _catalog({"a": ("A", False), "b": ("B", True), "c": ("", False)})
    assert [is_translated(catalog[k]) for k in "abc"] == [True, False, False]


def test_fuzzy_and_missing_fall_back_to_english_and_say_so(config):
    paper = load_paper(config.papers_dir / "series.md")
    catalog = _catalog({"A test series": ("Une série de test", False),
                        "About the series": ("À propos de la série", True)})
    result = translate_paper(paper, "fr", catalog)
    by_id = result.by_id()
    title = by_id["title"]
    assert (title.text, title.language, title.status) == ("Une série de test", "fr", "translated")
    heading = by_id["about-the-series"]
    assert (heading.text, heading.language, heading.status) == ("About the series", "en", "fuzzy")
    assert heading.is_fallback
    assert by_id["subtitle"].status == "missing" and by_id["subtitle"].language == "en"
    assert result.count("translated") == 1 and round(result.figure.percent) == 14


def test_source_language_is_complete_and_ids_match_every_language(config):
    paper = load_paper(config.papers_dir / "sample.md")
    english = translate_paper(paper, "en", None)
    french = translate_paper(paper, "fr", None)
    assert english.figure.percent == 100.0 and french.figure.percent == 0.0
    assert [s.segment.id for s in english.segments] == [s.segment.id for s in french.segments]


def test_load_translation_reads_the_po_file(config):
    extract_catalogs(Project(config))
    update_catalogs(Project(config))
    path = catalog_path(config, "es", "series")
    catalog = read_catalog(path, language="es")
    catalog["About the series"].string = "Acerca de la serie"
    path.write_bytes(render_catalog(catalog, keep_python_format=False))
    paper = load_paper(config.papers_dir / "series.md")
    assert Project(config).translation(paper.slug, "es").by_id()["about-the-series"].text == "Acerca de la serie"


# --- an outdated passage keeps its previous translation when the English barely changed ---------

_PARAGRAPH = ("In May 2022, governments will gather at United Nations Headquarters in New York for the first "
              "International Migration Review Forum (IMRF). It will be the first time since the Global Compact for "
              "Safe, Orderly and Regular Migration (GCM) was adopted that States meet at global level to ask a plain "
              "question: is the compact changing anything for people on the move?")


@pytest.mark.parametrize(("previous", "current", "kept"), [
    (_PARAGRAPH, _PARAGRAPH.replace("will gather", "will meet"), True),  # one word of 61
    (_PARAGRAPH, _PARAGRAPH.replace("a plain question", "one simple question"), True),  # two words
    ("What the IMRF is", "What the IMRF does", False),  # a quarter of a heading
    ("States adopted the compact on 10 December 2018 at an intergovernmental conference in Marrakech, Morocco.",
     "States adopted the compact at a conference in Marrakech, Morocco, on 10 December 2018.", False),  # rewritten
    (_PARAGRAPH, _PARAGRAPH.replace("May 2022", "May 2026"), False),  # one word, but a number: never kept
    ("See [the resolution](https://undocs.org/A/RES/73/195) for details.",
     "See [the resolution](https://undocs.org/A/RES/73/326) for details.", False),  # a link target changed
], ids=["one-word", "two-words", "short-heading", "rewritten", "number-changed", "link-changed"])
def test_a_previous_translation_is_kept_only_for_a_small_edit(previous, current, kept):
    assert keeps_previous_translation(previous, current) is kept


def test_an_outdated_passage_shows_its_previous_translation_marked_but_is_not_counted(config):
    paper = load_paper(config.papers_dir / "series.md")
    catalog = _catalog({"A test series": ("Une série de test", False),
                        "About the series": ("À propos de la série", True)})
    catalog["About the series"].previous_id = ["About this series"]  # one word of three: 0.67, English
    result = translate_paper(paper, "fr", catalog)
    assert result.by_id()["about-the-series"].is_fallback
    catalog["About the series"].previous_id = ["About the  series"]  # spacing only: the same words
    result = translate_paper(paper, "fr", catalog)
    heading = result.by_id()["about-the-series"]
    assert (heading.text, heading.language, heading.status) == ("À propos de la série", "fr", "fuzzy")
    assert heading.current_source == "About the series" and heading.needs_work and not heading.is_fallback
    assert result.count("translated") == 1 and result.count("fuzzy") == 1  # the figure is unchanged
