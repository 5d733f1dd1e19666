"""The GOV.UK Notify transport, against a local fake of Notify's API (no network)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from signpost.extensions import db
from signpost.messaging import MessageStatus, OutboxMessage, queue_email, queue_sms
from signpost.messaging.operations import send_due_messages
from signpost.messaging.transports import NotifyTransport, transport_from_config

SERVICE_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
API_KEY = f"signpost_test-{SERVICE_ID}-{SECRET}"


@pytest.fixture
def fake_notify():
    received: list[dict] = []
    answer = {"status": 201}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(
                {"path": self.path, "auth": self.headers["Authorization"], "body": body}
            )
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "x"}')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received, answer
    server.shutdown()
    server.server_close()


def _transport(base_url: str) -> NotifyTransport:
    return NotifyTransport(
        api_key=API_KEY,
        email_template_id="email-template",
        sms_template_id="sms-template",
        base_url=base_url,
    )


def _verify_jwt(token: str) -> dict:
    header, claims, signature = token.split(".")
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    return json.loads(base64.urlsafe_b64decode(claims + "=="))


def test_email_and_text_go_to_notify_with_a_signed_token(app, fake_notify):
    base_url, received, _ = fake_notify
    queue_email(
        "ann@example.org",
        "Your referral",
        "We have it.",
        "<p>ignored</p>",
        purpose="referral_received",
    )
    queue_sms("07700900123", "See you at 10am.", purpose="reminder")
    db.session.commit()
    report = send_due_messages(transport=_transport(base_url))
    assert len(report.sent) == 2
    email_call, sms_call = received
    assert email_call["path"] == "/v2/notifications/email"
    assert email_call["body"]["email_address"] == "ann@example.org"
    assert email_call["body"]["template_id"] == "email-template"
    assert email_call["body"]["personalisation"] == {
        "subject": "Your referral",
        "body": "We have it.",
    }
    assert sms_call["path"] == "/v2/notifications/sms"
    assert sms_call["body"]["phone_number"] == "+447700900123"
    assert _verify_jwt(email_call["auth"].removeprefix("Bearer "))["iss"] == SERVICE_ID


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(400, MessageStatus.DEAD), (500, MessageStatus.FAILED), (429, MessageStatus.FAILED)],
)
def test_notify_errors_are_retried_only_when_retrying_can_help(app, fake_notify, status, outcome):
    base_url, _, answer = fake_notify
    answer["status"] = status
    message = queue_email("ann@example.org", "Hello", "Text", purpose="test")
    db.session.commit()
    send_due_messages(transport=_transport(base_url))
    db.session.expire_all()
    saved = db.session.get(OutboxMessage, message.id)
    assert saved.status == outcome
    assert saved.last_error == f"GOV.UK Notify answered {status}."


def test_notify_transport_is_chosen_from_settings(app):
    app.config.update(
        MESSAGE_TRANSPORT="notify",
        NOTIFY_API_KEY=API_KEY,
        NOTIFY_EMAIL_TEMPLATE_ID="e",
        NOTIFY_SMS_TEMPLATE_ID="s",
    )
    transport = transport_from_config(app.config)
    assert isinstance(transport, NotifyTransport) and transport.service_id == SERVICE_ID


def test_a_malformed_notify_key_is_refused_plainly():
    with pytest.raises(ValueError, match="does not look like a GOV.UK Notify API key"):
        NotifyTransport(api_key="short", email_template_id="e", sms_template_id="s")
