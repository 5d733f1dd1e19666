"""``flask search rebuild | follow | status | prune``: look after the search index."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Look after the search index.")


def _app() -> Flask:
    """The real application object (the indexer keeps it beyond this context)."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index beside the live one and swap it in (searches keep working)."""
    from search_index.sync import rebuild

    started = time.perf_counter()
    written = rebuild(_app())
    elapsed = time.perf_counter() - started
    rate = written / elapsed if elapsed else 0.0
    click.echo(f"Indexed {written} services in {elapsed:.1f} s ({rate:.0f} a second).")


@search_cli.command("follow")
@click.option("--once", is_flag=True, help="Apply what is waiting, then stop.")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between checks.")
def follow_command(once: bool, interval: float) -> None:
    """Apply index changes from the outbox as they arrive (for extra web nodes)."""
    from search_index.sync import apply_pending

    app = _app()
    while True:
        applied = apply_pending(app, wait=True)
        if applied:
            click.echo(f"Applied {applied} change(s).")
        if once:
            return
        time.sleep(interval)


@search_cli.command("status")
def status_command() -> None:
    """Show documents in the index, the last change applied, and how far behind it is."""
    from search_index.schema import INDEX_FORMAT
    from search_index.sync import index_status, rebuild_message

    status = index_status(_app())
    click.echo(f"Index generation: {status.generation or '(none yet)'}")
    click.echo(f"Documents: {status.documents}")
    click.echo(f"Last change applied: {status.last_seq} (newest queued: {status.newest_seq})")
    click.echo(f"Waiting to apply: {status.lag}")
    click.echo(f"Index format: {status.format} (this version reads {INDEX_FORMAT})")
    if status.needs_rebuild:
        click.echo(f"Rebuild needed: {rebuild_message(status.format)}")


@search_cli.command("prune")
@click.option(
    "--keep-days",
    default=7,
    show_default=True,
    type=int,
    help="Keep applied changes this many days (for looking back at what changed).",
)
def prune_command(keep_days: int) -> None:
    """Delete index changes that have been applied and are older than --keep-days days."""
    from search_index.sync import prune_outbox

    if keep_days < 0:
        raise click.BadParameter("must be zero or more days.", param_hint="--keep-days")
    deleted = prune_outbox(_app(), keep_days=keep_days)
    click.echo(f"Deleted {deleted} applied change(s) older than {keep_days} day(s).")


def init_app(app: Flask) -> None:
    """Register `flask search` and the session events that fill the index outbox."""
    from search_index import events

    events.register()
    # Loaded with the app rather than by the first search, so a new worker's first answer
    # does not wait for the engine's imports or the synonym list (read once per process).
    import search_index.engine  # noqa: F401
    import search_index.links  # noqa: F401
    from search_index.query_text import synonym_table

    synonym_table()

    app.cli.add_command(search_cli)
