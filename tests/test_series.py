"""The real texts: the four papers and the series page, complete in English, French and Spanish."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import msgfmt_check, snapshot

from library.core.config import load_config
from library.core.paths import catalog_path, template_path
from library.model.project import Project
from library.sources.papers import load_papers
from library.sources.pofiles import read_catalog
from library.translations.catalogs import extract_catalogs, update_catalogs

ROOT = Path(__file__).parent.parent
CONFIG = load_config(ROOT / "setup.cfg")
PAPERS = load_papers(CONFIG.papers_dir)
TITLES = {
    1: {
        "en": "What is the IMRF?",
        "fr": "Qu’est-ce que le Forum d’examen des migrations internationales\u202f?",
        "es": "¿Qué es el Foro de Examen de la Migración Internacional?",
    },
    2: {
        "en": "Why does the IMRF matter for migration justice?",
        "fr": ("Pourquoi le Forum d’examen des migrations internationales est-il "
               "important pour la justice en matière de migration\u202f?"),
        "es": "¿Por qué es importante el Foro de Examen de la Migración Internacional para la justicia migratoria?",
    },
    3: {
        "en": "Using the IMRF to further migration justice: key points on the roadmap",
        "fr": ("Mettre le Forum d’examen des migrations internationales au service de la "
               "justice en matière de migration\u00a0: étapes clés de la feuille de route"),
        "es": ("Aprovechar el Foro de Examen de la Migración Internacional para "
               "impulsar la justicia migratoria: puntos clave de la hoja de ruta"),
    },
    4: {
        "en": "Meaningful participation: centering migrant expertise and experience",
        "fr": ("Pour une participation véritable\u00a0: placer l’expertise "
               "et l’expérience des migrants au cœur des décisions"),
        "es": "Participación significativa: situar en el centro los conocimientos y la experiencia de los migrantes",
    },
}
CATALOGS = [(lang, paper.slug) for lang in CONFIG.languages for paper in PAPERS] + [
    (lang, "ui") for lang in CONFIG.languages
]
LINK = re.compile(r"\]\(([^)]+)\)")


def _catalog(language: str, domain: str):
    return read_catalog(catalog_path(CONFIG, language, domain), language=language, domain=domain)


def _forms(catalog):
    """(English, translation) of every message; each plural form is paired with the English plural."""
    for message in catalog:
        if isinstance(message.id, tuple):
            yield message.id[0], message.string[0]
            for string in message.string[1:]:
                yield message.id[1], string
        elif message.id:
            yield message.id, message.string


def test_the_series_holds_four_papers_with_their_titles_in_three_languages():
    numbered = {paper.meta.number: paper for paper in PAPERS if paper.meta.kind == "paper"}
    assert sorted(numbered) == [1, 2, 3, 4]
    assert [p.meta.kind for p in PAPERS].count("series") == 1
    for number, titles in TITLES.items():
        for language, title in titles.items():
            translated = Project(CONFIG).translation(numbered[number].slug, language).by_id()["title"]
            assert (translated.text, translated.status) == (title, "translated")


def test_series_page_lists_the_papers_under_the_same_titles_in_each_language():
    series = next(paper for paper in PAPERS if paper.meta.kind == "series")
    for language in CONFIG.all_languages:
        text = " ".join(s.text for s in Project(CONFIG).translation(series.slug, language).segments)
        for titles in TITLES.values():
            assert titles[language] in text, (language, titles[language])


@pytest.mark.parametrize("paper", [p for p in PAPERS if p.meta.kind == "paper"], ids=lambda p: p.slug)
def test_each_paper_has_the_shape_of_a_briefing(paper):
    body = paper.path.read_text("utf-8").split("\n---\n", 1)[1]
    words = len(re.sub(r"<!--.*?-->", "", body, flags=re.S).split())
    sections = [b.text for b in paper.blocks if b.kind == "heading" and b.level == 2]
    assert 900 <= words <= 1600
    assert 4 <= len(sections) <= 7
    assert any(s.startswith(("Key points", "Recommendations")) for s in sections)
    assert any(c.kind.endswith("_list") for b in paper.blocks for c in b.path)


@pytest.mark.parametrize(("language", "domain"), CATALOGS, ids=lambda v: v)
def test_every_catalog_is_complete_and_passes_msgfmt(language, domain):
    catalog = _catalog(language, domain)
    messages = [m for m in catalog if m.id]
    assert [m.id for m in messages if not m.string or m.fuzzy] == []
    assert not catalog.obsolete
    assert msgfmt_check(catalog_path(CONFIG, language, domain)).returncode == 0


@pytest.mark.parametrize(("language", "domain"), CATALOGS, ids=lambda v: v)
def test_gettexts_own_tools_rewrite_no_byte_of_a_catalog(language, domain, tmp_path):
    """msgmerge against its POT and msgcat (what Poedit and Weblate run) leave every catalog as it is."""
    path, template = catalog_path(CONFIG, language, domain), template_path(CONFIG, domain)
    runs = {path: ["msgmerge", "--quiet", str(path), str(template)], template: ["msgcat", str(template)]}
    for source, command in (*runs.items(), (path, ["msgcat", str(path)])):
        subprocess.run([*command, "-o", str(tmp_path / "out.po")], check=True)
        assert (tmp_path / "out.po").read_bytes() == source.read_bytes(), " ".join(command)


@pytest.mark.parametrize(("language", "domain"), CATALOGS, ids=lambda v: v)
def test_translations_keep_links_emphasis_and_figures(language, domain):
    for english, string in _forms(_catalog(language, domain)):
        assert LINK.findall(string) == LINK.findall(english), english
        assert string.count("**") == english.count("**"), english
        assert re.findall(r"%\(\w+\)s", string) == re.findall(r"%\(\w+\)s", english), english
        for symbol in re.findall(r"A/(?:RES/)?\d+/\d+", english):
            assert symbol in string, (symbol, english)


@pytest.mark.parametrize("domain", [p.slug for p in PAPERS] + ["ui"])
def test_french_typography(domain):
    for _english, string in _forms(_catalog("fr", domain)):
        text = LINK.sub("]", string)
        assert "'" not in text and '"' not in text, string
        assert not re.search(r"[^\u00a0\u202f][:;!?](\s|$)", text.replace("://", "")), string
        assert not re.search(r"«(?!\u00a0)|(?<!\u00a0)»", text), string


@pytest.mark.parametrize("domain", [p.slug for p in PAPERS] + ["ui"])
def test_spanish_typography(domain):
    for _english, text in _forms(_catalog("es", domain)):
        assert '"' not in text and "'" not in text, text
        assert text.count("?") <= text.count("¿") and text.count("!") <= text.count("¡"), text


def test_extract_and_update_change_nothing_on_a_clean_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    for name in ("papers", "locales", "templates", "library"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    config = load_config(tmp_path / "setup.cfg")
    before = snapshot(tmp_path / "locales")
    extract_catalogs(Project(config))
    update_catalogs(Project(config))
    assert snapshot(tmp_path / "locales") == before
