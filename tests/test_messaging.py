"""The messaging outbox: queue in a transaction, deliver with retries, dead letters, transports."""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from signpost import create_app
from signpost.config import ConfigError
from signpost.extensions import db
from signpost.messaging import (
    InvalidMessage,
    MessageStatus,
    OutboxMessage,
    queue_email,
    queue_sms,
)
from signpost.messaging.operations import backoff, send_due_messages
from signpost.messaging.transports import SmtpTransport, TransportError
from signpost.types import utcnow


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def _reload(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message: OutboxMessage) -> None:
        with self.lock:
            self.sent.append(message.id)


class FailingTransport:
    def __init__(self, error: str = "server busy", *, permanent: bool = False) -> None:
        self.error, self.permanent, self.calls = error, permanent, 0

    def send(self, message: OutboxMessage) -> None:
        self.calls += 1
        raise TransportError(self.error, permanent=self.permanent)


# --- queueing ------------------------------------------------------------------------------


def test_queued_email_waits_in_the_outbox_until_commit(app):
    message = queue_email(
        "ann@example.org",
        "Your referral",
        "We have your referral.",
        "<p>We have your referral.</p>",
        purpose="referral_received",
    )
    db.session.commit()
    saved = _reload(message.id)
    assert (saved.channel, saved.recipient, saved.status, saved.attempts) == (
        "email",
        "ann@example.org",
        MessageStatus.QUEUED,
        0,
    )
    assert saved.html_body == "<p>We have your referral.</p>"
    assert saved.sent_at is None


def test_queued_message_disappears_if_the_change_is_rolled_back(app):
    queue_email("ann@example.org", "Hello", "Text", purpose="test")
    db.session.rollback()
    assert _count() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"to": "not-an-address"}, "The email address is not valid."),
        ({"to": "a@b.org, c@d.org"}, "The email address is not valid."),
        ({"subject": "Line one\nBcc: x@y.org"}, "one line"),
        ({"subject": "  "}, "needs a subject"),
        ({"text_body": ""}, "needs some text"),
        ({"purpose": "Password Reset!"}, "short name"),
    ],
)
def test_unusable_email_is_refused_with_a_clear_message_and_nothing_queued(app, kwargs, message):
    args = {
        "to": "ann@example.org",
        "subject": "Hello",
        "text_body": "Text",
        "purpose": "test",
        **kwargs,
    }
    with pytest.raises(InvalidMessage, match=message):
        queue_email(args["to"], args["subject"], args["text_body"], purpose=args["purpose"])
    db.session.commit()
    assert _count() == 0


def test_text_message_numbers_are_stored_in_international_form(app):
    message = queue_sms("07700 900123", "Your appointment is at 10am.", purpose="reminder")
    db.session.commit()
    assert _reload(message.id).recipient == "+447700900123"
    with pytest.raises(InvalidMessage, match="Enter a mobile number"):
        queue_sms("call me", "Hello", purpose="reminder")


@pytest.mark.parametrize("landline", ["01553 616200", "+44 20 7946 0018"])
def test_a_text_to_a_landline_is_refused_before_it_is_queued(app, landline):
    with pytest.raises(InvalidMessage, match="not a mobile number"):
        queue_sms(landline, "Hello", purpose="reminder")
    db.session.commit()
    assert _count() == 0


@pytest.mark.parametrize(
    "address", ["name@example", "two@@example.org", "space in@example.org", "a@b.c\nBcc: x@y.z"]
)
def test_malformed_email_addresses_are_refused_by_the_shared_rule(app, address):
    with pytest.raises(InvalidMessage, match="email address is not valid"):
        queue_email(address, "Subject", "Body", purpose="reminder")


# --- delivering: log transport and CLI -----------------------------------------------------


@pytest.fixture
def app_config(tmp_path):
    return {
        "MESSAGE_LOG_PATH": str(tmp_path / "messages.log"),
        "MESSAGE_MAX_ATTEMPTS": 3,
        "MESSAGE_RETRY_BASE_SECONDS": 60,
    }


