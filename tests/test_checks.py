from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from projects import DATA, REPOSITORY, prefixed, translate_catalogs

from library.core.config import load_config
from library.core.errors import GlossaryError
from library.core.paths import catalog_path
from library.model.project import Project
from library.quality.checks import CHECKS, IGNORE_FLAG, check_catalog, check_project, check_text, terms_for
from library.sources.glossary import read_glossary
from library.sources.pofiles import IGNORE_COMMENT, read_catalog
from library.sources.powriter import render_catalog

NBSP, NNBSP = "\u00a0", "\u202f"
GLOSSARY = read_glossary(DATA / "glossary" / "good.csv")
BAD_GLOSSARIES = sorted((DATA / "glossary").glob("bad.*.csv"))

# (check, language, English, translation, whether the check must flag it): for each check a
# case it must flag and close cases it must not.
CASES = [
    ("markup", "fr", "With **strong** text.", "Avec du texte fort.", True),
    ("markup", "fr", "With **strong** text.", "Avec du texte **fort**.", False),
    ("markup", "fr", "The hub opened.", "Le *pôle* a ouvert.", True),
    ("markup", "fr", "The Migration Network Hub opened.", "Le *Migration Network Hub* a ouvert.", False),
    ("markup", "fr", "Run `library update` now.", "Lancez `library mettre à jour` maintenant.", True),
    ("markup", "fr", "Run `library update` now.", "Lancez `library update` maintenant.", False),
    ("links", "fr", "See [A/RES/73/195](https://undocs.org/A/RES/73/195).",
     "Voir [A/RES/73/195](https://undocs.org/A/RES/73/159).", True),
    ("links", "fr", "See [the UN](https://www.un.org/en/).", "Voir [l’ONU](https://www.un.org/fr/).", False),
    ("links", "fr", "See [the UN](https://www.un.org/en/).", "Voir [l’ONU](https://www.un.org/es/).", True),
    ("links", "es", "See [the site](https://en.example.org/a?lang=en).",
     "Véase [el sitio](https://es.example.org/a?lang=es).", False),
    ("numbers", "fr", "152 in favour, 5 against", "125 pour, 5 contre", True),
    ("numbers", "fr", "1.5% of 12,000 people", f"1,5{NBSP}% de 12{NNBSP}000 personnes", False),
    ("numbers", "fr", "1.5% of 12,000 people", "1,5 % de 12 000 personnes", False),
    ("numbers", "es", "1.5% of 12,000 people", "1,5 % de 12.000 personas", False),
    ("numbers", "fr", "1.5% of them", "15 % d’entre eux", True),
    ("numbers", "fr", "on 19 September 2016", "le 19 septembre 2016", False),
    ("numbers", "es", "on 17-20 May 2022", "del 17 al 20 de mayo de 2022", False),
    ("numbers", "fr", "on 17-20 May 2022", "du 17 au 21 mai 2022", True),
    ("numbers", "fr", "Section 2.3 applies.", "La section 2.3 s’applique.", False),
    ("numbers", "fr", "It has 23 objectives.", "Il compte vingt-trois objectifs.", True),
    ("whitespace", "fr", "Summary", "Résumé ", True),
    ("whitespace", "fr", "Available in: ", f"Disponible en{NBSP}: ", False),
    ("punctuation", "fr", "It meets in May.", "Il se réunit en mai", True),
    ("punctuation", "fr", 'He said "stop."', "Il a dit « stop ».", False),
    ("punctuation", "fr", "Who we are", f"Qui sommes-nous{NBSP}?", False),
    ("punctuation", "fr", "What is the IMRF?", "Le Forum en bref", True),
    ("punctuation", "es", "It ends with a list:", "Termina con una lista...", True),
    ("french-spacing", "fr", "Note: this", "Remarque : ceci", True),
    ("french-spacing", "fr", "Note: this", "Remarque: ceci", True),
    ("french-spacing", "fr", "Note: this", f"Remarque{NBSP}: ceci", False),
    ("french-spacing", "fr", "Really?", f"Vraiment{NNBSP}?", False),
    ("french-spacing", "fr", "Really?!", f"Vraiment{NNBSP}?!", False),
    ("french-spacing", "fr", "At 10:30, see https://example.org", "À 10:30, voir https://example.org", False),
    ("french-spacing", "fr", '"Stop"', "«Stop»", True),
    ("french-spacing", "fr", '"Stop"', f"«{NBSP}Stop{NBSP}»", False),
    ("french-spacing", "es", "Note: this", "Nota: esto", False),
    ("untranslated", "fr", "Read the full report", "Read the full report", True),
    ("untranslated", "fr", "participation", "participation", False),
    ("untranslated", "fr", "New York", "New York", False),
    ("untranslated", "fr", "PDF, page %(page)s", "PDF, page %(page)s", False),
    ("untranslated", "fr", "Download the PDF of %(title)s", "Download the PDF of %(title)s", True),
    ("untranslated", "fr", "Migration Network Hub and the rest", "Migration Network Hub and the rest", True),
    ("untranslated", "fr", "Migration Network Hub", "Migration Network Hub", False),
    ("repeated-word", "fr", "The Forum meets.", "Le le Forum se réunit.", True),
    ("repeated-word", "fr", "We meet.", "Nous nous réunissons.", False),
    ("repeated-word", "es", "He said that that was all.", "Dijo que que era todo.", True),
    ("repeated-word", "fr", "Bora Bora is far.", "Bora Bora est loin.", False),
    ("length", "fr", "The Forum is one step in a four-year cycle; the next round is expected in 2024.",
     "Le Forum.", True),
    ("length", "fr", "The Forum is one step in a four-year cycle; the next round is expected in 2024.",
     "Le Forum n’est qu’une étape d’un cycle quadriennal ; le prochain cycle est prévu en 2024.", False),
    ("length", "fr", "IMRF", "Forum d’examen des migrations internationales", False),
    ("glossary", "fr", "The Global Compact is clear.", "Le Pacte global est clair.", True),
    ("glossary", "fr", "The Global Compact is clear.", "Le Pacte mondial est clair.", False),
    ("glossary", "fr", "Two regional reviews were held.", "Deux examens régionaux ont eu lieu.", False),
    ("glossary", "es", "An informal interactive multi-stakeholder hearing.",
     "Una audiencia interactiva oficiosa de múltiples interesados.", False),
    ("glossary", "es", "An informal multi-stakeholder hearing.", "Una audiencia oficiosa con las partes.", True),
    ("glossary", "fr", "A whole-of-society approach.", "Une approche mobilisant l'ensemble de la société.", False),
    ("glossary", "es", "The Quaker United Nations Office, Geneva", "La Oficina Cuáquera en Ginebra", False),
    ("glossary", "fr", "The GCM has 23 objectives.", "Le GCM compte 23 objectifs.", True),
    ("glossary", "fr", "The GCM Pledging Initiative opened.", "La *GCM Pledging Initiative* a ouvert.", False),
    ("avoided-term", "es", "Regardless of status.", "Independientemente de su Estatus Migratorio.", True),
    ("avoided-term", "es", "Their migration status.", "Sus estatus migratorios.", True),
    ("avoided-term", "es", "Their migration status.", "Su situación migratoria.", False),
    ("avoided-term", "es", "The status of the plan.", "El estatus del plan.", False),
    ("avoided-term", "es", "Its status as a migrant.", "Su estatus de migrante.", True),
    ("avoided-term", "fr", "Meaningful participation.", "La participation effective.", True),
    ("avoided-term", "fr", "Meaningful participation.", "La participation effectivement prévue.", False),
    ("avoided-term", "fr", "Effective participation.", "La participation effective.", False),
    ("avoided-term", "fr", "The Global Compact, overall.", "Le Pacte mondial, globalement.", False),
    ("avoided-term", "fr", "The Global Compact.", f"Le Pacte{NBSP}global.", True),
    ("avoided-term", "fr", "See [the page](https://example.org/pacte-global).",
     "Voir [la page](https://example.org/pacte-global).", False),
    ("avoided-term", "fr", "The rule of law.", "La primauté du droit.", True),
    ("avoided-term", "fr", "Rule of law and due process.", "Primauté du droit et garanties d’une procédure régulière.",
     False),
    ("avoided-term", "fr", "Rule of law and due process; the rule of law.",
     "Primauté du droit et garanties d’une procédure régulière ; la primauté du droit.", True),
    ("avoided-term", "fr", "The Progress Declaration.", "La Déclaration sur les progrès réalisés.", False),
    ("avoided-term", "fr", "The Progress Declaration.", "La Déclaration sur les progrès.", True),
    ("avoided-term", "es", "Both can make a difference.", "Ambos pueden marcar la diferencia.", True),
    ("avoided-term", "es", "Both can make a difference.", "La aportación de ambos puede ser decisiva.", False),
    ("french-number-spacing", "fr", "On 16 May 2022.", "Le 16 mai 2022.", True),
    ("french-number-spacing", "fr", "On 16 May 2022.", f"Le 16{NBSP}mai 2022.", False),
    ("french-number-spacing", "fr", "Saving lives (objective 8).", "Sauver des vies (objectif 8).", True),
    ("french-number-spacing", "fr", "Saving lives (objective 8).", f"Sauver des vies (objectif{NBSP}8).", False),
    ("french-number-spacing", "fr", "Resolution 73/326 sets it.", "La Résolution 73/326 le fixe.", True),
    ("french-number-spacing", "fr", "It has 23 objectives.", f"Il compte 23{NNBSP}objectifs.", False),
    ("french-number-spacing", "fr", "152 in favour, 5 against, 12 abstentions",
     f"152{NBSP}voix contre 5, avec 12 abstentions", True),
    ("french-number-spacing", "fr", "On 17-20 May, in 2020 and 2021, in 2022 on target 10.7 of COVID-19.",
     f"Du 17 au 20{NBSP}mai, en 2020 et 2021, en 2022 sur la cible{NBSP}10.7 des ODD de la COVID-19 à 12 h.",
     True),
    ("french-number-spacing", "fr", "From 17 to 20 May, in 2020 and 2021, under A/RES/73/326 of COVID-19.",
     f"Du 17 au 20{NBSP}mai, en 2020 et 2021, au titre de A/RES/73/326 et de la COVID-19 en 2022 dans le monde.",
     False),
    ("french-number-spacing", "es", "On 16 May 2022.", "El 16 de mayo de 2022 (objetivo 8).", False),
    ("empty-looking", "fr", "Contents", " ", True),
    ("empty-looking", "fr", "Summary", "TODO", True),
    ("empty-looking", "fr", "With **strong** text", "****", True),
    ("empty-looking", "fr", "—", "—", False),
    ("empty-looking", "fr", "N/A", "N/A", False),
    ("empty-looking", "fr", "Summary", "Résumé", False),
]


