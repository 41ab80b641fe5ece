from __future__ import annotations

import gettext
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import msgfmt_check, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projects import REPOSITORY, SETUP_CFG

from library.core.config import load_config
from library.core.errors import CatalogError, SourceError
from library.core.paths import catalog_path, mo_path, template_path
from library.model.project import Project
from library.sources.pofiles import parse_catalog, read_catalog
from library.sources.powriter import render_catalog
from library.translations.catalogs import (
    UI_KEYWORDS,
    _may_mark_strings,
    compile_catalogs,
    extract_catalogs,
    ui_template,
    update_catalogs,
)

HEAD = """---
slug: sample
number: 1
title: Title
subtitle: Subtitle
date: 2022-03-01
publisher: Quaker United Nations Office
summary: Summary.
keywords: [keyword]
---
"""


def _write_paper(config, paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    (config.papers_dir / "sample.md").write_text(f"{HEAD}\n{body}\n", "utf-8")


def _translate(config, language: str = "fr", domain: str = "sample", only: set[str] | None = None) -> dict[str, str]:
    """Fill every empty, non-fuzzy msgstr as a translator would; return what was entered."""
    path = catalog_path(config, language, domain)
    catalog = read_catalog(path, language=language, domain=domain)
    entered = {}
    for message in catalog:
        if message.id and not message.string and not message.fuzzy and (only is None or message.id in only):
            message.string = entered[message.id] = f"{language.upper()}: {message.id}"
    path.write_bytes(render_catalog(catalog, keep_python_format=False))
    return entered


def _catalog(config, language="fr", domain="sample"):
    return read_catalog(catalog_path(config, language, domain), language=language, domain=domain)


def _sync(config) -> None:
    extract_catalogs(Project(config))
    update_catalogs(Project(config))


def _translate_then_edit(config, before: list[str], after: list[str]) -> None:
    """Translate a paper of the paragraphs before, then rewrite it as after and update."""
    _write_paper(config, before)
    _sync(config)
    _translate(config)
    _write_paper(config, after)
    _sync(config)


def test_extract_writes_one_pot_and_one_anchor_record_per_paper_and_the_ui(config):
    changes = extract_catalogs(Project(config))
    assert sorted(p.name for p in changes.written) == [
        "sample.anchors.json", "sample.pot", "series.anchors.json", "series.pot", "ui.pot"]
    assert read_catalog(template_path(config, "sample"))["A list"].locations == [("papers/sample.md", 22)]


def test_extract_twice_changes_no_byte_even_at_another_time(config, monkeypatch):
    extract_catalogs(Project(config))
    before = snapshot(config.locales_dir)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # years later
    changes = extract_catalogs(Project(config))
    assert changes.written == [] and snapshot(config.locales_dir) == before


def test_extract_dates_a_changed_template_and_drops_a_removed_paper(config, monkeypatch):
    extract_catalogs(Project(config))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")
    (config.papers_dir / "series.md").unlink()
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace("Third item.", "Third item, changed."), "utf-8")
    changes = extract_catalogs(Project(config))
    assert sorted(p.name for p in changes.written) == ["sample.anchors.json", "sample.pot"]
    assert sorted(p.name for p in changes.removed) == ["series.pot"]  # its anchor record waits for it
    assert read_catalog(template_path(config, "sample")).creation_date.year == 2030


def test_extract_without_the_interface_leaves_ui_pot_alone(config):
    extract_catalogs(Project(config))
    ui = template_path(config, "ui")
    ui.write_bytes(ui.read_bytes() + b"\n")  # as a later change of the templates would leave it
    kept = ui.read_bytes()
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace("Third item.", "Third item, changed."), "utf-8")
    changes = extract_catalogs(Project(config), interface=False)
    assert sorted(p.name for p in changes.written) == ["sample.anchors.json", "sample.pot"]
    assert changes.removed == [] and ui.read_bytes() == kept


