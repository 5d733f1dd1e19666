"""Geo commands: ``flask import-postcodes``, ``flask import-places``, ``flask where``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import click
from flask import Flask

from search_index.geo import PlaceNotFound, resolve_place
from search_index.geo_import import GeoImportError, ImportReport, import_postcodes, total_bytes
from search_index.geo_places_import import import_places

_paths = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, readable=True)
)


@contextmanager
def _progress(paths: Sequence[str], label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over the files' bytes (shown only on a terminal)."""
    with click.progressbar(
        length=total_bytes(paths),
        label=label,
        file=sys.stderr,
        show_eta=True,
        show_percent=True,
        hidden=not sys.stderr.isatty(),
    ) as bar:
        yield bar.update


def _run(
    work: Callable[[Callable[[int], None]], ImportReport], paths: Sequence[str], label: str
) -> None:
    try:
        with _progress(paths, label) as progress:
            report = work(progress)
    except GeoImportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(report))


@click.command("import-postcodes")
@_paths
@click.option(
    "--replace", is_flag=True, help="Empty the postcode table first (a full national refresh)."
)
@click.option("--strict", is_flag=True, help="Refuse the whole import if any row has a problem.")
def import_postcodes_command(paths: tuple[str, ...], replace: bool, strict: bool) -> None:
    """Load postcode centres from ONSPD or Code-Point Open CSV files (plain or .gz)."""
    _run(
        lambda progress: import_postcodes(paths, replace=replace, strict=strict, progress=progress),
        paths,
        "Importing postcodes",
    )


@click.command("import-places")
@_paths
def import_places_command(paths: tuple[str, ...]) -> None:
    """Load place names (GeoNames CSV, OS Open Names TSV) or an outcode gazetteer CSV."""
    _run(lambda progress: import_places(paths, progress=progress), paths, "Importing places")


@click.command("where")
@click.argument("text", nargs=-1, required=True)
def where_command(text: tuple[str, ...]) -> None:
    """Show the point a postcode, outcode or place name resolves to."""
    try:
        place = resolve_place(" ".join(text))
    except PlaceNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{place.label} ({place.kind}): {place.latitude:.5f}, {place.longitude:.5f}"
        f"{', outcode ' + place.outcode if place.outcode else ''}"
    )
    if place.note:
        click.echo(place.note)


def init_app(app: Flask) -> None:
    for command in (import_postcodes_command, import_places_command, where_command):
        app.cli.add_command(command)
