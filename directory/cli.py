"""Directory commands: ``flask seed-demo``."""

from __future__ import annotations

import click
from flask import Flask


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the database (if needed) and load the demo area. Safe to run again."""
    from flask_migrate import upgrade  # here, so web workers never load Alembic

    from directory.demo import seed_demo
    from signpost.extensions import db

    upgrade()
    summary = seed_demo()
    db.session.commit()  # a command owns its transaction
    click.echo(summary)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    from directory import import_cli  # flask directory import|export

    import_cli.init_app(app)
