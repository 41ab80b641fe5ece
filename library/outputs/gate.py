"""The gate, for every kind of document it publishes (PDF, EPUB): published, drafted, held back or withdrawn.

A paper is published in a language from the threshold on; below it, it is held back, or
rendered as a marked draft with --draft. A language's volume holds the papers that pass and is
held back only when none does. With volume_size in setup.cfg, the series is cut into volumes of
that many papers (series_volumes), each judged, named and published as the one volume is. What
is no longer published is withdrawn, and the manifest of the kind says what was published, so
the site links exactly that. The PDF and EPUB stages plan through here, each with its own paths,
inputs and manifest, so the two can never disagree.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from library.core.config import Config
from library.core.paths import UI_DOMAIN, VOLUME, anchor_record_path, catalog_path, is_volume, volume_slug
from library.model.manifest import DamagedManifest, Entry, Kind, Verdict, read_manifest
from library.model.project import Project
from library.model.translation import Figure, percent_label
from library.sources.interface import VOLUME_LABEL, VOLUME_LABEL_ONE

__all__ = ["Job", "Refusal", "Withdrawal", "Plan", "Report", "Volume", "series_volumes", "volume_named", "volume_label",
           "plan_documents", "previous_entries", "retire",
           "source_files", "image_files"]

_LOG = logging.getLogger(__name__)

# Where a kind's file of a paper (or VOLUME) in a language goes: (language, slug, draft) -> path.
PathOf = Callable[[str, str, bool], Path]


@dataclass(frozen=True)
class Job:
    """One document to render: a paper (slug) or the volume, in one language."""

    language: str
    slug: str  # a paper's slug, or a volume's (paths.volume_slug)
    output: Path
    percent: float  # the figure the gate judged
    draft: bool  # below the threshold, rendered with --draft: marked
    inputs: str  # hash of everything the document is made from
    omitted: tuple[str, ...] = ()  # a volume's papers held back by the gate

    @property
    def entry(self) -> Entry:
        verdict: Verdict = "draft" if self.draft else "published"
        return Entry(self.language, self.slug, verdict, self.percent, self.inputs, omitted=list(self.omitted))


@dataclass(frozen=True)
class Refusal:
    """A paper and language below the publication threshold, not rendered."""

    language: str
    slug: str
    percent: float
    threshold: float
    inputs: str = ""
    omitted: tuple[str, ...] = ()  # for a volume: every paper, since none passes

    def __str__(self) -> str:
        return f"{self.language}/{self.slug}: {self.why}"

    @property
    def why(self) -> str:
        threshold = percent_label(self.threshold)
        if is_volume(self.slug):
            series = percent_label(self.percent)
            return f"no paper is translated up to the threshold of {threshold} yet (the series: {series})"
        return f"{percent_label(self.percent)} translated, below the threshold of {threshold}"

    @property
    def entry(self) -> Entry:
        return Entry(self.language, self.slug, "refused", self.percent, self.inputs, omitted=list(self.omitted))


@dataclass(frozen=True)
class Withdrawal:
    """A file deleted because it is no longer published, and why."""

    path: Path
    reason: str


@dataclass
class Report:
    """What a stage's build did: written, left as they were, refused by the gate, withdrawn."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    withdrawn: list[Withdrawal] = field(default_factory=list)


@dataclass
class Plan:
    """Every document asked for: those to render, those already up to date, and those refused."""

    pending: list[Job] = field(default_factory=list)
    current: list[Job] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    complete: bool = True  # every paper of the chosen languages, so entries of others can go
    every_language: bool = True  # every configured language, so entries of removed ones can go

    @property
    def jobs(self) -> list[Job]:
        return [*self.pending, *self.current]


# The volumes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """One volume of the series: the whole of it (number None), or its part number of volume_size papers."""

    slug: str  # its files' name (paths.volume_slug)
    number: int | None
    papers: tuple[str, ...]  # its papers' slugs, in series order; the series page opens every volume
    first: int = 0  # the number of its first paper in the series, and of its last
    last: int = 0


