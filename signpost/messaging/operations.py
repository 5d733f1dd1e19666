"""Queueing and delivering messages.

Queueing only adds a row to the current session, so a message exists exactly when the change
that caused it is committed, and nothing is sent inside a web request. A sender
(``flask messages send``) claims due rows one at a time with a conditional UPDATE, so any number
of senders can run at once and each message is handed to the transport once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.engine import CursorResult

from signpost.contact_details import NotAnAddress, check_email_address, check_mobile_number
from signpost.extensions import db
from signpost.messaging.models import Channel, MessageStatus, OutboxMessage
from signpost.messaging.redaction import redact_error
from signpost.messaging.transports import Transport, TransportError, transport_from_config
from signpost.types import utcnow

log = logging.getLogger(__name__)

PURPOSE_PATTERN = re.compile(r"^[a-z0-9_.-]{1,64}$")
MAX_BACKOFF = timedelta(hours=6)
# A message left "sending" this long belonged to a sender that died; it is offered again.
STALE_CLAIM = timedelta(minutes=15)


class InvalidMessage(ValueError):
    """A message cannot be queued as given; the text says what to fix."""


def queue_email(
    to: str, subject: str, text_body: str, html_body: str | None = None, *, purpose: str
) -> OutboxMessage:
    """Queue an email (added to the current session; sent after commit by a sender).

    Raises:
        InvalidMessage: the address, subject, body or purpose is unusable.
    """
    try:
        to = check_email_address(to)
    except NotAnAddress:
        raise InvalidMessage("The email address is not valid.") from None
    if not subject or not subject.strip():
        raise InvalidMessage("An email needs a subject.")
    if "\n" in subject or "\r" in subject or len(subject) > 300:
        raise InvalidMessage("An email subject must be one line of at most 300 characters.")
    return _queue(Channel.EMAIL, to, subject.strip(), text_body, html_body, purpose)


def queue_sms(to: str, text_body: str, *, purpose: str) -> OutboxMessage:
    """Queue a text message to a mobile number (UK numbers may be written 07...).

    Raises:
        InvalidMessage: the number is not a mobile, or the body or purpose is unusable.
    """
    try:
        number = check_mobile_number(to)
    except NotAnAddress as exc:
        raise InvalidMessage(str(exc)) from None
    return _queue(Channel.SMS, number, "", text_body, None, purpose)


def _queue(
    channel: Channel, to: str, subject: str, text_body: str, html_body: str | None, purpose: str
) -> OutboxMessage:
    if not text_body or not text_body.strip():
        raise InvalidMessage("A message needs some text.")
    if not PURPOSE_PATTERN.match(purpose or ""):
        raise InvalidMessage(
            "A message's purpose must be a short name of lower-case letters, digits, dots, "
            "dashes or underscores (for example password_reset)."
        )
    now = utcnow()
    message = OutboxMessage(
        channel=channel,
        recipient=to,
        subject=subject,
        text_body=text_body,
        html_body=html_body or None,
        purpose=purpose,
        status=MessageStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(message)
    return message


# --- delivering ----------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # will be retried
    dead: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.sent) + len(self.failed) + len(self.dead)


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """How long to wait after the given number of failed attempts (doubling, capped)."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            OutboxMessage.status.in_([MessageStatus.QUEUED, MessageStatus.FAILED]),
            OutboxMessage.next_attempt_at <= now,
        ),
        and_(
            OutboxMessage.status == MessageStatus.SENDING,
            OutboxMessage.claimed_at < now - STALE_CLAIM,
        ),
    )


def claim_due_messages(limit: int, *, now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due messages for this sender; returns their ids.

    Each claim is its own short transaction: ``UPDATE ... SET status='sending' WHERE id=:id AND
    <still due>``. When two senders race for a row the database lets one update it; the other's
    WHERE no longer matches, so it claims 0 rows and moves on.
    """
    now = now or utcnow()
    session = db.session
    candidates = session.scalars(
        select(OutboxMessage.id)
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit * 2)
    ).all()
    # A background loop owns these transactions: end the read so each claim below is its own
    # short write, and commit each claim so another sender sees it at once.
    session.commit()
    claimed: list[int] = []
    for message_id in candidates:
        if len(claimed) >= limit:
            break
        result = cast(
            CursorResult[Any],
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, _due(now))
                .values(
                    status=MessageStatus.SENDING,
                    claimed_at=now,
                    attempts=OutboxMessage.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ),
        )
        session.commit()  # one claim, one transaction (see above)
        if result.rowcount == 1:
            claimed.append(message_id)
    return claimed


def send_due_messages(
    *, batch: int = 50, transport: Transport | None = None, now: datetime | None = None
) -> SendReport:
    """Claim one batch of due messages and deliver each, recording the outcome."""
    transport = transport or transport_from_config(current_app.config)
    max_attempts = current_app.config["MESSAGE_MAX_ATTEMPTS"]
    base = current_app.config["MESSAGE_RETRY_BASE_SECONDS"]
    report = SendReport()
    for message_id in claim_due_messages(batch, now=now):
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        if message is None:
            continue
        try:
            transport.send(message)
        except TransportError as exc:
            _record_failure(
                message, exc, max_attempts=max_attempts, base_seconds=base, report=report, now=now
            )
        except Exception as exc:  # a bug or an unexpected library error: still retry later
            log.exception("Sending message %s failed unexpectedly", message.id)
            _record_failure(
                message,
                TransportError(type(exc).__name__),
                max_attempts=max_attempts,
                base_seconds=base,
                report=report,
                now=now,
            )
        else:
            message.status = MessageStatus.SENT
            message.sent_at = utcnow()
            message.last_error = None
            report.sent.append(message.id)
        # The sender loop owns its transaction: each delivery's outcome is saved before the
        # next, so a crash never sends a message twice or forgets one was sent.
        db.session.commit()
    return report


def _record_failure(
    message: OutboxMessage,
    exc: TransportError,
    *,
    max_attempts: int,
    base_seconds: int,
    report: SendReport,
    now: datetime | None,
) -> None:
    message.last_error = redact_error(str(exc) or type(exc).__name__)
    if exc.permanent or message.attempts >= max_attempts:
        message.status = MessageStatus.DEAD
        report.dead.append(message.id)
        log.warning(
            "Message %s (%s) is dead after %s attempts: %s",
            message.id,
            message.purpose,
            message.attempts,
            message.last_error,
        )
    else:
        message.status = MessageStatus.FAILED
        message.next_attempt_at = (now or utcnow()) + backoff(message.attempts, base_seconds)
        report.failed.append(message.id)
        log.info(
            "Message %s (%s) attempt %s failed; next try at %s",
            message.id,
            message.purpose,
            message.attempts,
            message.next_attempt_at.isoformat(),
        )


def retry_dead(ids: Sequence[int] | None = None) -> int:
    """Give dead messages (all, or the given ids) a fresh set of attempts; returns how many."""
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.DEAD)
        .values(status=MessageStatus.QUEUED, attempts=0, next_attempt_at=utcnow(), claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if ids:
        statement = statement.where(OutboxMessage.id.in_(list(ids)))
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount or 0


def list_messages(*, status: MessageStatus | None = None, limit: int = 50) -> list[OutboxMessage]:
    """The most recent messages, optionally only those with one status."""
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        statement = statement.where(OutboxMessage.status == status)
    return list(db.session.scalars(statement))