def test_the_interface_template_holds_what_pybabel_extracts(tmp_path):
    """Extract reads only the modules that call a gettext keyword; pybabel, reading them all, finds no more."""
    mapping = tmp_path / "babel.cfg"
    mapping.write_text("[python: **.py]\n[jinja2: **.html]\ntrimmed = true\n", "utf-8")
    pot = tmp_path / "ui.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "-q", "extract", "-F", str(mapping), "-k",
                    "lazy_gettext", "-o", str(pot), "library", "templates"], cwd=REPOSITORY, check=True)
    judged = read_catalog(pot)
    ours = ui_template(load_config(REPOSITORY / "setup.cfg"))

    def found(catalog):
        return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context, tuple(sorted(m.locations)))
                for m in catalog if m.id}

    assert found(ours) == found(judged)
    assert any(path.startswith("library/") for m in ours for path, _ in m.locations)


@pytest.mark.parametrize(("code", "marks"), [
    ('N_("Page")', True),
    ('label = _ (\n    "Page")', True),
    ('import gettext\ngettext.gettext("Page")', True),
    ('ngettext("%(n)s page", "%(n)s pages", 2)', True),
    ('self._("Page")', True),
    ('gettext_wrap("Page")', False),
    ('for _ in range(3):\n    pass', False),
    ('my_gettext("Page")', False),
    ('message = "N_ is gettext\'s mark"', False),
], ids=lambda value: value if isinstance(value, str) else None)
def test_extract_skips_only_modules_babel_finds_nothing_in(tmp_path, code, marks):
    from babel.messages.extract import extract_python

    module = tmp_path / "module.py"
    module.write_text(code + "\n", "utf-8")
    with module.open("rb") as source:
        babel_finds = bool(list(extract_python(source, UI_KEYWORDS, [], {})))
    assert babel_finds == marks and _may_mark_strings(module) == marks


def test_update_of_some_domains_writes_only_their_catalogs(config):
    extract_catalogs(Project(config))
    report = update_catalogs(Project(config), ("fr",), ("sample",))
    assert [path.relative_to(config.locales_dir).as_posix() for path in report.written] == [
        "fr/LC_MESSAGES/sample.po"]
    assert sorted(path.name for path in config.locales_dir.rglob("*.po")) == ["sample.po"]


def test_update_creates_standard_po_files_that_msgfmt_accepts(config):
    _sync(config)
    for language in ("fr", "es"):
        for domain in ("sample", "series", "ui"):
            path = catalog_path(config, language, domain)
            assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
            text = path.read_text("utf-8")
            assert f'"Language: {language}\\n"' in text and '"Plural-Forms: nplurals=' in text
            assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
            assert '"Project-Id-Version: ' in text
    first_line = catalog_path(config, "fr", "sample").read_text("utf-8").splitlines()[0]
    assert first_line == "# French translation of “A sample paper: every kind of block”."


def test_update_twice_changes_nothing(config):
    _sync(config)
    _translate(config)
    before = snapshot(config.locales_dir)
    assert update_catalogs(Project(config)).written == []
    assert snapshot(config.locales_dir) == before


def test_changed_segment_keeps_its_translation_as_fuzzy_with_previous_msgid(config):
    _translate_then_edit(config, ["The Forum meets every four years.", "Another paragraph."],
                         ["The Forum meets every four years in New York.", "Another paragraph."])
    message = _catalog(config)["The Forum meets every four years in New York."]
    assert message.fuzzy and message.string == "FR: The Forum meets every four years."
    assert message.previous_id == ["The Forum meets every four years."]
    update_catalogs(Project(config))  # a second run must not drop the #| line
    assert _catalog(config)["The Forum meets every four years in New York."].previous_id == [
        "The Forum meets every four years."
    ]
    assert msgfmt_check(catalog_path(config, "fr", "sample")).returncode == 0


def test_removed_segment_becomes_obsolete_and_revives_when_it_comes_back(config):
    paragraphs = ["Alpha paragraph about regional reviews.", "Zulu text on pledges and partnerships."]
    _translate_then_edit(config, paragraphs, paragraphs[:1])
    assert _catalog(config).obsolete[paragraphs[1]].string == f"FR: {paragraphs[1]}"
    _write_paper(config, paragraphs)
    _sync(config)
    revived = _catalog(config)[paragraphs[1]]
    assert revived.string == f"FR: {paragraphs[1]}" and not revived.fuzzy
    assert paragraphs[1] not in _catalog(config).obsolete