def test_send_delivers_through_the_log_without_content_by_default(app, runner, tmp_path):
    message = queue_email(
        "ann@example.org",
        "Reset your password",
        "Secret link: /reset/abc",
        purpose="password_reset",
    )
    db.session.commit()
    result = runner.invoke(args=["messages", "send"])
    assert "Sent 1, will retry 0, dead 0." in result.output
    saved = _reload(message.id)
    assert saved.status == MessageStatus.SENT and saved.sent_at is not None
    logged = (tmp_path / "messages.log").read_text()
    assert f"message {message.id} email purpose=password_reset" in logged
    assert "a***@example.org" in logged
    assert "ann@example.org" not in logged
    assert "Secret link" not in logged and "Reset your password" not in logged
    assert "No messages are due." in runner.invoke(args=["messages", "send"]).output


def test_log_transport_writes_content_when_the_setting_allows(app, runner, tmp_path):
    app.config["MESSAGE_LOG_BODIES"] = True
    queue_email("ann@example.org", "Welcome", "Hello Ann", "<p>Hello Ann</p>", purpose="invite")
    db.session.commit()
    runner.invoke(args=["messages", "send"])
    logged = (tmp_path / "messages.log").read_text()
    assert "To: ann@example.org" in logged and "Hello Ann" in logged
    assert "[HTML alternative]" in logged


def test_messages_list_masks_recipients_and_hides_content(app, runner):
    queue_sms("07700900123", "Private words", purpose="reminder")
    db.session.commit()
    output = runner.invoke(args=["messages", "list"]).output
    assert "queued" in output and "reminder" in output and "+44******123" in output
    assert "Private words" not in output and "7700900123" not in output
    assert "No messages." in runner.invoke(args=["messages", "list", "--status", "dead"]).output


# --- retries and dead letters --------------------------------------------------------------


def test_failures_back_off_exponentially_then_go_dead_and_can_be_retried(app, runner):
    message = queue_email("ann@example.org", "Hello", "Text", purpose="test")
    db.session.commit()
    transport = FailingTransport("The mail server answered 451.")
    now = utcnow()

    report = send_due_messages(transport=transport, now=now)
    saved = _reload(message.id)
    assert report.failed == [message.id]
    assert (saved.status, saved.attempts) == (MessageStatus.FAILED, 1)
    assert saved.next_attempt_at == now + timedelta(seconds=60)
    assert saved.last_error == "The mail server answered 451."

    # Not due again until the back-off has passed.
    assert send_due_messages(transport=transport, now=now + timedelta(seconds=59)).attempted == 0
    later = now + timedelta(seconds=61)
    send_due_messages(transport=transport, now=later)
    saved = _reload(message.id)
    assert (saved.status, saved.attempts) == (MessageStatus.FAILED, 2)
    assert saved.next_attempt_at == later + timedelta(seconds=120)

    report = send_due_messages(transport=transport, now=later + timedelta(seconds=121))
    saved = _reload(message.id)
    assert report.dead == [message.id]
    assert (saved.status, saved.attempts) == (MessageStatus.DEAD, 3)
    assert transport.calls == 3
    assert send_due_messages(transport=transport, now=later + timedelta(days=1)).attempted == 0

    result = runner.invoke(args=["messages", "retry-dead"])
    assert "Queued 1 dead message again." in result.output
    saved = _reload(message.id)
    assert (saved.status, saved.attempts) == (MessageStatus.QUEUED, 0)
    assert send_due_messages(transport=RecordingTransport()).sent == [message.id]


