"""What the stages that own a folder of the site share: the project files they read, and writing that folder."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from library.core.config import Config
from library.core.files import Changes, remove_stale, write_outputs
from library.core.paths import anchor_record_paths, catalog_paths, glossary_path, pdf_manifest_path
from library.model.stamps import read_state, write_state

__all__ = ["project_texts", "write_owned_items"]


def project_texts(config: Config, *, manifest: bool = True, glossary: bool = False) -> list[Path]:
    """The files the texts of every output come from: sources, catalogs, anchor records (the passages' ids),
    and, when asked, the PDF manifest (what is published, on which page) and the glossary."""
    sources = sorted(path for path in config.papers_dir.rglob("*") if path.is_file())
    catalogs = [path for language in config.languages for path in catalog_paths(config, language)]
    extra = [pdf_manifest_path(config)] * manifest + [glossary_path(config)] * glossary
    return [*sources, *catalogs, *anchor_record_paths(config), *extra]


def write_owned_items(config: Config, stage: str, folder: Path,
                      items: Mapping[str, tuple[str, Callable[[], dict[Path, bytes]]]]) -> tuple[Changes, list[Path]]:
    """Write into folder, which stage alone writes, the files of each item whose key changed; remove the rest.

    items: each output's name -> (its key, from what it is made of, found without reading that;
    the function that makes its files). An item whose key is as at the last build and whose
    files are all there is left alone. Returns what changed and the files withdrawn.
    """
    recorded = read_state(config, stage).get("items", {})
    planned: dict[Path, bytes] = {}
    unchanged, now = [], {}
    for name, (key, make) in items.items():
        kept = recorded.get(name)
        paths = [folder / file for file in kept[1]] if kept and kept[0] == key else []
        if paths and all(path.is_file() for path in paths):
            unchanged += paths
            now[name] = kept
            continue
        files = make()
        planned.update(files)
        now[name] = [key, sorted(path.relative_to(folder).as_posix() for path in files)]
    changes = write_outputs(planned)
    changes.unchanged += unchanged
    withdrawn = remove_stale(folder, {*planned, *unchanged}) if folder.is_dir() else []
    write_state(config, stage, {"items": now})
    return changes, withdrawn