def _case_id(case) -> str:
    check, language, _, target, flagged = case
    return f"{check}-{language}-{'flags' if flagged else 'passes'}-{target[:24]}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_each_check_flags_its_case_and_passes_the_close_one(case):
    check, language, source, target, flagged = case
    terms = terms_for(GLOSSARY.terms, language)
    found = [finding for finding in check_text(source, target, language, terms=terms) if finding.check == check]
    assert bool(found) == flagged, found
    assert all(finding.message and finding.severity in ("error", "warning") for finding in found)


def test_every_check_has_cases_both_ways_and_a_stable_id():
    ids = [check.id for check in CHECKS]
    assert len(set(ids)) == len(ids)
    assert all(id_.replace("-", "").isalpha() and id_ == id_.lower() for id_ in ids)
    for check in ids:
        assert {flagged for name, *_, flagged in CASES if name == check} == {True, False}, check


def test_the_real_translation_of_a_paragraph_passes_every_check():
    source = ("The General Assembly endorsed it on 19 December 2018 in resolution "
              "[A/RES/73/195](https://undocs.org/A/RES/73/195) by a recorded vote of 152 in favour, 5 against.")
    target = (f"Le 19{NBSP}décembre 2018, l’Assemblée générale l’a approuvé dans la résolution "
              f"[A/RES/73/195](https://undocs.org/A/RES/73/195) par 152{NBSP}voix pour et 5{NBSP}contre.")
    assert check_text(source, target, "fr", terms=GLOSSARY.terms) == ()