def test_backoff_doubles_and_is_capped():
    assert [backoff(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30, 60) == timedelta(hours=6)


def test_permanent_failure_goes_dead_at_once(app):
    message = queue_email("ann@example.org", "Hello", "Text", purpose="test")
    db.session.commit()
    report = send_due_messages(transport=FailingTransport("refused", permanent=True))
    assert report.dead == [message.id]
    assert _reload(message.id).attempts == 1


def test_stored_error_has_no_addresses_or_numbers(app):
    message = queue_email("ann@example.org", "Hello", "Text", purpose="test")
    db.session.commit()
    send_due_messages(
        transport=FailingTransport("550 <ann@example.org> unknown; also tried 07700 900123")
    )
    error = _reload(message.id).last_error
    assert "ann@example.org" not in error and "900123" not in error
    assert error == "550 <[address]> unknown; also tried [number]"


def test_message_left_sending_by_a_crashed_sender_is_offered_again(app):
    message = queue_email("ann@example.org", "Hello", "Text", purpose="test")
    db.session.flush()
    message.status, message.claimed_at, message.attempts = (
        MessageStatus.SENDING,
        utcnow() - timedelta(minutes=5),
        1,
    )
    db.session.commit()
    transport = RecordingTransport()
    assert send_due_messages(transport=transport).attempted == 0  # maybe still being sent
    send_due_messages(transport=transport, now=utcnow() + timedelta(minutes=11))
    assert transport.sent == [message.id]
    assert _reload(message.id).attempts == 2


def test_two_senders_at_once_send_each_message_exactly_once(app):
    messages = [
        queue_email(f"person{n}@example.org", "Hello", "Text", purpose="test") for n in range(30)
    ]
    db.session.commit()
    ids = [m.id for m in messages]
    transport = RecordingTransport()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with app.app_context():
                start.wait()
                while send_due_messages(batch=4, transport=transport).attempted:
                    pass
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Counter(transport.sent) == Counter(ids)  # every message once, none twice
    db.session.expire_all()
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert set(statuses) == {MessageStatus.SENT}


# --- SMTP against a real local server ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CapturingHandler:
    def __init__(self, refuse: bool = False) -> None:
        self.envelopes: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return f"550 5.1.1 <{address}> No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    def start(refuse: bool = False):
        handler = CapturingHandler(refuse)
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        controller.start()
        started.append(controller)
        return handler, controller.port

    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()


def test_smtp_transport_delivers_text_with_an_html_alternative(app, runner, smtp_server):
    handler, port = smtp_server()
    app.config.update(
        MESSAGE_TRANSPORT="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_FROM="signpost@example.org",
    )
    message = queue_email(
        "ann@example.org",
        "Your referral",
        "We have your referral.",
        "<p>We have your <b>referral</b>.</p>",
        purpose="referral_received",
    )
    db.session.commit()
    result = runner.invoke(args=["messages", "send"])
    assert "Sent 1" in result.output, result.output
    [envelope] = handler.envelopes
    assert envelope.mail_from == "signpost@example.org"
    assert envelope.rcpt_tos == ["ann@example.org"]
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == "Your referral"
    assert received["To"] == "ann@example.org"
    assert received.get_content_type() == "multipart/alternative"
    assert received.get_body(("plain",)).get_content().strip() == "We have your referral."
    assert "<b>referral</b>" in received.get_body(("html",)).get_content()
    assert _reload(message.id).status == MessageStatus.SENT


def test_smtp_plain_text_email_has_no_html_part(app, smtp_server):
    handler, port = smtp_server()
    transport = SmtpTransport(host="127.0.0.1", port=port, sender="signpost@example.org")
    queue_email("ann@example.org", "Hello", "Just text", purpose="test")
    db.session.commit()
    send_due_messages(transport=transport)
    received = email.message_from_bytes(handler.envelopes[0].content, policy=policy.default)
    assert received.get_content_type() == "text/plain"


def test_smtp_refused_recipient_is_dead_and_error_holds_no_address(app, smtp_server):
    handler, port = smtp_server(refuse=True)
    transport = SmtpTransport(host="127.0.0.1", port=port, sender="signpost@example.org")
    message = queue_email("nobody@example.org", "Hello", "Text", purpose="test")
    db.session.commit()
    report = send_due_messages(transport=transport)
    saved = _reload(message.id)
    assert report.dead == [message.id]
    assert saved.last_error == "The mail server refused the recipient (codes [550])."
    assert handler.envelopes == []


def test_smtp_server_down_is_retried_later(app):
    transport = SmtpTransport(
        host="127.0.0.1", port=_free_port(), sender="s@example.org", timeout=2
    )
    message = queue_email("ann@example.org", "Hello", "Text", purpose="test")
    db.session.commit()
    send_due_messages(transport=transport)
    saved = _reload(message.id)
    assert saved.status == MessageStatus.FAILED
    assert saved.last_error == "Could not reach the mail server: ConnectionRefusedError."


def test_notify_transport_without_its_settings_stops_start_up(database_url):
    with pytest.raises(ConfigError, match="NOTIFY_API_KEY"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "MESSAGE_TRANSPORT": "notify",
            }
        )
