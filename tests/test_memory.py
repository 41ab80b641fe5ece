"""The translation memory: a new paper that repeats another's sentences starts with them pre-filled, fuzzy."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from click.testing import CliRunner
from projects import DATA, REPOSITORY, catalog_of, copy_real_library

from library.cli import main
from library.core.config import load_config
from library.translations.catalogs import close_matches, merge_catalog
from library.translations.memory import Memory, Recollection

PAPER = "looking-back"


def _recollection(source: str, translation: str, *, interface: bool = False) -> Recollection:
    return Recollection(source, translation, Path("locales/fr/LC_MESSAGES/x.po"), 7, interface)


@pytest.mark.parametrize(("known", "asked", "offered"), [
    ("the first global review of the Global Compact", "the first regional review of the Compact", True),  # 0.85
    ("The Forum meets every four years at UN Headquarters.", "The Forum meets every four years in New York.",
     True),  # 0.78
    ("The Global Compact for Migration in brief", "What the Global Compact promises", False),  # 0.60
    ("Its findings feed into the Forum.", "The Compact rests on ten guiding principles.", False),  # 0.34
    ("Key points", "Key dates", False),  # too short for anything but the same English
    ("Key points", "Key points", True),
], ids=["one-word-changed", "three-words-changed", "shared-name", "unrelated", "short", "short-exact"])
def test_the_memory_offers_a_translation_only_for_close_english(known, asked, offered):
    memory = Memory([_recollection(known, "TRANSLATED")])
    assert (memory.best(asked, interface=False) is not None) is offered


def test_interface_strings_and_papers_share_only_exact_matches():
    memory = Memory([_recollection("Search the papers of the series", "Rechercher dans les documents de la série",
                                   interface=True)])
    assert memory.best("Search the papers of this series", interface=False) is None
    assert memory.best("Search the papers of this series", interface=True) is not None
    assert memory.best("Search the papers of the series", interface=False).exact


@pytest.fixture(scope="module")
def library_with_a_repeating_paper(tmp_path_factory) -> Path:
    """The real library plus a fifth paper that repeats two paragraphs of the first and edits a third."""
    root = copy_real_library(tmp_path_factory.mktemp("memory"), DATA / "memory" / f"{PAPER}.md")
    for command in ("extract", "update"):
        result = CliRunner().invoke(main, ["--config", str(root / "setup.cfg"), command], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    (root / "update.out").write_text(result.output, "utf-8")
    return root


@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_new_paper_repeating_another_gets_its_translations_fuzzy_with_their_origin(
        library_with_a_repeating_paper, language):
    root = library_with_a_repeating_paper
    config = load_config(root / "setup.cfg")
    new, first = catalog_of(config, language, PAPER), catalog_of(config, language, "what-is-the-imrf")
    source = (root / "papers" / f"{PAPER}.md").read_text("utf-8")
    repeated = [line for line in source.splitlines() if line.startswith(("Put simply", "The Forum is the global"))]
    edited = next(line for line in source.splitlines() if line.startswith("The GCM is the first framework"))
    for text in repeated:
        message, origin = new[text], first[text]
        assert message.string == origin.string and message.fuzzy
        assert any(re.fullmatch(rf"memory: locales/{language}/LC_MESSAGES/what-is-the-imrf\.po:{origin.lineno} "
                                r"\(the same English\); review, then remove the fuzzy flag", comment)
                   for comment in message.user_comments), message.user_comments
    close = new[edited]
    original = first[edited.replace("that governments negotiated", "negotiated between governments")]
    assert close.fuzzy and close.string == original.string
    assert any(re.search(r"\(\d\d% alike\)", comment) for comment in close.user_comments)
    assert not new["Preparations for the second Forum start now, in every region."].string  # nothing close


def test_update_says_per_catalog_what_it_did(library_with_a_repeating_paper):
    output = (library_with_a_repeating_paper / "update.out").read_text("utf-8")
    filled = re.search(rf"wrote locales/fr/LC_MESSAGES/{PAPER}\.po: (\d+) new \((\d+) pre-filled from the memory\)",
                       output)
    assert filled and int(filled[1]) > int(filled[2]) >= 3, output
    assert re.search(r"^\d+ written, \d+ unchanged; \d+ new \(\d+ pre-filled from the memory\), 0 outdated, "
                     r"0 obsolete, 0 revived$", output, re.M), output


def test_a_second_update_fills_nothing_more_and_keeps_every_translation(library_with_a_repeating_paper, tmp_path):
    root = tmp_path / "again"
    shutil.copytree(library_with_a_repeating_paper, root)
    path = root / "locales" / "fr" / "LC_MESSAGES" / f"{PAPER}.po"
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["--config", str(root / "setup.cfg"), "update"], catch_exceptions=False)
    assert result.exit_code == 0 and path.read_bytes() == before
    assert result.output.endswith("0 written, 14 unchanged; 0 new, 0 outdated, 0 obsolete, 0 revived\n")


def test_outdated_obsolete_and_revived_entries_are_counted(library_with_a_repeating_paper, tmp_path):
    root = tmp_path / "edited"
    shutil.copytree(library_with_a_repeating_paper, root)
    source = root / "papers" / f"{PAPER}.md"
    text = source.read_text("utf-8")
    gone = next(line for line in text.splitlines() if line.startswith("The Forum is the global moment"))
    source.write_text(text.replace("Put simply, the Forum", "Simply put, the Forum").replace(gone + "\n", ""),
                      "utf-8")

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(root / "setup.cfg"), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("extract")
    assert f"wrote locales/fr/LC_MESSAGES/{PAPER}.po: 1 outdated, 1 obsolete" in run("update", "--lang", "fr")
    source.write_text(text.replace("Put simply, the Forum", "Simply put, the Forum"), "utf-8")
    run("extract")
    assert f"wrote locales/fr/LC_MESSAGES/{PAPER}.po: 1 revived" in run("update", "--lang", "fr")


def test_library_memory_shows_the_closest_translations(library_with_a_repeating_paper):
    source = (library_with_a_repeating_paper / "papers" / "what-is-the-imrf.md").read_text("utf-8")
    asked = next(line for line in source.splitlines() if line.startswith("The GCM is the first framework"))
    asked = asked.replace("negotiated between governments", "that governments negotiated")
    result = CliRunner().invoke(main, ["--config", str(library_with_a_repeating_paper / "setup.cfg"), "memory",
                                       asked, "--lang", "fr"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(r"\d\d%  locales/fr/LC_MESSAGES/[a-z-]+\.po:\d+", lines[0]), lines[0]
    assert re.fullmatch(r"\d+ match(es)? at or above 75% alike", lines[-1])
    unknown = CliRunner().invoke(main, ["--config", str(library_with_a_repeating_paper / "setup.cfg"), "memory",
                                        "anything", "--lang", "en"])
    assert unknown.exit_code == 2 and "source language" in unknown.output


# --- at the scale of a long series: the same answers, with less work ------------------------------


def _real_english() -> list[str]:
    """Every English text of the real papers' templates, the candidates a merge searches."""
    from library.sources.pofiles import read_catalog

    texts = []
    for path in sorted((REPOSITORY / "locales").glob("*.pot")):
        texts += [message.id for message in read_catalog(path) if isinstance(message.id, str) and message.id]
    return texts


