"""Recording, searching and pruning audit events.

``record_event`` adds the event to the current database session, so it is committed (or rolled
back) together with the change it records. Nothing here updates or deletes an event except
``prune_events``, which retention policy requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from flask import current_app, g, has_request_context, request
from sqlalchemy import delete, event, func, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import ORMExecuteState, Session

from signpost.audit.models import AuditEvent
from signpost.extensions import db
from signpost.paging import offset, total_pages
from signpost.types import utcnow

# Keys whose values are never written into an event's detail, however they are spelt.
SECRET_KEY_PATTERN = re.compile(r"pass|secret|token|otp|totp|recovery|api_?key|hash|csrf", re.I)
REDACTED = "[redacted]"
_PRUNE_FLAG = "signpost.audit_prune"


class AuditLogImmutable(RuntimeError):
    """Something tried to change or delete an audit event; the log is append-only."""


def record_event(
    action: str,
    *,
    actor_id: int | None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current session (committed with the change it records).

    Args:
        action: what happened, e.g. ``sign_in``, ``person.view``, ``referral.update``.
        actor_id: the user who did it, or None for the system or an anonymous visitor.
        subject_type, subject_id: the record it happened to (e.g. ``referral``, ``"42"``).
        detail: extra facts as JSON. Values under secret-looking keys (password, token, ...)
            are replaced with ``[redacted]``; never pass personal details you do not need.
        actor_label: a short description of the actor at the time (e.g. their roles).
    """
    if not action or len(action) > 64:
        raise ValueError("An audit action must be between 1 and 64 characters.")
    actor_label = actor_label or _current_user_roles(actor_id)
    audit_event = AuditEvent(
        at=utcnow(),
        actor_id=actor_id,
        actor_label=(actor_label or None) and actor_label[:200],
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id)[:64],
        detail=scrub_detail(detail or {}),
        channel=current_channel(),
        request_id=current_request_id(),
    )
    db.session.add(audit_event)
    return audit_event


def _current_user_roles(actor_id: int | None) -> str | None:
    """The signed-in actor's roles at the time, e.g. "admin,coordinator" (no personal details)."""
    if actor_id is None or not has_request_context():
        return None
    try:
        from flask_login import current_user

        if current_user.is_authenticated and getattr(current_user, "id", None) == actor_id:
            return ",".join(sorted(str(role) for role in getattr(current_user, "roles", ())))
    except Exception:  # no login manager on this app: leave the label empty
        return None
    return None


def scrub_detail(detail: Any) -> Any:
    """Copy ``detail`` as plain JSON, replacing values held under secret-looking keys."""
    if isinstance(detail, dict):
        return {
            str(key): REDACTED if SECRET_KEY_PATTERN.search(str(key)) else scrub_detail(value)
            for key, value in detail.items()
        }
    if isinstance(detail, list | tuple | set | frozenset):
        return [scrub_detail(value) for value in detail]
    if detail is None or isinstance(detail, bool | int | float | str):
        return detail
    if isinstance(detail, datetime | date | time):
        return detail.isoformat()
    return str(detail)


def current_channel() -> str:
    """How the action arrived: ``api``, ``web`` or ``cli`` (commands and background work)."""
    if has_request_context():
        return "api" if request.path.startswith("/api/") else "web"
    return "cli"


def current_request_id() -> str | None:
    """The id ``signpost.security`` gives each request (also sent as ``X-Request-ID``)."""
    if has_request_context():
        return g.get("request_id")
    return None


@dataclass(frozen=True)
class AuditQuery:
    """Filters for searching the log; every field is optional."""

    actor_id: int | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the whole of this day


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return total_pages(self.total, self.per_page)


def search_events(query: AuditQuery, *, page: int = 1, per_page: int = 50) -> AuditPage:
    """Events matching every given filter, newest first, one page at a time."""
    conditions = []
    if query.actor_id is not None:
        conditions.append(AuditEvent.actor_id == query.actor_id)
    if query.action:
        # "referral." finds every referral action; a full name finds just that one.
        if query.action.endswith("."):
            conditions.append(AuditEvent.action.startswith(query.action, autoescape=True))
        else:
            conditions.append(AuditEvent.action == query.action)
    if query.subject_type:
        conditions.append(AuditEvent.subject_type == query.subject_type)
    if query.subject_id:
        conditions.append(AuditEvent.subject_id == query.subject_id)
    if query.since:
        conditions.append(AuditEvent.at >= _start_of_day(query.since))
    if query.until:
        conditions.append(AuditEvent.at < _start_of_day(query.until) + timedelta(days=1))
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    events = db.session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset(offset(page, per_page))
    ).all()
    return AuditPage(events=list(events), total=total, page=page, per_page=per_page)


def known_actions() -> list[str]:
    """Every action name in the log, for the search form's list."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def prune_events(*, older_than_days: int | None = None, now: datetime | None = None) -> int:
    """Delete events older than the retention period and record that it happened.

    Returns how many events were deleted. The prune itself is audited (with the count and cut-off),
    so the trail shows when and how history was removed.
    """
    days = (
        older_than_days
        if older_than_days is not None
        else current_app.config["AUDIT_RETENTION_DAYS"]
    )
    if days < 1:
        raise ValueError("The retention period must be at least one day.")
    cutoff = (now or utcnow()) - timedelta(days=days)
    session = db.session()
    session.info[_PRUNE_FLAG] = True
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(db.text("SET LOCAL signpost.audit_prune = 'on'"))
        result = cast(
            CursorResult[Any], session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
        )
        deleted = result.rowcount or 0
    finally:
        session.info.pop(_PRUNE_FLAG, None)
    record_event(
        "audit.prune",
        actor_id=None,
        detail={"deleted": deleted, "older_than_days": days, "cutoff": cutoff.isoformat()},
    )
    return deleted


# --- append-only guard ---------------------------------------------------------------------


def _refuse_change(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditLogImmutable(f"Audit event {target.id} cannot be changed or deleted.")


def _refuse_bulk_change(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) != AuditEvent.__tablename__:
        return
    if state.is_delete and state.session.info.get(_PRUNE_FLAG):
        return
    raise AuditLogImmutable("Audit events cannot be changed or deleted.")


def install_guard() -> None:
    """Refuse UPDATE and DELETE of audit events through the ORM (idempotent)."""
    if event.contains(AuditEvent, "before_update", _refuse_change):
        return
    event.listen(AuditEvent, "before_update", _refuse_change)
    event.listen(AuditEvent, "before_delete", _refuse_change)
    event.listen(Session, "do_orm_execute", _refuse_bulk_change)


install_guard()
