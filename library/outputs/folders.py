"""What the stages that own a folder of the site share: the project files they read, and writing that folder."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from library.core.config import Config
from library.core.files import Changes, remove_stale, write_outputs
from library.core.paths import anchor_record_paths, catalog_paths, glossary_path, pdf_manifest_path
from library.model.stamps import read_state, write_state

__all__ = ["project_texts", "write_owned_folder"]


def project_texts(config: Config, *, manifest: bool = True, glossary: bool = False) -> list[Path]:
    """The files the texts of every output come from: sources, catalogs, anchor records (the passages' ids),
    and, when asked, the PDF manifest (what is published, on which page) and the glossary."""
    sources = sorted(path for path in config.papers_dir.rglob("*") if path.is_file())
    catalogs = [path for language in config.languages for path in catalog_paths(config, language)]
    extra = [pdf_manifest_path(config)] * manifest + [glossary_path(config)] * glossary
    return [*sources, *catalogs, *anchor_record_paths(config), *extra]


def write_owned_folder(config: Config, stage: str, folder: Path, inputs: str,
                       plan: Callable[[], dict[Path, bytes]]) -> tuple[Changes, list[Path]]:
    """Write the files plan() gives into folder, which stage alone writes, and remove the rest.

    Nothing is planned when the inputs hash as at the last build and the folder holds just what
    was written then. Returns what changed and the files withdrawn.
    """
    state = read_state(config, stage)
    present = sorted(path for path in folder.rglob("*") if path.is_file())
    if state.get("inputs") == inputs and [path.relative_to(folder).as_posix() for path in present] == state.get(
        "files"
    ):
        return Changes(unchanged=present), []
    planned = plan()
    changes = write_outputs(planned)
    withdrawn = remove_stale(folder, set(planned))
    write_state(config, stage, {"inputs": inputs, "files": sorted(path.relative_to(folder).as_posix()
                                                                  for path in planned)})
    return changes, withdrawn