def series_volumes(project: Project) -> tuple[Volume, ...]:
    """The volumes of the series: one, or with volume_size, consecutive parts of that many papers."""
    order, size = project.series_order, project.config.volume_size
    if size is None:
        return (Volume(VOLUME, None, tuple(slug for slug, _ in order)),)
    parts = [order[start:start + size] for start in range(0, len(order), size)]
    return tuple(Volume(volume_slug(number), number, tuple(slug for slug, _ in part), part[0][1], part[-1][1])
                 for number, part in enumerate(parts, start=1))


def volume_named(project: Project, slug: str) -> Volume:
    """The volume whose files are named slug."""
    return next(volume for volume in series_volumes(project) if volume.slug == slug)


def volume_label(volume: Volume, gettext: Callable[[str], str]) -> str:
    """'Volume 2: papers 21–40' in gettext's language; "" for the one volume of the whole series."""
    if volume.number is None:
        return ""
    message = VOLUME_LABEL_ONE if volume.first == volume.last else VOLUME_LABEL
    return gettext(message) % {"number": volume.number, "first": volume.first, "last": volume.last}


# Planning -------------------------------------------------------------------------------------


def previous_entries(config: Config, kind: Kind, whole: bool) -> dict[str, Entry]:
    """The last build's manifest; a damaged one is rewritten from scratch by a whole build, refused by a partial one."""
    try:
        return read_manifest(config, kind)
    except DamagedManifest as error:
        if not whole:
            raise  # rewriting it with some files only would unpublish the rest
        _LOG.warning("%s; every %s is rendered again", str(error).split("; run")[0], kind.upper())
        return {}


def plan_documents(project: Project, kind: Kind, path: PathOf, inputs: Callable[[str, str], str],
                   languages: tuple[str, ...] = (), slugs: tuple[str, ...] = (), draft: bool = False) -> Plan:
    """The documents asked for (volumes only when no paper is named), judged by the gate.

    inputs(language, slug) hashes what one document is made from. A document whose inputs hash
    as at the last build keeps that build's figure, so a build with nothing changed reads no
    catalog; only changed ones ask the project for theirs.
    """
    chosen = project.select_languages(languages)
    volumes = {} if slugs else {volume.slug: volume for volume in series_volumes(project)}
    names = project.select_papers(slugs) if slugs else (*project.source_slugs, *volumes)
    previous = previous_entries(project.config, kind, whole=not slugs and not languages)
    plan = Plan(complete=not slugs, every_language=not languages)
    for language in chosen:
        percents: dict[str, float] = {}  # the papers' figures, which the volume is judged from
        for slug in names:
            hashed = inputs(language, slug)
            before = previous.get(f"{language}/{slug}")
            cached = before if before and before.inputs == hashed else None
            if slug in volumes:
                _plan_volume(project, plan, path, language, volumes[slug], percents, hashed, draft, before, cached)
                continue
            percents[slug] = cached.percent if cached else project.figure(slug, language).percent
            below = _below(project, language, percents[slug])
            if below and not draft:
                plan.refused.append(Refusal(language, slug, percents[slug], project.config.threshold, hashed))
            else:
                job = Job(language, slug, path(language, slug, below), percents[slug], below, hashed)
                _add_job(plan, job, before)
    return plan


def _below(project: Project, language: str, percent: float) -> bool:
    return language != project.config.source_language and percent < project.config.threshold


