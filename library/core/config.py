"""The project's settings, read once from the [library] section of setup.cfg."""
from __future__ import annotations

import configparser
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from library.core.errors import ConfigError

__all__ = ["Config", "load_config", "find_config", "known_language"]

SECTION = "library"
_DEFAULTS = {
    "source_language": "en",
    "languages": "fr es",
    "papers": "papers",
    "locales": "locales",
    "templates": "templates",
    "build": "build",
    "threshold": "80",
    "site_url": "",  # where the site is published; absolute links, the sitemap and robots.txt need it
    "volume_size": "",  # papers per volume (PDF and EPUB); unset, one volume holds the whole series
}


@dataclass(frozen=True)
class Config:
    """Where everything lives and which languages are published."""

    root: Path
    source_language: str
    languages: tuple[str, ...]
    papers_dir: Path
    locales_dir: Path
    templates_dir: Path
    build_dir: Path
    threshold: float
    site_url: str = ""  # "https://example.org/migration-justice/", always ending in "/"; "" when unset
    volume_size: int | None = None  # papers per volume, in series order; None: one volume for the series

    @property
    def all_languages(self) -> tuple[str, ...]:
        """The source language first, then the target languages."""
        return (self.source_language, *self.languages)


def find_config(start: Path | None = None) -> Path:
    """The nearest setup.cfg with a [library] section, from start upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "setup.cfg"
        if candidate.is_file() and f"[{SECTION}]" in candidate.read_text("utf-8", "replace"):
            return candidate
    raise ConfigError(here / "setup.cfg", None, f"no setup.cfg with a [{SECTION}] section here or above")


def load_config(path: Path) -> Config:
    """Read and validate the [library] section of the given setup.cfg."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text("utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        raise ConfigError(path, getattr(error, "lineno", None), _first_line(error)) from None
    if not parser.has_section(SECTION):
        raise ConfigError(path, None, f"missing [{SECTION}] section")
    values = {**_DEFAULTS, **dict(parser.items(SECTION))}
    _reject_unknown_keys(path, values)
    root = path.parent.resolve()

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(path, _line_of(path, key), f"[{SECTION}] {key}: {message}")

    source = _language(values["source_language"], fail("source_language", "not a known language code"))
    languages = tuple(
        _language(code, fail("languages", f"{code!r} is not a known language code"))
        for code in values["languages"].replace(",", " ").split()
    )
    if not languages:
        raise fail("languages", "name at least one target language")
    if source in languages or len(set(languages)) != len(languages):
        raise fail("languages", "list each language once, without the source language")
    return Config(
        root=root,
        source_language=source,
        languages=languages,
        papers_dir=root / values["papers"],
        locales_dir=root / values["locales"],
        templates_dir=root / values["templates"],
        build_dir=root / values["build"],
        threshold=_threshold(values["threshold"], fail("threshold", "expected a percentage from 0 to 100")),
        site_url=_site_url(values["site_url"], fail),
        volume_size=_volume_size(values["volume_size"], fail("volume_size", "expected a whole number of papers "
                                                              "per volume, 1 or more (or no setting: one volume)")),
    )


def known_language(code: str, known: tuple[str, ...]) -> str | None:
    """The code of known that code names, compared as language tags are: without regard to case, '-' or '_'."""
    wanted = code.replace("-", "_").lower()
    return next((candidate for candidate in known if candidate.lower() == wanted), None)


def _canonical(code: str) -> str:
    """A language code as Babel and the folders spell it: 'FR' is 'fr', 'pt-br' is 'pt_BR'."""
    language, _sep, region = code.replace("-", "_").partition("_")
    return f"{language.lower()}_{region.upper()}" if region else language.lower()


def _language(code: str, error: ConfigError) -> str:
    from babel import Locale, UnknownLocaleError

    code = _canonical(code)
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", code):
        raise error
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise error from None
    return code


def _threshold(text: str, error: ConfigError) -> float:
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        raise error from None
    if not 0 <= value <= 100:
        raise error
    return value


def _volume_size(text: str, error: ConfigError) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise error
    return int(text)


def _site_url(text: str, fail: Callable[[str, str], ConfigError]) -> str:
    """The site's public address, folder-like (ending in '/'), or "" when unset."""
    from urllib.parse import urlsplit

    text = text.strip()
    if not text:
        return ""
    example = "an absolute http or https address such as https://example.org/migration-justice/"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise fail("site_url", f"expected {example}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise fail("site_url", f"expected {example}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise fail("site_url", f"expected {example}, without query, fragment or password")
    return text if text.endswith("/") else text + "/"


def _reject_unknown_keys(path: Path, values: dict[str, str]) -> None:
    for key in values:
        if key not in _DEFAULTS:
            known = ", ".join(_DEFAULTS)
            raise ConfigError(path, _line_of(path, key), f"[{SECTION}] unknown setting {key!r} (known: {known})")


def _line_of(path: Path, key: str) -> int | None:
    """The line of key inside the [library] section, for error messages."""
    in_section = False
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped == f"[{SECTION}]"
        elif in_section and re.match(rf"{re.escape(key)}\s*[=:]", stripped):
            return number
    return None


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0]
