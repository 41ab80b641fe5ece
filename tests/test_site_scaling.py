"""A one-catalog change costs the site and its static search in proportion to the change (issue 36).

On the benchmarks' synthetic library of the four real papers, every copy translated: a French
edit parses no other language's catalog, re-indexes French alone, re-reads no unchanged PDF,
and leaves the same files as a build from nothing.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

import library.model.project as model
from library.core.config import Config, load_config
from library.core.paths import SiteMap, pdf_path, site_folder, state_path
from library.model.manifest import PdfEntry, write_pdf_manifest
from library.model.project import Project
from library.outputs.cards.card import build_cards
from library.outputs.citations.files import build_citations
from library.outputs.feeds.atom import build_feeds
from library.outputs.passages import searchable_passages
from library.outputs.site.html import build_html
from library.outputs.sitemap.sitemap import build_sitemap
from library.outputs.static_search import pagefind
from library.outputs.static_search.pagefind import FOLDER, build_static_search

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthetic import make_library  # noqa: E402

NEW_WORD = "zanzibarite"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Four papers in three languages, a published French PDF, the site and its static search built."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1646092800")
        root = make_library(tmp_path_factory.mktemp("four") / "library", 4)
        config = load_config(root / "setup.cfg")
        slug = _slugs(config)[0]
        pdf = pdf_path(config, "fr", slug)
        pdf.parent.mkdir(parents=True)
        pdf.write_bytes(b"%PDF-1.7 a stand-in")
        write_pdf_manifest(config, {f"fr/{slug}": PdfEntry("fr", slug, "published", 100.0, "x")})
        project = Project(config)
        build_html(project)
        build_static_search(project)
    return root


@pytest.fixture
def library(built: Path, tmp_path: Path) -> Config:
    shutil.copytree(built, tmp_path / "library")
    return load_config(tmp_path / "library" / "setup.cfg")


def _slugs(config: Config) -> list[str]:
    return sorted(path.stem for path in config.papers_dir.glob("*.md") if "number:" in path.read_text("utf-8"))


def _edit_french(config: Config) -> Path:
    """A translator adds a word to a passage of the second paper's French catalog."""
    catalog = config.locales_dir / "fr" / "LC_MESSAGES" / f"{_slugs(config)[1]}.po"
    lines = catalog.read_text("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if i > 40 and line.startswith('"') and len(line) > 60
              and any(lines[j].startswith("msgstr") for j in range(i - 3, i)))
    lines[at] = lines[at][:-1] + f' {NEW_WORD} "'
    catalog.write_text("\n".join(lines), "utf-8")
    return catalog


def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_a_french_edit_parses_no_other_languages_catalog_and_reads_no_unchanged_pdf(library, monkeypatch):
    _edit_french(library)
    parsed, read = [], []
    real_read_catalog, real_read_bytes = model.read_catalog, Path.read_bytes
    monkeypatch.setattr(model, "read_catalog", lambda path, **kw: parsed.append(path) or real_read_catalog(path, **kw))
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path) or real_read_bytes(path))
    changes = build_html(Project(library))
    # The edited catalog, the edited paper's others for its pages side by side with the French, and the
    # interface and the series page those pages show: the home page's other cards are kept from the last build.
    second = _slugs(library)[1]
    names = [f"{path.parts[-3]}/{path.stem}" for path in parsed]
    assert "fr/" + second in names and all(name.endswith((f"/{second}", "/ui", "/series")) for name in names), names
    assert not [path for path in read if path.suffix == ".pdf"]
    site = site_folder(library)
    changed = {path.relative_to(site).as_posix() for path in changes.written}
    assert f"fr/{second}.html" in changed
    assert all("fr" in Path(name).with_suffix("").parts for name in changed), changed
    assert NEW_WORD in (site / "fr" / f"{second}.html").read_text("utf-8")



@pytest.mark.slow  # two site builds: seconds of CPU; CI runs it
def test_texts_read_before_the_site_still_leave_their_figures_for_the_next_build(library, monkeypatch):
    """A whole build reads every text for its PDFs before the site counts them: those figures are recorded too."""
    for stage in ("figures", "html"):  # the site as a first build makes it
        state_path(library, stage).unlink()
    earlier = Project(library)
    for slug in _slugs(library):
        for language in library.languages:
            earlier.translation(slug, language)  # as the PDF and EPUB stages do
    build_html(earlier)
    _edit_french(library)
    parsed = []
    real_read_catalog = model.read_catalog
    monkeypatch.setattr(model, "read_catalog", lambda path, **kw: parsed.append(path) or real_read_catalog(path, **kw))
    build_html(Project(library))
    second = _slugs(library)[1]
    names = [f"{path.parts[-3]}/{path.stem}" for path in parsed]
    assert "fr/" + second in names and all(name.endswith((f"/{second}", "/ui", "/series")) for name in names), names



