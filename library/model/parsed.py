"""Parsed papers kept from one command to the next, by their files' bytes: a build parses only the papers that changed.

Parsing a paper (its front matter and Markdown) takes about 2 ms; the site and the static search
need every paper, so a build after one changed catalog spent 0.4 s of CPU at 200 papers parsing
papers nobody had touched. The papers are kept in build/state/papers.pickle, each with its file's
SHA-256, under the parser's code and the Python that pickled them: a paper is parsed again once its
bytes or the parser change. The file is the build's own record, never published and
never read from elsewhere; one that cannot be read counts as empty.
"""
from __future__ import annotations

import dataclasses
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from library.core.config import Config
from library.core.files import write_if_changed
from library.core.paths import state_path
from library.model.stamps import Digest, FileHashes
from library.sources.papers import Paper

__all__ = ["ParsedPapers"]

_RECORD = "papers"


class ParsedPapers:
    """The papers as last parsed, by file; loaded on first ask, saved when a paper was parsed anew."""

    def __init__(self, config: Config, hashes: FileHashes) -> None:
        self.config, self.hashes = config, hashes
        self._kept: dict[str, tuple[str, Paper]] | None = None
        self._parsed = False

    def paper(self, path: Path, parse: Callable[[Path], Paper]) -> Paper:
        """The paper of path: kept if its bytes are those it was parsed from, else parse(path).

        Kept by file name: a project copied or moved elsewhere keeps its papers, given their path now.
        """
        kept = self._load()
        before = self.hashes.sha256(path)
        found = kept.get(path.name)
        if found is not None and found[0] == before:
            return found[1] if found[1].path == path else dataclasses.replace(found[1], path=path)
        paper = parse(path)
        if self.hashes.sha256(path) == before:  # not saved again while it was parsed
            kept[path.name] = (before, paper)
            self._parsed = True
        return paper

    def save(self, paths: list[Path]) -> None:
        """Record the papers of paths (the project's now: removed papers go) if any was parsed anew."""
        if not self._parsed or self._kept is None:
            return
        names = {path.name for path in paths}
        papers = {name: value for name, value in self._kept.items() if name in names}
        data = pickle.dumps({"code": _code(), "papers": papers}, protocol=pickle.HIGHEST_PROTOCOL)
        write_if_changed(_record_path(self.config), data, sync=False)  # a record: see stamps.write_state
        self._parsed = False

    def _load(self) -> dict[str, tuple[str, Paper]]:
        if self._kept is None:
            self._kept = _read(_record_path(self.config))
        return self._kept


def _read(path: Path) -> dict[str, tuple[str, Paper]]:
    try:
        record: Any = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 (absent, cut short, or pickled by another version: parse again)
        return {}
    if not isinstance(record, dict) or record.get("code") != _code() or not isinstance(record.get("papers"), dict):
        return {}
    papers: dict[str, tuple[str, Paper]] = record["papers"]
    return papers


def _record_path(config: Config) -> Path:
    return state_path(config, _RECORD).with_suffix(".pickle")


def _code() -> str:
    """What a kept paper was made by: the parser's code and the Python whose pickle holds it."""
    return Digest(sys.version).code("library.sources.papers").hexdigest()
