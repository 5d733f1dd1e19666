"""The audit log: one row per thing that happened to a person's record or to an account.

Rows are append-only in the application: the ORM refuses to update or delete them (see
``signpost.audit.guard``). The only delete path is ``flask audit prune`` (retention by policy).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from signpost.extensions import db
from signpost.types import UTCDateTime, utcnow

# SQLite only auto-increments a plain INTEGER primary key; PostgreSQL gets a BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(db.Model):
    """Who did what, to which record, when, and through which channel."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_subject", "subject_type", "subject_id"),
        Index("ix_audit_event_actor_at", "actor_id", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign key on purpose: the trail must outlive the account it names.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    channel: Mapped[str] = mapped_column(String(16), default="cli")
    request_id: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return (
            f"<AuditEvent {self.id} {self.action} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}>"
        )


# A PostgreSQL trigger that makes the table append-only in the database too (for the lead to add
# in a migration). Pruning sets ``SET LOCAL signpost.audit_prune = 'on'`` in its transaction.
POSTGRES_APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('signpost.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
