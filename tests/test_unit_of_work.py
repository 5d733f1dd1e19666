"""One unit of work per request: operations flush, the request commits once, a failed operation
is rolled back in one place (its savepoint), a server error rolls everything back.

Rows are counted through a separate connection, so a test sees only what was really committed.
Every test runs on SQLite and on PostgreSQL (SIGNPOST_TEST_DATABASE_URL).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, abort
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from signpost.accounts.models import Team
from signpost.audit import AuditEvent, record_event
from signpost.extensions import db
from signpost.unit_of_work import operation, savepoint


class Refused(ValueError):
    """A domain error with a message for the user."""


@operation
def add_team(name: str, *, fail: bool = False) -> Team:
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()  # the row is written (inside the savepoint) before the failure
    if fail:
        raise Refused("That team cannot be added.")
    return team


@operation
def add_two_teams_second_refused(first: str, second: str) -> Team:
    kept = add_team(first)
    with contextlib.suppress(Refused):  # the inner one undid its own row; the outer carries on
        add_team(second, fail=True)
    return kept


def committed_teams() -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.scalars(select(Team.name).order_by(Team.name)))


def committed_actions() -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def commits(app: Flask) -> Iterator[list[Session]]:
    """Every commit of the application's session, in order."""
    seen: list[Session] = []

    def count(session: Session) -> None:
        if session is db.session() and not session.in_nested_transaction():  # not a RELEASE
            seen.append(session)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


@pytest.fixture
def routes(app: Flask) -> Flask:
    """A few throwaway views that read (with an audit event) and then call operations."""

    @app.get("/uow/ok")
    def ok() -> str:
        record_event("uow.read", actor_id=None)
        add_team("Kept")
        return "ok"

    @app.get("/uow/refused")
    def refused() -> tuple[str, int]:
        record_event("uow.read", actor_id=None)
        try:
            add_team("Refused", fail=True)
        except Refused as exc:
            return str(exc), 400
        return "not reached", 200

    @app.get("/uow/nested")
    def nested() -> str:
        add_two_teams_second_refused("Outer", "Inner")
        return "ok"

    @app.get("/uow/crash")
    def crash() -> str:
        record_event("uow.read", actor_id=None)
        add_team("Lost")
        raise RuntimeError("a bug")

    @app.get("/uow/not-found")
    def not_found() -> Any:
        record_event("uow.denied", actor_id=None)
        abort(404)

    @app.get("/uow/duplicate")
    def duplicate() -> str:
        db.session.add(Team(name="Twice"))
        db.session.add(Team(name="Twice"))  # the unique name fails only at commit
        return "ok"

    return app


def test_request_commits_its_reads_and_its_operation_once(routes, client, commits):
    assert client.get("/uow/ok").status_code == 200
    assert committed_teams() == ["Kept"]
    assert committed_actions() == ["uow.read"]
    assert len(commits) == 1


def test_failed_operation_is_rolled_back_and_the_rest_of_the_request_kept(routes, client, commits):
    response = client.get("/uow/refused")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "That team cannot be added."
    assert committed_teams() == []
    assert committed_actions() == ["uow.read"]
    assert len(commits) == 1


def test_an_inner_operation_that_fails_undoes_only_its_own_rows(routes, client):
    assert client.get("/uow/nested").status_code == 200
    assert committed_teams() == ["Outer"]


def test_server_error_rolls_back_everything(routes, client, commits):
    assert client.get("/uow/crash").status_code == 500
    assert committed_teams() == []
    assert committed_actions() == []
    assert commits == []
    assert db.session.scalar(select(func.count(Team.id))) == 0  # the session was rolled back too


def test_an_audited_refusal_answered_with_404_is_still_recorded(routes, client):
    assert client.get("/uow/not-found").status_code == 404
    assert committed_actions() == ["uow.denied"]


def test_a_commit_that_fails_answers_500_and_leaves_a_clean_session(routes, client):
    routes.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: tests re-raise by default
    assert client.get("/uow/duplicate").status_code == 500
    assert committed_teams() == []
    assert client.get("/uow/ok").status_code == 200  # the next request is unaffected
    assert committed_teams() == ["Kept"]


def test_savepoint_with_no_transaction_open_does_not_commit_on_release(app):
    """pysqlite would let RELEASE of a first SAVEPOINT commit; the savepoint opens one first."""
    db.session.commit()  # no transaction open now
    add_team("Not yet")
    assert committed_teams() == []
    db.session.rollback()
    assert committed_teams() == []
    add_team("Now")
    db.session.commit()
    assert committed_teams() == ["Now"]


def test_savepoint_after_earlier_writes_keeps_them_when_it_fails(app):
    record_event("before", actor_id=None)
    db.session.flush()
    with pytest.raises(Refused), savepoint():
        db.session.add(Team(name="Inside"))
        db.session.flush()
        raise Refused("no")
    db.session.commit()
    assert committed_actions() == ["before"]
    assert committed_teams() == []


def test_rolled_back_operation_leaves_objects_as_they_were(app, make_team):
    team = make_team("Original")

    @operation
    def rename_then_fail(target: Team) -> None:
        target.name = "Renamed"
        raise Refused("no")

    with pytest.raises(Refused):
        rename_then_fail(team)
    assert team.name == "Original"  # expired by the rollback and read again
    db.session.commit()
    assert committed_teams() == ["Original"]


def test_a_command_commits_at_its_own_boundary(app, runner):
    @app.cli.command("uow-add")
    def add_command() -> None:
        add_team("From a command")
        db.session.commit()  # a command owns its transaction

    result = runner.invoke(args=["uow-add"])
    assert result.exit_code == 0, result.output
    assert committed_teams() == ["From a command"]


def test_search_index_follows_the_request_commit_not_a_savepoint(app, client, make_service):
    """A service renamed inside an operation is found by its new name once the request ends."""
    from directory.models import Service
    from tests.search_helpers import find, ids

    service = make_service(name="Tuesday knit and natter")
    service_id = service.id

    @operation
    def rename(new_name: str) -> None:
        found = db.session.get(Service, service_id)
        found.name = new_name

    @app.post("/uow/rename")
    def rename_view() -> str:
        rename("Thursday crochet circle")
        return "ok"

    assert client.post("/uow/rename").status_code == 200
    assert ids(find(text="crochet")) == [service_id]
