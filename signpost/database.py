"""Database engine settings that depend on the backend."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from signpost.extensions import db


def init_app(app: Flask) -> None:
    """Turn on SQLite foreign keys (and WAL when configured) for every new connection."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    use_wal = app.config["SQLITE_WAL"]
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if use_wal and ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or db.engine).dialect.name == "sqlite"


def refresh_planner_statistics(tables: Iterable[str]) -> None:
    """Bring PostgreSQL's planner statistics up to date after a bulk change (``ANALYZE``).

    Without them, the planner keeps guessing from the empty tables it last saw: after a large
    import it read whole tables to find a page of rows by id until autovacuum got round to
    them. SQLite's plans here do not depend on statistics, so this does nothing there.
    """
    names = sorted(set(tables))
    if not names or is_sqlite():
        return
    preparer = db.engine.dialect.identifier_preparer
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE " + ", ".join(preparer.quote(n) for n in names)))
        connection.commit()