def test_moved_segment_keeps_its_translation(config):
    paragraphs = ["First about the hearing.", "Second about round tables.", "Third about the plenary."]
    _translate_then_edit(config, paragraphs, paragraphs[::-1])
    catalog = _catalog(config)
    assert all(catalog[p].string == f"FR: {p}" and not catalog[p].fuzzy for p in paragraphs)


def test_update_with_a_broken_catalog_writes_nothing(config):
    _sync(config)
    broken = catalog_path(config, "es", "series")
    broken.write_text(broken.read_text("utf-8") + '\nmsgid "x"\nmsgstr "unterminated\n', "utf-8")
    source = config.papers_dir / "sample.md"
    source.write_text(source.read_text("utf-8").replace("Third item.", "Third item, changed."), "utf-8")
    extract_catalogs(Project(config))
    before = snapshot(config.locales_dir)
    with pytest.raises(CatalogError, match="unterminated string"):
        update_catalogs(Project(config))
    assert snapshot(config.locales_dir) == before


def test_compile_leaves_fuzzy_entries_out(config):
    _translate_then_edit(config, ["Kept paragraph.", "Paragraph that will change."],
                         ["Kept paragraph.", "Paragraph that will change a lot."])
    compile_catalogs(Project(config))
    with mo_path(config, "fr", "sample").open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    assert translations.gettext("Kept paragraph.") == "FR: Kept paragraph."
    assert translations.gettext("Paragraph that will change a lot.") == "Paragraph that will change a lot."
    assert not (config.locales_dir / "fr" / "LC_MESSAGES" / "sample.mo").exists()


# --- no translation is ever lost, whatever the edits -----------------------------------------

WORDS = ["migrants", "forum", "review", "States", "rights", "pledges", "hub", "regional", "declaration",
         "participation", "justice", "compact", "objectives", "hearing", "plenary"]
sentences = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(lambda w: " ".join(w).capitalize() + ".")
edits = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 20), sentences),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("change"), st.integers(0, 20), st.sampled_from(WORDS)),
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("restore"), st.integers(0, 20)),
)


def _apply(paragraphs: list[str], removed: list[str], edit: tuple) -> None:
    kind, first, *rest = edit
    if kind == "insert":
        paragraphs.insert(first % (len(paragraphs) + 1), rest[0])
    elif kind == "restore" and removed:
        paragraphs.append(removed[first % len(removed)])
    elif not paragraphs:
        return
    elif kind == "delete":
        removed.append(paragraphs.pop(first % len(paragraphs)))
    elif kind == "change":
        index = first % len(paragraphs)
        paragraphs[index] = paragraphs[index].rstrip(".") + f" {rest[0]}."
    elif kind == "move":
        paragraphs.insert(rest[0] % len(paragraphs), paragraphs.pop(first % len(paragraphs)))


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(sentences, min_size=1, max_size=6), steps=st.lists(edits, min_size=1, max_size=8),
       translate_every=st.integers(1, 3))
def test_no_translation_is_ever_lost(start, steps, translate_every):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "papers").mkdir()
        (root / "setup.cfg").write_text(SETUP_CFG, "utf-8")
        config = load_config(root / "setup.cfg")
        paragraphs, removed, entered = list(start), [], {}
        _write_paper(config, paragraphs)
        _sync(config)
        entered.update(_translate(config))
        for number, edit in enumerate(steps, start=1):
            _apply(paragraphs, removed, edit)
            _write_paper(config, paragraphs)
            _sync(config)
            _assert_nothing_lost(config, entered)
            if number % translate_every == 0:
                entered.update(_translate(config))
        assert msgfmt_check(catalog_path(config, "fr", "sample")).returncode == 0


def _assert_nothing_lost(config, entered: dict[str, str]) -> None:
    catalog = _catalog(config)
    kept = {m.string for m in catalog if m.id} | {m.string for m in catalog.obsolete.values()}
    assert set(entered.values()) <= kept
    for message in catalog:
        if not message.id or not message.string:
            continue
        if message.fuzzy:
            assert message.previous_id, f"fuzzy without #|: {message.id!r}"
        else:
            assert message.string == entered.get(message.id), f"a live translation moved to {message.id!r}"


