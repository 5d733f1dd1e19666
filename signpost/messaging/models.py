"""The messaging outbox: every email and text message waits here until a sender delivers it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from signpost.extensions import db
from signpost.types import UTCDateTime, utcnow, value_enum


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its first attempt
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed; it will be tried again at next_attempt_at
    DEAD = "dead"  # gave up after MESSAGE_MAX_ATTEMPTS; `flask messages retry-dead`


class OutboxMessage(db.Model):
    """One email or text message, and how delivering it is going."""

    __tablename__ = "message_outbox"
    __table_args__ = (Index("ix_message_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "message_channel", length=16))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300), default="")
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # Why it was sent (e.g. "password_reset", "referral_received"): for counts and support, never
    # personal details.
    purpose: Mapped[str] = mapped_column(String(64))
    status: Mapped[MessageStatus] = mapped_column(
        value_enum(MessageStatus, "message_status", length=16), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What went wrong last time, with addresses and numbers removed.
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} {self.purpose} {self.status}>"