def _expected(path: Path) -> dict[int, set[str]]:
    catalog = read_catalog(path, language="fr")
    expected = {}
    for message in catalog:
        notes = [comment.removeprefix("expect:").split() for comment in message.user_comments
                 if comment.startswith("expect:")]
        if message.id and notes:
            expected[message.lineno] = set(notes[0]) - {"nothing"}
    return expected


def test_a_catalog_gives_what_each_entry_says_with_flags_honoured():
    path = DATA / "reports" / "checks.po"
    terms = tuple(term for term in GLOSSARY.terms if term.translation("fr"))
    found: dict[int, set[str]] = {}
    for problem in check_catalog(path, "fr", "checks", terms):
        assert problem.path == path and problem.language == "fr"
        found.setdefault(problem.line, set()).add(problem.check)
    expected = _expected(path)
    assert len(expected) >= 12
    assert {line: checks for line, checks in expected.items() if checks} == found


def test_an_avoided_form_is_named_with_the_official_one_and_the_glossary_line():
    terms = tuple(term for term in GLOSSARY.terms if term.translation("es"))
    found = check_text("Whatever their status.", "Cualquiera que sea su ESTATUS MIGRATORIO.", "es", terms=terms)
    assert [finding.message for finding in found if finding.check == "avoided-term"] == [
        "“estatus migratorio” is a form to avoid for “migration status”: write “situación migratoria” "
        "(glossary line 8)"]