@pytest.mark.slow  # three builds of three stages: seconds of CPU; CI runs it
def test_citations_feeds_and_cards_read_only_the_edited_catalog_and_match_a_build_from_nothing(library, tmp_path,
                                                                                             monkeypatch):
    stages = (build_citations, build_feeds, build_cards)
    for build in stages:
        build(Project(library))
    _edit_french(library)
    fresh = load_config(Path(shutil.copytree(library.root, tmp_path / "fresh")) / "setup.cfg")
    for folder in ("cite", "feeds", "cards"):  # the PDFs published stay
        shutil.rmtree(site_folder(fresh) / folder)
    for stage in ("citations", "feeds", "feed-entries", "cards", "figures"):
        state_path(fresh, stage).unlink()
    parsed, written = [], []
    real_read_catalog = model.read_catalog
    monkeypatch.setattr(model, "read_catalog", lambda path, **kw: parsed.append(path) or real_read_catalog(path, **kw))
    project = Project(library)
    for build in stages:
        written += build(project)[0].written
    second = _slugs(library)[1]
    assert sorted(f"{path.parts[-3]}/{path.stem}" for path in parsed) == sorted(["fr/series", f"fr/{second}", "fr/ui"])
    site = site_folder(library)
    assert sorted(path.relative_to(site).as_posix() for path in written) == [
        f"cite/fr/{second}.{extension}" for extension in ("bib", "json", "ris")] + ["feeds/fr.xml"]
    monkeypatch.undo()
    for build in stages:
        build(Project(fresh))
    for folder in ("cite", "feeds", "cards"):
        made = {path.relative_to(site): path.read_bytes() for path in (site / folder).rglob("*") if path.is_file()}
        again = site_folder(fresh)
        assert made == {path.relative_to(again): path.read_bytes() for path in (again / folder).rglob("*")
                        if path.is_file()}, folder



@pytest.mark.slow  # two sitemaps of a series, and one from nothing: seconds of CPU; CI runs it
def test_the_sitemap_reads_only_the_edited_catalog_and_matches_one_made_from_nothing(library, tmp_path, monkeypatch):
    setup = library.root / "setup.cfg"
    setup.write_text(setup.read_text("utf-8").replace("[library]\n", "[library]\nsite_url = https://example.org/\n"))
    library = load_config(setup)
    build_sitemap(Project(library))
    _edit_french(library)
    revised = library.locales_dir / "fr" / "LC_MESSAGES" / f"{_slugs(library)[1]}.po"
    revised.write_text(re.sub(r"PO-Revision-Date: [^\\\"]+", "PO-Revision-Date: 2031-05-04 10:00+0000",
                              revised.read_text("utf-8"), count=1), "utf-8")  # as a PO editor's save sets it
    parsed, real_read_catalog = [], model.read_catalog
    monkeypatch.setattr(model, "read_catalog", lambda path, **kw: parsed.append(path) or real_read_catalog(path, **kw))
    build_sitemap(Project(library))
    assert [f"{path.parts[-3]}/{path.stem}" for path in parsed] == [f"fr/{_slugs(library)[1]}"]
    made = (site_folder(library) / "sitemap.xml").read_bytes()
    assert b"<lastmod>2031-05-04</lastmod>" in made
    monkeypatch.undo()
    state_path(library, "sitemap").unlink()
    (site_folder(library) / "sitemap.xml").unlink()
    build_sitemap(Project(library))
    assert (site_folder(library) / "sitemap.xml").read_bytes() == made


def test_a_pdf_rewritten_by_its_stage_is_copied_again(library):
    slug = _slugs(library)[0]
    pdf = pdf_path(library, "fr", slug)
    pdf.write_bytes(b"%PDF-1.7 a stand-in, v2")  # as the PDF stage does: a new PDF, a new manifest
    write_pdf_manifest(library, {f"fr/{slug}": PdfEntry("fr", slug, "published", 100.0, "y")})
    build_html(Project(library))
    assert (site_folder(library) / "fr" / f"{slug}.pdf").read_bytes() == b"%PDF-1.7 a stand-in, v2"