@pytest.mark.parametrize("slug", ["ui", "index", "404", "search", "volume", "volume-2"])
def test_a_paper_may_not_take_a_reserved_name(config, slug):
    source = (config.papers_dir / "series.md").read_text("utf-8").replace("slug: series", f"slug: '{slug}'")
    (config.papers_dir / f"{slug}.md").write_text(source.replace("kind: series", "number: 9"), "utf-8")
    with pytest.raises(SourceError, match=f"the slug '{slug}' is kept for"):
        extract_catalogs(Project(config))


def test_two_english_edits_keep_the_english_the_translation_was_made_from(config, tmp_path):
    first, second, third = ("The Forum meets every four years.", "The Forum meets every four years in New York.",
                            "The Forum meets every four years in New York City.")
    _translate_then_edit(config, [first], [second])
    before = tmp_path / "before.po"
    before.write_bytes(catalog_path(config, "fr", "sample").read_bytes())
    _write_paper(config, [third])
    _sync(config)
    message = _catalog(config)[third]
    assert message.fuzzy and message.string == f"FR: {first}"
    assert message.previous_id == [first]
    # GNU msgmerge --previous, the outside judge, keeps the same English.
    merged = subprocess.run(["msgmerge", "--previous", "--quiet", "-o", "-", str(before),
                             str(template_path(config, "sample"))], capture_output=True, check=True).stdout
    assert parse_catalog(merged, before, language="fr")[third].previous_id == [first]


def test_memory_prefills_a_new_entry_of_an_existing_catalog(config):
    _sync(config)
    _translate(config, domain="series")
    _translate(config)
    known = max((m.id for m in _catalog(config, domain="series") if m.id), key=len)  # the series' paragraph
    source = config.papers_dir / "sample.md"
    source.write_text(f"{source.read_text('utf-8')}\n{known}\n", "utf-8")
    _sync(config)
    message = _catalog(config)[known]
    assert message.string == f"FR: {known}" and message.fuzzy
    assert any(comment.startswith("memory: locales/fr/LC_MESSAGES/series.po:") for comment in message.user_comments)


def _save_during_update(config, monkeypatch, save) -> None:
    """Run update with save() called once, as a translator's PO editor would, after update read the file."""
    import library.translations.catalogs as catalogs

    real_render, calls = catalogs.render_catalog, []

    def render_then_save(catalog, **options):
        if catalog.domain == "sample" and catalog.locale_identifier == "fr" and not calls:
            calls.append(save())
        return real_render(catalog, **options)

    monkeypatch.setattr(catalogs, "render_catalog", render_then_save)
    report = update_catalogs(Project(config))
    assert calls, "the translator's save never happened"
    return report


def test_a_translators_save_during_update_is_merged_not_lost(config, monkeypatch):
    _write_paper(config, ["The Forum meets every four years.", "Member States lead the review."])
    _sync(config)
    _translate(config)
    _write_paper(config, ["The Forum meets every four years.", "Member States lead the review.", "A new paragraph."])
    extract_catalogs(Project(config))
    path = catalog_path(config, "fr", "sample")
    saved = path.read_text("utf-8").replace("FR: Member States lead the review.",
                                            "Les États membres conduisent l’examen.")

    _save_during_update(config, monkeypatch, lambda: path.write_text(saved, "utf-8"))
    catalog = _catalog(config)
    assert catalog["Member States lead the review."].string == "Les États membres conduisent l’examen."
    assert "A new paragraph." in catalog  # and update's own work is there too
    assert msgfmt_check(path).returncode == 0


def test_a_broken_save_during_update_is_left_as_saved_with_an_error(config, monkeypatch):
    _sync(config)
    _translate(config)
    path = catalog_path(config, "fr", "sample")
    saved = path.read_text("utf-8") + '\nmsgid "half typed"\nmsgstr "pas fini\n'
    with pytest.raises(CatalogError, match="unterminated string") as raised:
        _save_during_update(config, monkeypatch, lambda: path.write_text(saved, "utf-8"))
    assert raised.value.path == path and path.read_text("utf-8") == saved
