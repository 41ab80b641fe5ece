"""The `library` command: thin wrappers that load the config, call one function, report."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import LibraryError

__all__ = ["main"]


class _Group(click.Group):
    """Turn library errors into `Error: ...` and their exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except LibraryError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            click.echo(f"Error: {where}{error.strerror or error}", err=True)
            sys.exit(1)


def _config(ctx: click.Context):
    from .config import find_config, load_config

    path = ctx.obj.get("config_path")
    return load_config(Path(path)) if path else load_config(find_config())


def _report(changes, root: Path) -> None:
    for verb, paths in (("wrote", changes.written), ("removed", changes.removed)):
        for path in paths:
            click.echo(f"{verb} {_shown(path, root)}")
    click.echo(f"{len(changes.written)} written, {len(changes.unchanged)} unchanged")


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


_lang_option = click.option(
    "--lang", "languages", multiple=True, metavar="L", help="Only this language (repeat for several)."
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="library")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="The setup.cfg to use (default: the nearest one with a [library] section).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Build, translate and check the Migration Justice briefing library."""
    ctx.obj = {"config_path": config_path}


@main.command()
@click.pass_context
def extract(ctx: click.Context) -> None:
    """Write locales/<paper>.pot for each paper, and locales/ui.pot."""
    from .catalogs import extract_catalogs

    config = _config(ctx)
    _report(extract_catalogs(config), config.root)


@main.command()
@_lang_option
@click.pass_context
def update(ctx: click.Context, languages: tuple[str, ...]) -> None:
    """Create or update the PO files from the POT files, keeping every translation."""
    from .catalogs import update_catalogs

    config = _config(ctx)
    _report(update_catalogs(config, languages or None), config.root)


@main.command(name="compile")
@_lang_option
@click.pass_context
def compile_(ctx: click.Context, languages: tuple[str, ...]) -> None:
    """Compile the PO files to MO files in the build folder (fuzzy entries left out)."""
    from .catalogs import compile_catalogs

    config = _config(ctx)
    _report(compile_catalogs(config, languages or None), config.root)


@main.group(invoke_without_command=True)
@click.pass_context
def build(ctx: click.Context) -> None:
    """Build the library; with no subcommand, everything: the MO files and the site."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(compile_)
        ctx.invoke(build_html)


@build.command(name="html")
@click.pass_context
def build_html(ctx: click.Context) -> None:
    """Render every paper in every language to build/html."""
    from .html import build_html as build_site
    from .html import site_folder

    config = _config(ctx)
    changes = build_site(config)
    click.echo(f"{_shown(site_folder(config), config.root)}: {len(changes.written)} written, "
               f"{len(changes.unchanged)} unchanged, {len(changes.removed)} removed")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the built site (run `library build html` first)."""
    from .html import SiteMap, site_folder
    from .web import serve as serve_site

    config = _config(ctx)
    site = site_folder(config)
    if not (site / SiteMap.home(config.source_language)).is_file():
        raise LibraryError(f"{_shown(site, config.root)}: no site built yet; run `library build html` first")
    click.echo(f"Serving {_shown(site, config.root)} on http://{host}:{port}/ (Ctrl+C to stop)")
    serve_site(config, host, port)
