"""`flask messages ...`: deliver queued messages, list them, and retry dead ones."""

from __future__ import annotations

import signal
import time
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from signpost.config import ConfigError
from signpost.extensions import db
from signpost.messaging.models import MessageStatus
from signpost.messaging.operations import list_messages, retry_dead, send_due_messages
from signpost.messaging.redaction import mask_recipient
from signpost.messaging.transports import transport_from_config

messages_cli = AppGroup("messages", help="Deliver and inspect the messaging outbox.")


def init_app(app: Flask) -> None:
    """Register the commands, and refuse to start with a half-configured transport."""
    check_transport_settings(app.config)
    app.cli.add_command(messages_cli)


def check_transport_settings(config: dict) -> None:
    if config["MESSAGE_TRANSPORT"] == "notify":
        missing = [
            name
            for name in ("NOTIFY_API_KEY", "NOTIFY_EMAIL_TEMPLATE_ID", "NOTIFY_SMS_TEMPLATE_ID")
            if not config.get(name)
        ]
        if missing:
            raise ConfigError(
                "MESSAGE_TRANSPORT is notify but these settings are empty: "
                + ", ".join(missing)
                + "."
            )


@messages_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, checking for due messages.")
@click.option(
    "--batch",
    default=50,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Messages claimed at a time.",
)
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Seconds to wait when nothing is due (with --loop).",
)
def send_command(loop: bool, batch: int, interval: float) -> None:
    """Deliver due messages (once, or continuously with --loop)."""
    transport = transport_from_config(current_app.config)
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    if loop:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    while True:
        report = send_due_messages(batch=batch, transport=transport)
        if report.attempted:
            click.echo(
                f"Sent {len(report.sent)}, will retry {len(report.failed)}, "
                f"dead {len(report.dead)}."
            )
        if not loop:
            if not report.attempted:
                click.echo("No messages are due.")
            return
        if stopping:
            return
        if report.attempted < batch:  # caught up: wait before looking again
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))
        if stopping:
            return


@messages_cli.command("list")
@click.option(
    "--status",
    type=click.Choice([s.value for s in MessageStatus]),
    help="Only messages with this status.",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
def list_command(status: str | None, limit: int) -> None:
    """Show recent messages (recipients masked, no content)."""
    messages = list_messages(status=MessageStatus(status) if status else None, limit=limit)
    if not messages:
        click.echo("No messages.")
        return
    for m in messages:
        click.echo(
            f"{m.id:>7}  {m.status.value:<8} {m.channel.value:<5} {m.purpose:<24} "
            f"{mask_recipient(m.recipient):<28} attempts={m.attempts} "
            f"created={m.created_at:%Y-%m-%d %H:%M}"
            + (f"  error: {m.last_error}" if m.last_error else "")
        )


@messages_cli.command("retry-dead")
@click.argument("ids", nargs=-1, type=int)
def retry_dead_command(ids: tuple[int, ...]) -> None:
    """Queue dead messages again (all of them, or only the given ids)."""
    count = retry_dead(ids or None)
    db.session.commit()  # a command owns its transaction
    click.echo(f"Queued {count} dead message{'s' if count != 1 else ''} again.")
