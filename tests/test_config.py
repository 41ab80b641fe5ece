from __future__ import annotations

from pathlib import Path

import pytest

from library.core.config import find_config, load_config
from library.core.errors import ConfigError

BAD_VALUES = {
    "unknown-language": ("languages = fr xx", 3, "[library] languages: 'xx' is not a known language code"),
    "source-in-targets": ("languages = fr en", 3, "[library] languages: list each language once"),
    "no-languages": ("languages =", 3, "[library] languages: name at least one target language"),
    "threshold-text": ("threshold = most", 3, "[library] threshold: expected a percentage from 0 to 100"),
    "threshold-range": ("threshold = 180", 3, "[library] threshold: expected a percentage from 0 to 100"),
    "unknown-setting": ("colour = blue", 3, "[library] unknown setting 'colour'"),
    "volume-size-zero": ("volume_size = 0", 3, "[library] volume_size: expected a whole number of papers"),
    "volume-size-text": ("volume_size = twenty", 3, "[library] volume_size: expected a whole number of papers"),
    "volume-size-fraction": ("volume_size = 2.5", 3, "[library] volume_size: expected a whole number of papers"),
}


def test_defaults_and_paths_relative_to_the_file(tmp_path: Path):
    (tmp_path / "setup.cfg").write_text("[library]\nthreshold = 75%\n", "utf-8")
    config = load_config(tmp_path / "setup.cfg")
    assert config.source_language == "en" and config.languages == ("fr", "es")
    assert config.papers_dir == tmp_path / "papers" and config.build_dir == tmp_path / "build"
    assert config.threshold == 75.0 and config.all_languages == ("en", "fr", "es")
    assert config.volume_size is None  # one volume for the whole series


def test_volume_size_is_a_number_of_papers(tmp_path: Path):
    (tmp_path / "setup.cfg").write_text("[library]\nvolume_size = 20\n", "utf-8")
    assert load_config(tmp_path / "setup.cfg").volume_size == 20


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_bad_value_names_file_line_and_setting(tmp_path: Path, name: str):
    line_text, line, message = BAD_VALUES[name]
    path = tmp_path / "setup.cfg"
    path.write_text(f"[metadata]\n[library]\n{line_text}\n", "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.line == line and raised.value.message.startswith(message)


def test_language_codes_are_read_without_regard_to_case(tmp_path: Path):
    (tmp_path / "setup.cfg").write_text("[library]\nsource_language = EN\nlanguages = FR, es, PT-br\n", "utf-8")
    config = load_config(tmp_path / "setup.cfg")
    assert config.source_language == "en" and config.languages == ("fr", "es", "pt_BR")


def test_config_is_found_from_a_subfolder(tmp_path: Path):
    (tmp_path / "setup.cfg").write_text("[library]\n", "utf-8")
    (tmp_path / "papers").mkdir()
    assert find_config(tmp_path / "papers") == tmp_path / "setup.cfg"


def test_missing_section_is_an_error(tmp_path: Path):
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n", "utf-8")
    with pytest.raises(ConfigError, match=r"missing \[library\] section"):
        load_config(tmp_path / "setup.cfg")
