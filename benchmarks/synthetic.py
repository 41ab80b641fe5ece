"""A synthetic series of N papers made from the real four, every copy translated, for the scaling benchmarks.

Copy k of a paper keeps its text (so its catalogs translate it whole) and takes a slug and number
of its own; the series page, the interface catalogs, the templates and setup.cfg come as they are.
Extra [library] settings (volume_size = 20, say) are appended to setup.cfg.

    from synthetic import make_library
    root = make_library(Path("/tmp/lib200"), 200)

    .venv/bin/python benchmarks/synthetic.py /tmp/lib200 200   # the same from the shell
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHARED = ("series",)  # sources copied once, as they are


def make_library(folder: Path, papers: int, settings: dict[str, str] | None = None) -> Path:
    """Write a project of `papers` numbered papers into folder (made empty first); returns folder."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "papers").mkdir(parents=True)
    shutil.copytree(REPOSITORY / "templates", folder / "templates")
    _copy_config(folder, settings or {})
    languages = sorted(path.name for path in (REPOSITORY / "locales").iterdir() if path.is_dir())
    for language in languages:
        (folder / "locales" / language / "LC_MESSAGES").mkdir(parents=True)
    originals = sorted(_originals(), key=lambda pair: pair[1])
    for name in SHARED + ("ui",):
        _copy_shared(folder, name, languages)
    for number in range(1, papers + 1):
        slug, original_number = originals[(number - 1) % len(originals)]
        copy = (number - 1) // len(originals)
        new_slug = slug if copy == 0 else f"{slug}-{copy + 1}"
        _copy_paper(folder, slug, new_slug, number, languages)
    return folder


def _originals() -> list[tuple[str, int]]:
    """The real numbered papers: (slug, number)."""
    found = []
    for path in (REPOSITORY / "papers").glob("*.md"):
        match = re.search(r"^number:\s*(\d+)\s*$", path.read_text(encoding="utf-8"), re.M)
        if match:
            found.append((path.stem, int(match.group(1))))
    return found


def _copy_config(folder: Path, settings: dict[str, str]) -> None:
    text = (REPOSITORY / "setup.cfg").read_text(encoding="utf-8")
    extra = "".join(f"{name} = {value}\n" for name, value in settings.items())
    if extra:  # appended to [library]: the section the settings belong to, wherever it sits
        text = text.replace("[library]\n", "[library]\n" + extra, 1)
    (folder / "setup.cfg").write_text(text, encoding="utf-8")


def _copy_shared(folder: Path, name: str, languages: list[str]) -> None:
    source = REPOSITORY / "papers" / f"{name}.md"
    if source.exists():
        shutil.copy(source, folder / "papers" / source.name)
    for extra in (f"{name}.pot", f"{name}.anchors.json", "glossary.csv"):
        if (REPOSITORY / "locales" / extra).exists():
            shutil.copy(REPOSITORY / "locales" / extra, folder / "locales" / extra)
    for language in languages:
        catalog = REPOSITORY / "locales" / language / "LC_MESSAGES" / f"{name}.po"
        if catalog.exists():
            shutil.copy(catalog, folder / "locales" / language / "LC_MESSAGES" / catalog.name)


def _copy_paper(folder: Path, slug: str, new_slug: str, number: int, languages: list[str]) -> None:
    text = (REPOSITORY / "papers" / f"{slug}.md").read_text(encoding="utf-8")
    text = re.sub(r"^slug:.*$", f"slug: {new_slug}", text, count=1, flags=re.M)
    text = re.sub(r"^number:.*$", f"number: {number}", text, count=1, flags=re.M)
    (folder / "papers" / f"{new_slug}.md").write_text(text, encoding="utf-8")
    locales = REPOSITORY / "locales"
    shutil.copy(locales / f"{slug}.anchors.json", folder / "locales" / f"{new_slug}.anchors.json")
    _copy_catalog(locales / f"{slug}.pot", folder / "locales" / f"{new_slug}.pot", slug, new_slug)
    for language in languages:
        catalog = locales / language / "LC_MESSAGES" / f"{slug}.po"
        if catalog.exists():
            _copy_catalog(catalog, folder / "locales" / language / "LC_MESSAGES" / f"{new_slug}.po", slug, new_slug)


def _copy_catalog(source: Path, target: Path, slug: str, new_slug: str) -> None:
    """A catalog or template as `library update` would write it for the copy: its references name the copy."""
    text = source.read_text(encoding="utf-8")
    text = text.replace(f"papers/{slug}.md:", f"papers/{new_slug}.md:")
    text = text.replace(f"Project-Id-Version: {slug} ", f"Project-Id-Version: {new_slug} ")
    target.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: synthetic.py FOLDER PAPERS")
    print(make_library(Path(sys.argv[1]), int(sys.argv[2])))