def test_the_silencing_flag_names_a_check_and_only_silences_that_one():
    catalog = read_catalog(DATA / "reports" / "checks.po", language="fr")
    silenced = next(m for m in catalog if f"{IGNORE_FLAG}numbers" in m.flags)
    everything = check_text(silenced.id, silenced.string, "fr")
    assert {finding.check for finding in everything} == {"numbers", "punctuation"}


def test_a_silencing_flag_survives_library_update(run, config):
    translate_catalogs(config, "es", prefixed("ES "))
    path = catalog_path(config, "es", "sample")
    catalog = read_catalog(path, language="es", domain="sample")
    catalog["Third item."].string = "ES Third item"
    path.write_bytes(render_catalog(catalog))
    assert run("check", "--strict", "--lang", "es").exit_code == 8
    catalog["Third item."].flags.add(f"{IGNORE_FLAG}punctuation")  # the flag of earlier versions
    path.write_bytes(render_catalog(catalog))
    assert f"# {IGNORE_COMMENT} punctuation\n" in path.read_text("utf-8")  # written as the comment gettext keeps
    assert run("update").exit_code == 0
    assert f"# {IGNORE_COMMENT} punctuation\n" in path.read_text("utf-8")
    assert run("check", "--strict", "--lang", "es").exit_code == 0
    template = config.locales_dir / "sample.pot"
    subprocess.run(["msgmerge", "--quiet", "--update", "--backup=off", str(path), str(template)],
                   check=True)  # what Poedit's "Update from POT" runs
    assert run("check", "--strict", "--lang", "es").exit_code == 0


def test_real_catalogs_have_no_errors_and_use_no_form_the_glossary_avoids():
    config = load_config(REPOSITORY / "setup.cfg")
    problems = check_project(Project(config))
    assert [p for p in problems if p.severity == "error" or p.check == "avoided-term"] == []


# --- glossary ------------------------------------------------------------------------------


def test_glossary_is_read_with_quoted_commas_and_lines():
    terms = {term.english: term for term in GLOSSARY.terms}
    office = terms["Quaker United Nations Office, Geneva"]
    assert office.translation("fr") == "Bureau Quaker auprès des Nations Unies, Genève"
    assert office.translation("es") == "" and office.line == 6
    assert terms["Global Compact"].note == "short form"


def test_glossary_variant_columns_list_forms_by_language():
    terms = {term.english: term for term in read_glossary(DATA / "glossary" / "variants.csv").terms}
    participation, status = terms["meaningful participation"], terms["migratory status"]
    assert participation.translations == {"fr": "participation effective", "es": "participación significativa"}
    assert participation.accepted_variants("fr") == ("participation significative", "participation véritable")
    assert participation.accepted_variants("es") == () and participation.avoided_variants("es") == ()
    assert status.accepted_variants("en") == ("immigration status",)
    assert status.avoided_variants("es") == ("estatus migratorio", "estatus")
    assert terms["regional review"].accepted == {} and terms["regional review"].avoid == {}


