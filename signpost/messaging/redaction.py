"""Keeping people's details out of what the outbox stores and logs: errors and recipients.

Its own module so the operations and the transports can both use it without importing each
other.
"""

from __future__ import annotations

import re

_EMAILS = re.compile(r"[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+")
_NUMBERS = re.compile(r"\+?\d[\d \-()]{6,}\d")


def redact_error(text: str) -> str:
    """An error message fit to store: addresses and phone numbers removed, one short line."""
    text = _EMAILS.sub("[address]", text)
    text = _NUMBERS.sub("[number]", text)
    return " ".join(text.split())[:300]


def mask_recipient(recipient: str) -> str:
    """Enough of an address or number to tell messages apart, not enough to identify anyone."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{recipient[:3]}******{recipient[-3:]}"