def test_a_french_edit_indexes_french_alone_and_leaves_the_others_files_untouched(library, monkeypatch):
    folder = site_folder(library) / FOLDER
    before, pages = _stats(folder), library.build_dir / ".static-search-pages" / "fr" / "fr"
    pages_before = _stats(pages)
    _edit_french(library)
    indexed, parsed = [], []
    real, real_read_catalog = pagefind._pagefind, model.read_catalog
    monkeypatch.setattr(pagefind, "_pagefind", lambda source, output: indexed.append(
        sorted(path.name for path in source.iterdir())) or real(source, output))
    monkeypatch.setattr(model, "read_catalog", lambda path, **kw: parsed.append(path) or real_read_catalog(path, **kw))
    changes = build_static_search(Project(library))
    assert indexed == [["fr"]]
    # The other papers' passages are taken from the record: only the edited catalog is read.
    assert [path.relative_to(library.locales_dir).as_posix() for path in parsed] == [
        f"fr/LC_MESSAGES/{_slugs(library)[1]}.po"]
    after = _stats(folder)
    # Pagefind reads the passages' pages kept from the last build: the edited paper's alone are written again.
    rewritten = {name.split("/")[0] for name, stat in _stats(pages).items() if pages_before.get(name) != stat}
    assert rewritten == {_slugs(library)[1]}
    for name in before.keys() & after.keys():
        if name.startswith(("passages/en/", "index/en", "pagefind.en", "passages/es/", "index/es", "pagefind.es",
                            "search.en", "search.es")):
            assert after[name] == before[name], name
    assert any(name.startswith("pagefind.fr_") for name in after.keys() - before.keys())
    entry = json.loads((folder / "pagefind-entry.json").read_text("utf-8"))
    assert set(entry["languages"]) == {"en", "fr", "es"}
    assert all((folder / f"pagefind.{value['hash']}.pf_meta").is_file() for value in entry["languages"].values())
    # The English did-you-mean knows the new French word as one found elsewhere.
    english = json.loads((folder / "search-words.en.json").read_text("utf-8"))
    assert NEW_WORD in english["elsewhere"]
    assert {path.name for path in changes.removed} and all(not path.exists() for path in changes.removed)



def test_a_french_edit_rewrites_the_passages_record_of_its_paper_alone(library):
    records = library.build_dir / "state" / "static_search"
    before = _stats(records)
    _edit_french(library)
    build_static_search(Project(library))
    after = _stats(records)
    assert sorted(after) == sorted(before) and len(after) == 3 * (len(_slugs(library)) + 1)  # the series page too
    assert [name for name in sorted(after) if after[name] != before[name]] == [f"fr/{_slugs(library)[1]}.json"]


def test_a_french_pdf_rendered_again_reads_no_other_languages_passages(library, monkeypatch):
    slug = _slugs(library)[0]  # its French PDF now has its pages known, as the PDF stage records them
    anchor = next(searchable_passages([Project(library).translation(slug, "fr")]))["anchor"]
    write_pdf_manifest(library, {f"fr/{slug}": PdfEntry("fr", slug, "published", 100.0, "z", pages={anchor: 3})})
    read, real = [], pagefind.language_passages
    monkeypatch.setattr(pagefind, "language_passages", lambda project, known, language: read.append(language) or real(
        project, known, language))
    build_static_search(Project(library))
    assert read == ["fr"]
    passages = site_folder(library) / FOLDER / "passages" / "fr" / slug
    assert any(SiteMap.pdf_page("fr", slug, 3) in gzip.decompress(path.read_bytes()).decode("utf-8")
               for path in passages.iterdir())


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_the_index_made_bit_by_bit_is_the_index_made_at_once(library, tmp_path):
    _edit_french(library)
    build_static_search(Project(library))
    again = tmp_path / "again"
    shutil.copytree(library.root, again, ignore=shutil.ignore_patterns("pagefind", "static_search.json"))
    build_static_search(Project(load_config(again / "setup.cfg")))
    first, second = site_folder(library) / FOLDER, again / "build" / "html" / FOLDER

    def files(folder: Path) -> dict[str, bytes]:
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}

    one, other = files(first), files(second)
    assert sorted(one) == sorted(other)
    assert [name for name in one if one[name] != other[name]] == []
