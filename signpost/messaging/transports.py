"""Ways of delivering a message: a log file (default), SMTP, or GOV.UK Notify.

A transport's ``send`` returns when the message has been handed over, and raises
``TransportError`` when it could not be (``permanent=True`` when retrying cannot help).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from signpost.messaging.redaction import mask_recipient
from signpost.types import utcnow

if TYPE_CHECKING:
    from signpost.messaging.models import OutboxMessage


class TransportError(Exception):
    """Delivery failed. The text is stored (redacted), so keep personal details out of it."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class LogTransport:
    """Append each message to a file: for development, demos and tests.

    With ``include_bodies`` false (the default) only the id, channel, purpose and a masked
    recipient are written, so the file holds no message content.
    """

    _lock = threading.Lock()

    def __init__(self, path: str | Path, *, include_bodies: bool = False) -> None:
        self.path = Path(path)
        self.include_bodies = include_bodies

    def send(self, message: OutboxMessage) -> None:
        lines = [
            f"--- {utcnow().isoformat(timespec='seconds')} message {message.id} "
            f"{message.channel} purpose={message.purpose}"
        ]
        if self.include_bodies:
            lines.append(f"To: {message.recipient}")
            if message.subject:
                lines.append(f"Subject: {message.subject}")
            lines.append("")
            lines.append(message.text_body)
            if message.html_body:
                lines += ["", "[HTML alternative]", message.html_body]
        else:
            lines.append(f"To: {mask_recipient(message.recipient)} (content not logged)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
        except OSError as exc:
            raise TransportError(f"Could not write the message log: {exc.strerror}") from exc


class SmtpTransport:
    """Send email through an SMTP server (STARTTLS and login when configured)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 30,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls = username, password, starttls
        self.timeout = timeout

    def build(self, message: OutboxMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        email.set_content(message.text_body)
        if message.html_body:
            email.add_alternative(message.html_body, subtype="html")
        return email

    def send(self, message: OutboxMessage) -> None:
        if message.channel != "email":
            raise TransportError("The SMTP transport cannot send text messages.", permanent=True)
        email = self.build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise TransportError(
                f"The mail server refused the recipient (codes {codes}).",
                permanent=all(code >= 500 for code in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise TransportError(
                f"The mail server answered {exc.smtp_code}.",
                permanent=exc.smtp_code >= 500 and exc.smtp_code != 530,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"Could not reach the mail server: {type(exc).__name__}.") from exc


class NotifyTransport:
    """Send through GOV.UK Notify's REST API, using one template per channel.

    Each template should show its ``subject`` and ``body`` personalisation fields (email) or
    ``body`` (text message). Notify renders its own HTML, so ``html_body`` is not sent.
    """

    def __init__(
        self,
        *,
        api_key: str,
        email_template_id: str,
        sms_template_id: str,
        base_url: str = "https://api.notifications.service.gov.uk",
        timeout: float = 30,
    ) -> None:
        # A Notify key is "<name>-<service id (36)>-<secret (36)>".
        if len(api_key) < 74:
            raise ValueError("NOTIFY_API_KEY does not look like a GOV.UK Notify API key.")
        self.service_id, self.secret = api_key[-73:-37], api_key[-36:]
        self.email_template_id, self.sms_template_id = email_template_id, sms_template_id
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def token(self) -> str:
        """A short-lived JWT (HS256) as Notify expects: issuer = service id, issued-at = now."""

        def part(data: Mapping[str, Any]) -> bytes:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=")

        signing_input = (
            part({"typ": "JWT", "alg": "HS256"})
            + b"."
            + part({"iss": self.service_id, "iat": int(time.time())})
        )
        signature = hmac.new(self.secret.encode(), signing_input, hashlib.sha256).digest()
        return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()

    def send(self, message: OutboxMessage) -> None:
        if message.channel == "email":
            path, payload = (
                "/v2/notifications/email",
                {
                    "email_address": message.recipient,
                    "template_id": self.email_template_id,
                    "personalisation": {"subject": message.subject, "body": message.text_body},
                },
            )
        else:
            path, payload = (
                "/v2/notifications/sms",
                {
                    "phone_number": message.recipient,
                    "template_id": self.sms_template_id,
                    "personalisation": {"body": message.text_body},
                },
            )
        payload["reference"] = f"outbox-{message.id}"
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token()}",
                "Content-Type": "application/json",
                "User-Agent": "signpost-outbox",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            # 400 and 403 will not get better by retrying; 429 and 5xx might.
            raise TransportError(
                f"GOV.UK Notify answered {exc.code}.", permanent=exc.code in (400, 403)
            ) from exc
        except OSError as exc:
            raise TransportError(f"Could not reach GOV.UK Notify: {type(exc).__name__}.") from exc


def transport_from_config(config: Mapping[str, Any]) -> Transport:
    """The transport that MESSAGE_TRANSPORT names, built from its settings."""
    kind = config["MESSAGE_TRANSPORT"]
    if kind == "smtp":
        return SmtpTransport(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            sender=config["SMTP_FROM"],
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=config["SMTP_STARTTLS"],
        )
    if kind == "notify":
        return NotifyTransport(
            api_key=config["NOTIFY_API_KEY"],
            email_template_id=config["NOTIFY_EMAIL_TEMPLATE_ID"],
            sms_template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
            base_url=config["NOTIFY_BASE_URL"],
        )
    return LogTransport(config["MESSAGE_LOG_PATH"], include_bodies=config["MESSAGE_LOG_BODIES"])