def _edited(text: str, number: int) -> str:
    """text as an editor might change it: words added, dropped or swapped, depending on number."""
    words = text.split()
    if number % 3 == 0:
        return " ".join(["In this revised edition,", *words])
    if number % 3 == 1:
        return " ".join(words[: len(words) // 2] + words[len(words) // 2 + 1 :])
    return " ".join(reversed(words))


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.slow  # several builds or indexes: seconds of CPU; CI runs it
def test_close_matches_answers_as_babels_search(n):
    from babel.messages.catalog import get_close_matches

    texts = _real_english()
    candidates = texts[:60] + texts[:5]  # the same English twice: ties between equal texts
    words = [_edited(text, number) for number, text in enumerate(texts[:60:3])] + texts[60:80] + ["Key points"]
    for word in words:
        assert close_matches(word, candidates, n) == get_close_matches(word, candidates, n), word


def test_update_searches_with_close_matches_and_gives_babel_its_own_back(monkeypatch):
    import babel.messages.catalog as babel_catalog

    babels, searched = babel_catalog.get_close_matches, []

    def counting(*args, **kwargs):
        searched.append(args[0])
        return close_matches(*args, **kwargs)

    monkeypatch.setattr("library.translations.catalogs.close_matches", counting)
    template = Catalog()
    template.add("The Forum meets every four years at United Nations Headquarters in New York.")
    catalog = Catalog(locale="fr")
    catalog.add("The Forum meets every four years at UN Headquarters in New York.", "Le Forum se réunit…")
    merged = merge_catalog(catalog, template, "fr", "x")
    assert searched == ["the forum meets every four years at united nations headquarters in new york."]  # Babel's key
    assert merged["The Forum meets every four years at United Nations Headquarters in New York."].fuzzy
    assert babel_catalog.get_close_matches is babels


def test_the_best_match_among_copies_of_an_english_is_the_first_and_all_are_listed():
    english = "The Forum meets every four years at UN Headquarters."
    copies = [Recollection(english, f"Le Forum… ({number})", Path(f"locales/fr/LC_MESSAGES/p{number}.po"), 3, False)
              for number in range(1, 4)]
    other = _recollection("The Forum meets every four years at the UN.", "Autre")
    memory = Memory([other, *copies])
    best = memory.best("The Forum meets every four years at UN Headquarters!", interface=False)
    assert best.recollection == copies[0]
    listed = memory.matches("The Forum meets every four years at UN Headquarters!", limit=5)
    assert [match.recollection for match in listed][:3] == copies  # the memory command still shows every copy


def test_close_matches_answers_as_babels_search_on_short_texts_full_of_ties():
    """Texts over a few letters tie often, equal each other and are sometimes empty: the pruning's edge cases."""
    import random

    from babel.messages.catalog import get_close_matches

    chosen = random.Random(36)

    def text(letters: str) -> str:
        return "".join(chosen.choice(letters) for _ in range(chosen.randint(0, 10)))

    for number in range(3000):
        letters = "ab " if number % 2 else "abcdefg "
        candidates, word = [text(letters) for _ in range(chosen.randint(0, 10))], text(letters)
        n, cutoff = chosen.choice([1, 2, 3]), chosen.choice([0.0, 0.4, 0.6, 0.9])
        assert close_matches(word, candidates, n, cutoff) == get_close_matches(word, candidates, n, cutoff)