def test_the_real_glossary_reads_with_its_variants():
    glossary = read_glossary(REPOSITORY / "locales" / "glossary.csv")
    assert len(glossary.terms) >= 10 and all(term.translation("fr") or term.avoid for term in glossary.terms)
    terms = {term.english: term for term in glossary.terms}
    assert "Déclaration sur les progrès" in terms["Progress Declaration"].avoided_variants("fr")
    assert terms["local communities"].translation("fr") == "populations locales"
    assert "marcar la diferencia" in terms["make a difference"].avoided_variants("es")
    assert "estatus migratorio" in terms["migration status"].avoided_variants("es")
    assert "participation significative" in terms["meaningful participation"].accepted_variants("fr")


@pytest.mark.parametrize("bad", BAD_GLOSSARIES, ids=lambda p: p.stem)
def test_bad_glossary_is_refused_with_line_and_reason(bad: Path):
    line, message = bad.with_suffix(".err").read_text("utf-8").strip().split(": ", 1)
    with pytest.raises(GlossaryError) as raised:
        read_glossary(bad)
    assert (raised.value.path, raised.value.line) == (bad, int(line))
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize("bad", BAD_GLOSSARIES, ids=lambda p: p.stem)
def test_check_with_a_bad_glossary_gives_its_line_and_nothing_else(run, config, french, bad: Path):
    shutil.copyfile(bad, config.locales_dir / "glossary.csv")
    line = bad.with_suffix(".err").read_text("utf-8").split(":")[0]
    result = run("check")
    assert result.exit_code == 5 and result.stdout == ""
    assert result.stderr.startswith(f"Error: locales/glossary.csv:{line}: ")  # relative, as every output
    assert result.stderr.count("\n") == 1


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def checked(config):
    """Spanish catalogs translated as 'ES <English>' (no French spacing to get wrong), with two problems."""
    translate_catalogs(config, "es", prefixed("ES "))
    path = catalog_path(config, "es", "sample")
    catalog = read_catalog(path, language="es", domain="sample")
    error = next(m for m in catalog if m.id and "152" in m.id)
    warning = catalog["Third item."]
    error.string = error.string.replace("152", "125")
    warning.string = "ES Third item"  # end punctuation lost
    path.write_bytes(render_catalog(catalog))
    return config, error.lineno, warning.lineno


def test_check_exits_8_on_errors_and_lists_them_with_file_and_line(run, checked):
    config, error_line, warning_line = checked
    result = run("check", "--lang", "es")
    assert result.exit_code == 8
    lines = result.stdout.splitlines()
    assert f"locales/es/LC_MESSAGES/sample.po:{error_line}: error: the number 152 is missing from the translation " \
           "[numbers]" in lines
    assert any(line.startswith(f"locales/es/LC_MESSAGES/sample.po:{warning_line}: warning: ") and
               line.endswith("[punctuation]") for line in lines)
    assert lines[-1] == "2 errors, 1 warning"
    assert result.stderr == ""  # one summary line, on one stream


def test_check_json_has_stable_keys(run, checked):
    data = json.loads(run("check", "--format", "json", "--paper", "sample").stdout)
    assert (data["errors"], data["warnings"]) == (2, 1)
    assert all(set(row) == {"file", "line", "language", "paper", "check", "severity", "message"}
               for row in data["problems"])


def test_warnings_fail_only_with_strict(run, config):
    translate_catalogs(config, "es", prefixed("ES "))
    path = catalog_path(config, "es", "sample")
    path.write_text(path.read_text("utf-8").replace('msgstr "ES Third item."', 'msgstr "ES Third item"'), "utf-8")
    assert run("check").exit_code == 0
    result = run("check", "--strict")
    assert result.exit_code == 8 and result.stdout.endswith("0 errors, 1 warning (--strict: warnings fail too)\n")
    assert result.stderr == ""


def test_check_of_a_clean_project_passes(run, config):
    translate_catalogs(config, "es", prefixed("ES "))
    result = run("check", "--strict", "--lang", "es")
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 errors, 0 warnings\n"


def test_a_glossary_linked_from_outside_locales_is_refused_unread(run, project):
    assert run("extract").exit_code == 0 and run("update").exit_code == 0
    secret = project / "secret.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    (project / "locales" / "glossary.csv").symlink_to(secret)
    result = run("check")
    assert result.exit_code == 5
    assert "glossary.csv: links to a file outside locales/" in result.output and "root:" not in result.output
