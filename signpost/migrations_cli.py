"""``flask db ...`` (Flask-Migrate), loaded only when a migration command runs.

Flask-Migrate imports Alembic, which imports every SQLAlchemy dialect: about 15 MB in each web
worker that never runs a migration. The command group and the ``migrate`` extension record are
registered here as stand-ins that load Flask-Migrate the first time they are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask

from signpost.extensions import db


class _LazyMigrateConfig:
    """``app.extensions["migrate"]``: Flask-Migrate's record, made on first use."""

    def __init__(self, directory: str) -> None:
        self._directory = directory
        self._config: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._config is None:
            from flask_migrate import Migrate, _MigrateConfig

            migrate = Migrate(db=db, directory=self._directory)
            self._config = _MigrateConfig(migrate, db)
        return getattr(self._config, name)


class _LazyDbGroup(click.Group):
    """The ``db`` command group: Flask-Migrate's own group, loaded when ``flask db`` runs."""

    @staticmethod
    def _group() -> click.Group:
        from flask_migrate.cli import db as group

        return group

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The context (options, callback, sub-commands) is the real group's from here on.
        return self._group().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._group().get_command(ctx, cmd_name)


def init_app(app: Flask, directory: Path) -> None:
    app.extensions["migrate"] = _LazyMigrateConfig(str(directory))
    app.cli.add_command(_LazyDbGroup("db", help="Perform database migrations."))
