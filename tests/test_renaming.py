"""library rename: a paper renamed keeps its translations, its ids and its figure."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import msgfmt_check, snapshot
from projects import catalog_of, prefixed, translate_catalogs

from library.cli import main
from library.core.config import load_config
from library.core.paths import catalog_path
from library.model.project import Project


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_rename_carries_a_papers_translations_and_ids(run, project):
    for command in ("extract", "update"):
        assert run(command).exit_code == 0
    config = load_config(project / "setup.cfg")
    for language in ("fr", "es"):
        translate_catalogs(config, language, prefixed(language.upper()))
    ids_before = {s.msgid: s.id for s in Project(config).segments("sample")}
    status_before = run("status", "--format", "json").output
    result = run("rename", "sample", "renamed-sample")
    assert result.exit_code == 0, result.output
    assert "moved locales/fr/LC_MESSAGES/sample.po -> locales/fr/LC_MESSAGES/renamed-sample.po" in result.output
    assert not (project / "papers" / "sample.md").exists()
    assert "slug: renamed-sample" in (project / "papers" / "renamed-sample.md").read_text("utf-8")
    assert {s.msgid: s.id for s in Project(config).segments("renamed-sample")} == ids_before
    status = json.loads(run("status", "--format", "json").output)["catalogs"]
    before = json.loads(status_before)["catalogs"]
    assert [row["translated"] for row in status if row["paper"] == "renamed-sample"] == [
        row["translated"] for row in before if row["paper"] == "sample"] != []
    assert {row["percent_translated"] for row in status if row["paper"] == "renamed-sample"} == {100.0}
    catalog = catalog_of(config, "fr", "renamed-sample")
    assert all(name == "papers/renamed-sample.md" for m in catalog if m.id for name, _ in m.locations)
    assert msgfmt_check(catalog_path(config, "fr", "renamed-sample")).returncode == 0


@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_rename_after_a_rename_by_hand_moves_what_is_left(run, project):
    for command in ("extract", "update"):
        assert run(command).exit_code == 0
    config = load_config(project / "setup.cfg")
    translate_catalogs(config, "fr", prefixed("FR"))
    source = project / "papers" / "sample.md"
    (project / "papers" / "by-hand.md").write_text(source.read_text("utf-8").replace("slug: sample", "slug: by-hand"))
    source.unlink()
    assert run("extract").exit_code == 0 and run("update").exit_code == 0  # by-hand.po made, untranslated
    result = run("rename", "sample", "by-hand")
    assert result.exit_code == 0, result.output
    assert all(m.string.startswith("FR") and not m.fuzzy for m in catalog_of(config, "fr", "by-hand") if m.id)


def test_rename_never_overwrites_translations(run, project):
    for command in ("extract", "update"):
        assert run(command).exit_code == 0
    config = load_config(project / "setup.cfg")
    translate_catalogs(config, "fr", prefixed("FR"))
    before = snapshot(project / "locales")
    result = CliRunner().invoke(main, ["--config", str(project / "setup.cfg"), "rename", "sample", "series"])
    assert result.exit_code != 0 and "papers/series.md already exists" in result.output
    assert snapshot(project / "locales") == before
