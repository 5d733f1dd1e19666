"""After an import, PostgreSQL's planner knows the new size of the tables the import wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from directory.import_cli import IMPORTED_TABLES, run_import
from signpost.database import is_sqlite
from signpost.extensions import db
from tests.oruk_helpers import STANDARDS


def _analyzed(table: str) -> Any:
    return db.session.execute(
        text(
            "SELECT greatest(last_analyze, last_autoanalyze) FROM pg_stat_user_tables "
            "WHERE relname = :name"
        ),
        {"name": table},
    ).scalar()


def test_an_import_refreshes_the_planner_statistics_of_the_tables_it_wrote(
    tmp_path: Path, app: Any
) -> None:
    if is_sqlite():
        pytest.skip("planner statistics are refreshed on PostgreSQL only")
    db.session.execute(text("SELECT pg_stat_clear_snapshot()"))
    before = {name: _analyzed(name) for name in ("service", "location", "index_outbox")}
    record = json.loads((STANDARDS / "oruk-3.0" / "examples" / "service_full.json").read_text())
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([record]))
    db.session.commit()

    assert run_import(path, "oruk-json").created == 1

    db.session.rollback()
    db.session.execute(text("SELECT pg_stat_clear_snapshot()"))
    for name, then in before.items():
        now = _analyzed(name)
        assert now is not None and (then is None or now > then), name
    assert {"service", "service_at_location", "address", "index_outbox"} <= set(IMPORTED_TABLES)
