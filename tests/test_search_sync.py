"""Keeping the index in step: the outbox, inline applying, follow, rebuild, status, crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from directory.models import Schedule, ServiceStatus
from search_index.models import IndexOutbox
from search_index.store import IndexStore, close_cached_searchers
from search_index.sync import apply_pending, index_status, rebuild
from signpost.extensions import db
from signpost.types import utcnow
from tests.search_helpers import find, ids

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


def outbox() -> list[tuple[str, str]]:
    return [
        (r.service_id, r.op)
        for r in db.session.scalars(select(IndexOutbox).order_by(IndexOutbox.seq))
    ]


def test_every_kind_of_change_queues_its_service(make_service, make_taxonomy_term, make_location):
    parent = make_taxonomy_term("Food")
    term = make_taxonomy_term("Lunch clubs", parent=parent)
    loc = make_location()
    service = make_service(name="Lunch", terms=[term], locations=[loc])
    other = make_service(name="Other")
    db.session.execute(IndexOutbox.__table__.delete())
    db.session.commit()

    def queued_after(change) -> set[str]:  # noqa: ANN001
        db.session.execute(IndexOutbox.__table__.delete())
        db.session.commit()
        change()
        db.session.commit()
        return {sid for sid, _ in outbox()}

    assert queued_after(lambda: setattr(service, "description", "New")) == {service.id}
    assert queued_after(
        lambda: service.schedules.append(Schedule(weekday=2, opens_at=time(9), closes_at=time(10)))
    ) == {service.id}
    assert queued_after(lambda: setattr(loc, "name", "New hall")) == {service.id}
    assert queued_after(lambda: setattr(loc.addresses[0], "city", "Downham")) == {service.id}
    assert queued_after(lambda: setattr(service.organization, "name", "Renamed")) == {service.id}
    assert queued_after(lambda: setattr(parent, "name", "Meals")) == {service.id}
    assert queued_after(lambda: service.taxonomy_terms.remove(term)) == {service.id}
    assert queued_after(lambda: setattr(other.organization, "website", "x")) == set()
    assert queued_after(lambda: db.session.delete(other)) == {other.id}
    assert outbox() == [(other.id, "delete")]


def test_rolled_back_changes_queue_nothing(make_service):
    service = make_service(name="Lunch")
    db.session.execute(IndexOutbox.__table__.delete())
    db.session.commit()
    service.name = "Changed"
    db.session.flush()
    db.session.rollback()
    assert outbox() == []


def test_edits_are_searchable_straight_after_commit(make_service):
    service = make_service(name="Lunch club")
    assert ids(find(text="lunch")) == [service.id]
    service.name = "Breakfast club"
    db.session.commit()
    assert ids(find(text="lunch")) == []
    assert ids(find(text="breakfast")) == [service.id]
    service.status = ServiceStatus.INACTIVE
    db.session.commit()
    assert ids(find(text="breakfast")) == []
    service.status = ServiceStatus.ACTIVE
    db.session.commit()
    db.session.delete(service)
    db.session.commit()
    assert ids(find(text="breakfast")) == []
    assert index_status(current_app).lag == 0


class TestNotInline:
    @pytest.fixture
    def app_config(self):  # noqa: ANN201
        return {"SEARCH_APPLY_INLINE": False}

    def test_follow_once_applies_what_is_waiting(self, make_service, runner, app):
        service = make_service(name="Lunch club")
        assert find(text="lunch").total == 0
        status = runner.invoke(args=["search", "status"])
        assert "Waiting to apply: " in status.output and "Waiting to apply: 0" not in status.output
        result = runner.invoke(args=["search", "follow", "--once"])
        assert result.exit_code == 0, result.output
        assert ids(find(text="lunch")) == [service.id]
        status = runner.invoke(args=["search", "status"])
        assert "Documents: 1" in status.output and "Waiting to apply: 0" in status.output

    def test_a_held_write_lock_leaves_rows_for_the_holder(self, make_service, app):
        make_service(name="Lunch club")
        ix = IndexStore(app.config["SEARCH_INDEX_DIR"]).open()
        writer = ix.writer()
        try:
            assert apply_pending(app) == 0  # does not wait
            assert index_status(app).lag == 1
        finally:
            writer.cancel()
        assert apply_pending(app) == 1
        assert index_status(app).lag == 0

    def test_rebuild_swaps_in_a_new_generation(self, make_service, runner, app):
        services = {make_service(name=f"Club {n}").id for n in range(3)}
        store = IndexStore(app.config["SEARCH_INDEX_DIR"])
        store.open()
        before = store.current_name()
        result = runner.invoke(args=["search", "rebuild"])
        assert result.exit_code == 0 and "Indexed 3 services" in result.output
        assert store.current_name() != before
        assert set(ids(find(text="club"))) == services
        assert index_status(app).lag == 0
        assert rebuild(app) == 3


def test_a_killed_indexer_loses_nothing_and_the_next_start_catches_up(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    index_dir = str(tmp_path / "index")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "tests.search_crash_worker", db_url, index_dir]
    subprocess.run([*cmd, "seed"], check=True, cwd=REPO, env=env, timeout=120)
    proc = subprocess.Popen([*cmd, "apply"], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "batch"
        assert proc.stdout.readline().strip() == "batch"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    from signpost import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SEARCH_INDEX_DIR": index_dir,
        }
    )
    with app.app_context():
        status = index_status(app)
        assert 0 < status.last_seq < 60 and status.lag > 0  # killed mid-way
        apply_pending(app, wait=True)
        status = index_status(app)
        assert (status.documents, status.last_seq, status.lag) == (60, 60, 0)
        result = find(text="crash club", per_page=100)
        assert result.total == 60
        close_cached_searchers()
        db.engine.dispose()


class TestPrune:
    @pytest.fixture
    def app_config(self):  # noqa: ANN201
        return {"SEARCH_APPLY_INLINE": False}

    def _age_all(self, days: float) -> None:
        db.session.execute(
            IndexOutbox.__table__.update().values(created_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()

    def test_prune_deletes_only_applied_rows_older_than_the_limit(self, make_service, runner, app):
        first = make_service(name="Lunch club")
        assert apply_pending(app, wait=True) >= 1
        self._age_all(10)
        applied = list(db.session.scalars(select(IndexOutbox.seq)))
        make_service(name="Walking group")  # queued, not applied yet
        waiting = set(db.session.scalars(select(IndexOutbox.seq))) - set(applied)
        db.session.execute(
            IndexOutbox.__table__.update()
            .where(IndexOutbox.seq.in_(waiting))
            .values(created_at=utcnow() - timedelta(days=30))
        )
        db.session.commit()
        result = runner.invoke(args=["search", "prune", "--keep-days", "7"])
        assert result.exit_code == 0, result.output
        assert f"Deleted {len(applied)} applied change(s)" in result.output
        db.session.expire_all()
        assert set(db.session.scalars(select(IndexOutbox.seq))) == waiting
        assert index_status(app).lag == len(waiting)  # unapplied rows survive, whatever their age
        assert apply_pending(app, wait=True) == len(waiting)
        assert find(text="walking").total == 1 and ids(find(text="lunch")) == [first.id]

    def test_prune_keeps_recent_applied_rows(self, make_service, runner, app):
        make_service(name="Lunch club")
        apply_pending(app, wait=True)
        self._age_all(3)
        result = runner.invoke(args=["search", "prune", "--keep-days", "7"])
        assert result.exit_code == 0 and "Deleted 0 applied change(s)" in result.output
        assert db.session.scalar(select(func.count()).select_from(IndexOutbox)) >= 1
        result = runner.invoke(args=["search", "prune", "--keep-days", "0"])
        assert result.exit_code == 0 and "Deleted 0 applied" not in result.output
        assert db.session.scalar(select(func.count()).select_from(IndexOutbox)) == 0

    def test_a_negative_number_of_days_is_refused_and_deletes_nothing(
        self, make_service, runner, app
    ):
        make_service(name="Lunch club")
        apply_pending(app, wait=True)
        self._age_all(100)
        before = db.session.scalar(select(func.count()).select_from(IndexOutbox))
        result = runner.invoke(args=["search", "prune", "--keep-days", "-1"])
        assert result.exit_code != 0
        assert "must be zero or more days" in result.output
        assert db.session.scalar(select(func.count()).select_from(IndexOutbox)) == before
        result = runner.invoke(args=["search", "prune", "--keep-days", "soon"])
        assert result.exit_code != 0 and "not a valid integer" in result.output
        assert db.session.scalar(select(func.count()).select_from(IndexOutbox)) == before