def _plan_volume(project: Project, plan: Plan, path: PathOf, language: str, volume: Volume,
                 percents: dict[str, float], inputs: str, draft: bool, before: Entry | None,
                 cached: Entry | None) -> None:
    """Plan a language's volume: the series with every paper of it the gate publishes, refused if none.

    With --draft it holds every paper, and is a marked draft when one of them is below the threshold.
    """
    config, slug = project.config, volume.slug
    papers = volume.papers
    held_back = tuple(paper for paper in papers if _below(project, language, percents[paper]))
    omitted = () if draft else held_back
    refused = bool(held_back) and len(held_back) == len(papers) and not draft
    # The figure of what the volume holds; of its whole series (or part) for a refused one, which holds nothing.
    members = (project.series_slug, *papers)
    counted = members if refused else tuple(paper for paper in members if paper not in omitted)
    if cached and tuple(cached.omitted) == omitted:
        percent = cached.percent
    else:
        percent = sum((project.figure(slug, language) for slug in counted), Figure()).percent
    if refused:
        plan.refused.append(Refusal(language, slug, percent, config.threshold, inputs, omitted))
        return
    marked = bool(held_back) and draft
    job = Job(language, slug, path(language, slug, marked), percent, marked, inputs, omitted)
    _add_job(plan, job, before)


def _add_job(plan: Plan, job: Job, before: Entry | None) -> None:
    """Keep job as it is when its file was made from the same inputs with the same verdict."""
    same = before is not None and before.inputs == job.inputs and before.verdict == job.entry.verdict
    (plan.current if same and job.output.is_file() else plan.pending).append(job)


def source_files(project: Project, language: str, slug: str, images: list[Path] | None = None) -> list[Path]:
    """The project's files one document of a paper (or the volume) is made from: sources, ids, catalogs, images.

    images, from image_files once per plan, spares a walk of papers/ per document.
    """
    config = project.config
    if slug == VOLUME:
        domains = project.source_slugs
    elif is_volume(slug):
        domains = (*volume_named(project, slug).papers, project.series_slug)
    else:
        domains = (slug, project.series_slug)
    files = [config.papers_dir / f"{domain}.md" for domain in domains]
    files += [anchor_record_path(config, domain) for domain in domains]  # the ids of the anchor -> page map
    if language != config.source_language:
        files += [catalog_path(config, language, domain) for domain in (*domains, UI_DOMAIN)]
    return files + (image_files(config) if images is None else images)


def image_files(config: Config) -> list[Path]:
    """The papers' images, which every document may show."""
    return sorted(path for path in config.papers_dir.rglob("images/*") if path.is_file())  # no pipe is read


# Withdrawing ----------------------------------------------------------------------------------


def retire(config: Config, kind: Kind, plan: Plan, entries: dict[str, Entry], path: PathOf) -> list[Withdrawal]:
    """Record the refusals in entries, delete the files the plan no longer publishes, and say why.

    Refused files go, and for a whole build those of removed papers (and, when every language
    was built, of removed languages). Files the manifest never listed are left alone.
    """
    withdrawn, reasons = [], {}
    for refusal in plan.refused:
        entries[f"{refusal.language}/{refusal.slug}"] = refusal.entry
        reasons[f"{refusal.language}/{refusal.slug}"] = f"held back: {refusal.why}"
    planned = {f"{job.language}/{job.slug}" for job in plan.jobs} | set(reasons)
    languages = {key.split("/")[0] for key in planned}
    for key, entry in list(entries.items()):
        if key in planned:
            continue
        if plan.complete and entry.language in languages:
            reasons[key] = _CUT_ANEW if is_volume(entry.slug) else "its paper was removed"
        elif plan.every_language and entry.language not in config.all_languages:
            reasons[key] = "its language was removed from setup.cfg"
        else:
            continue
        del entries[key]
    for key in {*entries, *reasons}:
        language, slug = key.split("/")
        for draft in (False, True):
            kept = key in entries and entries[key].verdict == ("draft" if draft else "published")
            file = path(language, slug, draft)
            if not kept and file.is_file():
                file.unlink()
                withdrawn.append(Withdrawal(file, reasons.get(key) or _replaced(kind, draft)))
    return sorted(withdrawn, key=lambda w: w.path)


_CUT_ANEW = "the series is cut into other volumes (volume_size in setup.cfg, or papers added or removed)"


def _replaced(kind: Kind, draft: bool) -> str:
    return f"replaced by the published {kind.upper()}" if draft else "replaced by a marked draft"
