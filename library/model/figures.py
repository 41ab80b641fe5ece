"""Figures remembered by the bytes they are counted from: a build counts again only the texts whose files changed.

A paper's figure in a language depends on its English source, its anchor record and its
catalog; their bytes' hash (the text's stamp) names the figure in build/state/figures.json.
The site's home pages and dashboard show every paper's figure in every language, and the
gate asks for them all: without this, one changed catalog meant parsing all of them.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from library.core.config import Config
from library.core.paths import anchor_record_path, catalog_path
from library.model.stamps import Digest, FileHashes, read_state, write_state
from library.model.translation import Figure, Tally

__all__ = ["KnownFigures"]

_STATE = "figures"


class KnownFigures:
    """The texts' stamps, each file hashed once per command, and the figures last counted from them."""

    def __init__(self, config: Config, files: FileHashes | None = None) -> None:
        self.config = config
        self._files_hashed = files or FileHashes()  # a watcher's, kept between saves: unchanged files are not read
        self._hashes: dict[Path, str] = {}
        self._stamps: dict[tuple[str, str], str] = {}
        # The code that counts: a change to it counts every figure again.
        self._code = Digest(config.source_language).code("library.model.project").hexdigest()
        state = read_state(config, _STATE)
        self._known: dict[str, list[object]] = state.get("figures", {}) if state.get("code") == self._code else {}
        self._used: dict[str, list[object]] = {}

    def file_hash(self, path: Path) -> str:
        """The SHA-256 of a file's bytes ('-' when there is none), read once per command."""
        if path not in self._hashes:
            self._hashes[path] = self._files_hashed.sha256(path)
        return self._hashes[path]

    def text_stamp(self, slug: str, language: str) -> str:
        """The hash of the files a paper's text in language comes from: source, anchor record, catalog."""
        if (slug, language) not in self._stamps:  # every page's key asks, many times over
            self._stamps[slug, language] = Digest(*(self.file_hash(path) for path in self._files(slug, language))
                                                  ).hexdigest()
        return self._stamps[slug, language]

    def _files(self, slug: str, language: str) -> list[Path]:
        config = self.config
        files = [config.papers_dir / f"{slug}.md", anchor_record_path(config, slug)]
        if language != config.source_language:
            files.append(catalog_path(config, language, slug))
        return files

    def figure(self, slug: str, language: str, count: Callable[[], Figure]) -> Figure:
        """The figure the text's files gave last time, or count() when they changed."""
        name, stamp = f"{slug} {language}", self.text_stamp(slug, language)
        known = self._known.get(name)
        if known is not None and known[0] == stamp:
            self._used[name] = known
            return _figure(known[1:])
        figure = count()
        for path in self._files(slug, language):  # read again: a save while counting must not pair new bytes
            self._hashes.pop(path, None)          # with the old figure
        self._stamps.pop((slug, language), None)
        if self.text_stamp(slug, language) == stamp:
            self._used[name] = [stamp, *_numbers(figure)]
        return figure

    def save(self) -> None:
        """Record the figures this command used (those of texts gone are dropped); nothing when it used none."""
        if not self._used:
            return
        write_state(self.config, _STATE, {"code": self._code, "figures": dict(sorted(self._used.items()))})


def _numbers(figure: Figure) -> list[int]:
    return [number for tally in (figure.translated, figure.fuzzy, figure.missing)
            for number in (tally.messages, tally.words)]


def _figure(numbers: list[object]) -> Figure:
    values = [int(str(number)) for number in numbers]
    return Figure(Tally(values[0], values[1]), Tally(values[2], values[3]), Tally(values[4], values[5]))
