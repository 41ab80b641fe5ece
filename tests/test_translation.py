from __future__ import annotations

from babel.messages.catalog import Catalog

from library.catalogs import extract_catalogs, update_catalogs
from library.papers import load_paper
from library.paths import catalog_path
from library.pofiles import read_catalog, render_catalog
from library.project import Project
from library.translation import is_translated, translate_paper


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
    assert (by_id["title"].text, by_id["title"].language, by_id["title"].status) == ("Une série de test", "fr", "translated")
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
