"""`flask prescribing ...`: the morning follow-up reminders."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from signpost.dates import today
from signpost.extensions import db

group = AppGroup("prescribing", help="Social prescribing jobs.")


@group.command("remind")
@click.option(
    "--on", "on", default=None, help="The local date to remind for (YYYY-MM-DD); default today."
)
def remind(on: str | None) -> None:
    """Queue reminder messages to coordinators for follow-ups falling due (run each morning).

    Safe to run more than once: a follow-up is reminded only once.
    """
    from prescribing.operations.followups import send_reminders

    try:
        day = date.fromisoformat(on) if on else today()
    except ValueError:
        raise click.BadParameter(
            "Give the date as YYYY-MM-DD, for example 2026-03-30.", param_hint="--on"
        ) from None
    count = send_reminders(day)
    db.session.commit()  # a command owns its transaction
    click.echo(f"Queued reminders for {count} follow-up{'s' if count != 1 else ''} due by {day}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
