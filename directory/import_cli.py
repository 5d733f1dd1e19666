"""``flask directory import PATH --format ...`` and ``flask directory export PATH --format ...``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from directory.importers.common import ImportRun, ImportSummary, RecordRejected
from directory.models import Service
from signpost.database import refresh_planner_statistics
from signpost.extensions import db

directory_cli = AppGroup("directory", help="Exchange directory data in Open Referral UK formats.")

IMPORT_FORMATS = ("oruk-json", "hsds-csv", "uk-libraries")
# Rebuild the search index instead of applying the outbox when an import changed at least this
# many services and at least 1/REBUILD_SHARE of the public ones.
REBUILD_FROM = 500
REBUILD_SHARE = 4
# What an import writes: the directory's tables and the search index outbox.
IMPORTED_TABLES = (
    "organization",
    "service",
    "service_taxonomy_term",
    "service_delivery_mode",
    "location",
    "address",
    "service_at_location",
    "schedule",
    "service_area",
    "cost_option",
    "language",
    "accessibility",
    "contact",
    "phone",
    "funding",
    "taxonomy",
    "taxonomy_term",
    "index_outbox",
)


def run_import(
    path: Path,
    fmt: str,
    *,
    dry_run: bool = False,
    source: str | None = None,
    show_progress: bool = False,
) -> ImportSummary:
    """Import a file (or CSV folder) in one of IMPORT_FORMATS; returns the summary."""
    from directory.importers import batch, hsds_csv, oruk_json, uk_libraries

    if fmt == "oruk-json":
        saver = batch.BatchSaver(source or "oruk-json")
        records, total = oruk_json.read_records(path), None
    elif fmt == "hsds-csv":
        saver = batch.BatchSaver(source or "hsds-csv")
        records, total = hsds_csv.read_package(path, saver), None
    else:
        saver = uk_libraries.LibrarySaver(source or uk_libraries.SOURCE)
        records, total = uk_libraries.read_libraries(path, saver), uk_libraries.count_rows(path)
    # Index once at the end rather than after every batch: far fewer index commits.
    inline = current_app.config.get("SEARCH_APPLY_INLINE", True)
    current_app.config["SEARCH_APPLY_INLINE"] = False
    try:
        if not show_progress:
            summary = ImportRun(
                saver.save,
                dry_run=dry_run,
                reset=saver.reset,
                after_flush=saver.after_flush,
                save_batch=saver.save_batch,
            ).run(records)
        else:
            with click.progressbar(length=total or 0, label="Importing", show_pos=True) as bar:
                run = ImportRun(
                    saver.save,
                    dry_run=dry_run,
                    reset=saver.reset,
                    after_flush=saver.after_flush,
                    save_batch=saver.save_batch,
                    progress=bar.update,
                )
                summary = run.run(records)
    finally:
        current_app.config["SEARCH_APPLY_INLINE"] = inline
    if not dry_run and summary.created + summary.updated:
        refresh_planner_statistics(IMPORTED_TABLES)
    if inline and not dry_run:
        follow_index(summary.created + summary.updated)
    return summary


def follow_index(changed: int) -> None:
    """Bring the search index up to date after an import that changed `changed` services.

    Applying outbox rows updates documents one at a time; when the import touched a large part
    of the directory, building a fresh index (swapped in atomically) is several times quicker.
    """
    from directory.operations import public_services_filter
    from search_index.sync import apply_pending, rebuild

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    public = db.session.scalar(select(func.count(Service.id)).where(public_services_filter()))
    db.session.commit()  # end the read transaction before indexing
    if changed >= REBUILD_FROM and changed * REBUILD_SHARE >= (public or 0):
        rebuild(app)
    else:
        apply_pending(app, wait=True)


@directory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    required=True,
    help="oruk-json: a JSON list of full services or a saved API page; hsds-csv: a "
    "folder of HSDS 3.0 CSV files; uk-libraries: the UK public libraries CSV.",
)
@click.option("--dry-run", is_flag=True, help="Check and count everything, save nothing.")
@click.option(
    "--source",
    help="Name of the feed (default: the format). Re-importing the same "
    "feed updates its records instead of adding them again.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    help="Where to write rejected records and why (default: "
    "import-rejected.csv in the current folder).",
)
def import_command(
    path: Path, fmt: str, dry_run: bool, source: str | None, report: Path | None
) -> None:
    """Import services from PATH. Safe to run again: records are matched by their source id."""
    try:
        summary = run_import(path, fmt, dry_run=dry_run, source=source, show_progress=True)
    except RecordRejected as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(summary))
    if summary.rejections:
        report = report or Path("import-rejected.csv")
        summary.write_report(report)
        click.echo(f"{summary.rejected} records were rejected; the reasons are in {report}.")


@directory_cli.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("oruk-json", "csv")),
    required=True,
    help="oruk-json: a JSON list of full service records; csv: a folder of HSDS 3.0 CSV files.",
)
def export_command(path: Path, fmt: str) -> None:
    """Export every public (approved, active) service to PATH."""
    from directory import exporters

    total = exporters.count_public_services()
    with click.progressbar(length=total, label="Exporting", show_pos=True) as bar:
        if fmt == "oruk-json":
            count = exporters.export_oruk_json(path, progress=bar.update)
        else:
            count = exporters.export_csv(path, progress=bar.update)
    click.echo(f"Exported {count} services to {path}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(directory_cli)
