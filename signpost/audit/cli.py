"""`flask audit prune`: delete audit events older than the retention period."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from signpost.audit.operations import prune_events
from signpost.extensions import db

audit_cli = AppGroup("audit", help="Look after the audit log.")


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_cli)


@audit_cli.command("prune")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep this many days instead of AUDIT_RETENTION_DAYS.",
)
def prune_command(days: int | None) -> None:
    """Delete events older than the retention period (the deletion is itself audited)."""
    deleted = prune_events(older_than_days=days)
    db.session.commit()  # a command owns its transaction
    click.echo(f"Deleted {deleted} audit event{'s' if deleted != 1 else ''}.")
