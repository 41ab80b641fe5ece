"""veraPDF judges the PDFs: every PDF of the real library conforms to PDF/UA-1."""
from __future__ import annotations

from pathlib import Path

import pytest
from projects import partly_french
from pypdf import PdfWriter

from library.core.paths import VOLUME
from library.model.project import Project
from library.outputs.pdf.conformance import ValidatorMissing, validate_pdfs, validator_command
from library.outputs.pdf.plan import build_pdfs, plan_pdfs
from library.outputs.pdf.typeset import PDF_PROFILE, job_html, render_job


@pytest.fixture(scope="module")
def real_pdfs(real_library) -> list[Path]:
    """Every PDF of the real library, rendered in the shared build of its site."""
    project = Project(real_library)
    report = build_pdfs(project)
    assert not report.refused
    pdfs = sorted([*report.written, *report.unchanged])
    assert len(pdfs) == len(real_library.all_languages) * (len(project.source_slugs) + 1)  # and a volume each
    return pdfs


@pytest.mark.java
def test_every_pdf_of_the_real_library_conforms_to_pdf_ua_1(real_pdfs):
    failures = _failures(validate_pdfs(real_pdfs, PDF_PROFILE))
    assert not failures, "\n".join(failures)


def _failures(found: dict[Path, list]) -> list[str]:
    return [f"{path.parent.name}/{path.name}: rule {failure.rule}: {failure.message} "
            f"({failure.count}x, first at {failure.where})" for path, failures in found.items() for failure in failures]


@pytest.mark.java
def test_the_volumes_of_the_real_library_as_pdf_ua_2_conform_to_it_too(real_library, tmp_path):
    project = Project(real_library)
    volumes = []
    for job in plan_pdfs(project).jobs:
        if job.slug == VOLUME:  # each volume holds every paper and the series page of its language
            data, _ = render_job(real_library, job, job_html(project, job), variant="pdf/ua-2")
            volumes.append(tmp_path / f"{job.language}.pdf")
            volumes[-1].write_bytes(data)
    assert len(volumes) == len(real_library.all_languages)
    failures = _failures(validate_pdfs(volumes, "ua2"))
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory) -> dict[str, Path]:
    """The French sample paper, partly translated (English passages, lists, a quote, a table, an
    image, code), as pdf/ua-1 and as pdf/ua-2, by profile."""
    folder = tmp_path_factory.mktemp("sample")
    config = partly_french(folder, {"A sample paper: every kind of block", "Why this paper", "A list"})
    project = Project(config)
    job = plan_pdfs(project, ("fr",), ("sample",)).jobs[0]
    paths = {}
    for variant, profile in (("pdf/ua-1", "ua1"), ("pdf/ua-2", "ua2")):
        paths[profile] = folder / f"{profile}.pdf"
        paths[profile].write_bytes(render_job(config, job, job_html(project, job), variant=variant)[0])
    return paths


@pytest.mark.java
@pytest.mark.parametrize("profile", ["ua1", "ua2"])
def test_a_partly_translated_paper_with_every_kind_of_block_conforms(sample_pdfs, profile):
    failures = _failures(validate_pdfs([sample_pdfs[profile]], profile))
    assert not failures, "\n".join(failures)


@pytest.mark.java
def test_the_validator_names_the_rules_a_pdf_fails(tmp_path):
    untagged = tmp_path / "untagged.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(untagged)
    failures = validate_pdfs([untagged], "ua1")[untagged]
    messages = {failure.rule: failure.message for failure in failures}
    assert "structure hierarchy rooted in the StructTreeRoot" in messages["7.1-11"]  # untagged
    assert "DisplayDocTitle" in messages["7.1-10"]
    assert all(failure.count == 1 for failure in failures)


@pytest.mark.java
def test_build_pdf_validate_reports_each_failed_rule_and_exits_8(run, project, monkeypatch):
    from weasyprint.pdf import tags

    import library.outputs.pdf.typeset as typeset

    assert "conform to PDF/UA-1" in run("build", "pdf", "--lang", "en", "--paper", "sample", "--validate").output
    # Without the repairs to WeasyPrint's tagging, a list item holds its paragraph directly.
    monkeypatch.setattr(typeset, "repair_weasyprint_tagging", lambda: None)
    monkeypatch.setattr(tags, "_build_box_tree", getattr(tags._build_box_tree, "original", tags._build_box_tree))
    result = run("build", "pdf", "--lang", "fr", "--paper", "sample", "--draft", "--validate")
    assert result.exit_code == 8
    assert "build/pdf-draft/fr/sample.pdf: rule 7.2-20: LI element may contain only Lbl and LBody elements (" in \
        result.output
    assert "Error: 1 PDF of 1 fails PDF/UA-1 (veraPDF)" in result.output


def test_without_a_jdk_the_validator_says_what_to_install(run, monkeypatch, tmp_path):
    (tmp_path / "java").write_text("#!/bin/sh\n", "utf-8")
    (tmp_path / "java").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))  # a Java runtime, no javac
    with pytest.raises(ValidatorMissing, match=r"this machine has only a Java runtime: `bash scripts/setup.sh"):
        validator_command()
    result = run("build", "pdf", "--lang", "en", "--paper", "sample", "--validate")
    assert result.exit_code == 1
    assert result.output.endswith("Error: veraPDF needs a JDK 11 or newer (java and javac on PATH), and this machine "
                                  "has only a Java runtime: `bash scripts/setup.sh --tests` installs it "
                                  "(Debian: default-jdk-headless)\n")
