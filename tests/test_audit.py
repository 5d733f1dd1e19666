"""The audit log: events are saved with their change, cannot be altered, and are pruned by policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update

from signpost.audit import AuditEvent, AuditLogImmutable, record_event
from signpost.audit.models import POSTGRES_APPEND_ONLY_SQL
from signpost.audit.operations import prune_events
from signpost.extensions import db
from signpost.types import utcnow


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_event_is_saved_with_who_what_which_record_and_when(app):
    before = utcnow()
    record_event(
        "referral.update",
        actor_id=7,
        subject_type="referral",
        subject_id=42,
        detail={"field": "status", "to": "contacted"},
    )
    db.session.commit()
    db.session.expire_all()
    [saved] = _events()
    assert (saved.actor_id, saved.action, saved.subject_type, saved.subject_id) == (
        7,
        "referral.update",
        "referral",
        "42",
    )
    assert saved.detail == {"field": "status", "to": "contacted"}
    assert before <= saved.at <= utcnow()
    assert saved.at.tzinfo is not None
    assert saved.channel == "cli"


def test_secrets_never_reach_the_detail(app):
    record_event(
        "password_reset",
        actor_id=1,
        detail={
            "password": "hunter2hunter2",
            "reset_token": "abc",
            "nested": {"totp_code": "123456"},
            "method": "email",
        },
    )
    db.session.commit()
    [saved] = _events()
    assert saved.detail == {
        "password": "[redacted]",
        "reset_token": "[redacted]",
        "nested": {"totp_code": "[redacted]"},
        "method": "email",
    }


def test_event_is_rolled_back_with_the_change_it_records(app):
    record_event("person.view", actor_id=3, subject_type="person", subject_id="9")
    db.session.rollback()
    assert _events() == []


def test_event_made_in_a_request_carries_its_channel_and_request_id(app):
    with app.test_request_context("/api/services", headers={"X-Request-ID": "req-12345678"}):
        app.preprocess_request()
        record_event("export", actor_id=2)
        db.session.commit()
    [saved] = _events()
    assert (saved.channel, saved.request_id) == ("api", "req-12345678")


def test_bad_action_is_refused_and_nothing_is_recorded(app):
    with pytest.raises(ValueError, match="between 1 and 64"):
        record_event("", actor_id=1)
    db.session.commit()
    assert _events() == []


def test_changing_an_event_is_refused(app):
    saved = record_event("sign_in", actor_id=1)
    db.session.commit()
    saved.action = "something_else"
    with pytest.raises(AuditLogImmutable):
        db.session.commit()
    db.session.rollback()
    assert [e.action for e in _events()] == ["sign_in"]


def test_deleting_an_event_is_refused(app):
    saved = record_event("sign_in", actor_id=1)
    db.session.commit()
    db.session.delete(saved)
    with pytest.raises(AuditLogImmutable):
        db.session.commit()
    db.session.rollback()
    assert len(_events()) == 1


@pytest.mark.parametrize(
    "statement",
    [
        delete(AuditEvent),
        update(AuditEvent).values(action="tampered"),
        delete(AuditEvent.__table__),
    ],
)
def test_bulk_update_and_delete_are_refused(app, statement):
    record_event("sign_in", actor_id=1)
    db.session.commit()
    with pytest.raises(AuditLogImmutable):
        db.session.execute(statement)
    db.session.rollback()
    assert [e.action for e in _events()] == ["sign_in"]


def _backdate(days: int, action: str) -> None:
    """Insert an old event directly (the application itself never writes a past time)."""
    db.session.execute(
        AuditEvent.__table__.insert().values(
            at=utcnow() - timedelta(days=days), action=action, actor_id=1, detail={}, channel="cli"
        )
    )
    db.session.commit()


def test_prune_deletes_only_events_past_retention_and_records_itself(app, runner):
    _backdate(400, "old.one")
    _backdate(100, "recent.one")
    result = runner.invoke(args=["audit", "prune", "--days", "365"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 audit event." in result.output
    events = _events()
    assert [e.action for e in events] == ["recent.one", "audit.prune"]
    assert events[-1].detail["deleted"] == 1
    assert events[-1].detail["older_than_days"] == 365


def test_prune_uses_the_retention_setting_by_default(app, runner):
    app.config["AUDIT_RETENTION_DAYS"] = 30
    _backdate(31, "old.one")
    _backdate(29, "recent.one")
    result = runner.invoke(args=["audit", "prune"])
    assert "Deleted 1 audit event." in result.output
    assert [e.action for e in _events()] == ["recent.one", "audit.prune"]


def test_prune_refuses_a_retention_below_one_day_and_deletes_nothing(app, runner):
    _backdate(10, "old.one")
    result = runner.invoke(args=["audit", "prune", "--days", "0"])
    assert result.exit_code != 0
    assert "0 is not in the range x>=1" in result.output
    with pytest.raises(ValueError, match="at least one day"):
        prune_events(older_than_days=0)
    assert [e.action for e in _events()] == ["old.one"]


def test_postgres_trigger_refuses_changes_but_lets_prune_through(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL only")
    with db.engine.begin() as conn:
        conn.execute(text(POSTGRES_APPEND_ONLY_SQL))
    try:
        _backdate(400, "old.one")
        with db.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text("UPDATE audit_event SET action = 'tampered'"))
        assert prune_events(older_than_days=365) == 1
        assert [e.action for e in _events()] == ["audit.prune"]
    finally:
        db.session.rollback()  # let go of the table so the trigger can be dropped
        with db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"))
