from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import make_project
from pypdf import PdfReader

from library.cli import main
from library.model import stamps
from library.model.stamps import Digest
from library.outputs.static_search.pagefind import FOLDER
from library.pipeline import BUILD_ORDER


def _package_file(site_packages: Path) -> Path:
    font = site_packages / "fonts_pkg" / "files" / "Serif.ttf"
    font.parent.mkdir(parents=True)
    font.write_bytes(b"the same font bytes")
    return font


def test_a_package_file_hashes_alike_from_a_venv_inside_or_outside_the_project(tmp_path: Path, monkeypatch):
    project = tmp_path / "clone"
    inside = project / ".venv" / "lib" / "python3.11" / "site-packages"
    outside = tmp_path / "elsewhere" / "venv" / "lib" / "python3.11" / "site-packages"
    fonts = [_package_file(inside), _package_file(outside)]
    digests = []
    for site_packages, font in zip((inside, outside), fonts, strict=False):
        monkeypatch.setattr(stamps, "_package_folders", lambda site_packages=site_packages: (site_packages,))
        digests.append(Digest().files([font], project).hexdigest())
    assert digests[0] == digests[1]


def test_a_project_file_hashes_alike_from_any_clone(tmp_path: Path):
    digests = []
    for clone in ("one", "two/deeper"):
        source = tmp_path / clone / "papers" / "sample.md"
        source.parent.mkdir(parents=True)
        source.write_text("---\n", "utf-8")
        digests.append(Digest().files([source], tmp_path / clone).hexdigest())
    assert digests[0] == digests[1]
    assert Digest().files([tmp_path / "one" / "papers" / "sample.md"], tmp_path).hexdigest() != digests[0]


def _build(folder: Path) -> Path:
    make_project(folder)
    config = ["--config", str(folder / "setup.cfg")]
    sample = ["--lang", "en", "--paper", "sample"]
    for command in (["extract"], ["update"], ["compile"], ["build", "pdf", *sample], ["build", "epub", *sample],
                    ["build", "html"], ["build", "index"]):
        result = CliRunner().invoke(main, [*config, *command], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return folder / "build"


def _without_search_files(path: Path) -> object:
    """A stage's record, without the names of Pagefind's files in the static search's, nor the sizes and times
    of the site's copies of the PDFs (what the file system says of them, not what they are made from)."""
    if path.name not in ("static_search.json", "html.json"):
        return path.read_bytes()
    state = json.loads(path.read_text("utf-8"))
    del state["files" if path.name == "static_search.json" else "copies"]
    return state


def _pdf_id(path: Path) -> bytes:
    """The document's permanent identifier (the first of /ID), which the library takes from the stamp."""
    return PdfReader(path).trailer["/ID"][0].original_bytes


@pytest.mark.slow
def test_the_same_project_built_in_two_folders_has_the_same_stamps_pages_and_pdfs(tmp_path: Path):
    first, second = _build(tmp_path / "here"), _build(tmp_path / "somewhere" / "else")
    manifests = [Path("pdf/manifest.json"), Path("epub/manifest.json")]
    stamped = [*manifests, *sorted(path.relative_to(first) for path in first.glob("state/*.json"))]
    # The PDFs' and EPUBs' manifests, every other stage's record, and the ledger.
    assert {name.stem for name in stamped} == {"manifest", "ledger", "figures", "feed-entries",
                                               *(stage for stage in BUILD_ORDER if stage not in ("pdf", "epub"))}
    for name in stamped:
        assert _without_search_files(first / name) == _without_search_files(second / name), name
    # Pagefind names and orders its files differently at each run, even on the same passages; what
    # they index is checked in test_static_search.py. Everything else is the same, byte for byte.
    pages = sorted(path.relative_to(first) for path in (first / "html").rglob("*")
                   if path.is_file() and path.relative_to(first).parts[1] != FOLDER)
    pages += sorted(path.relative_to(first) for path in (first / "epub").rglob("*.epub"))
    assert any(name.suffix == ".epub" for name in pages)
    assert any(name.suffix == ".pdf" for name in pages)  # with the sample's image in it
    for name in pages:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        if name.suffix == ".pdf":
            assert _pdf_id(first / name) == _pdf_id(second / name), name
