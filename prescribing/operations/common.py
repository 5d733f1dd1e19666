"""What every prescribing operation shares: its errors and a few small helpers."""

from __future__ import annotations

from typing import Any

from prescribing.models import Referral


class PrescribingError(ValueError):
    """Bad input or a move that is not allowed; the message is plain English and safe to show."""


class NotFound(LookupError):
    """No such record (or one the user may not know exists)."""


def actor_id(user: Any) -> int | None:
    """The signed-in user's id for the audit trail (None for a visitor or the system)."""
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def clean(text: str | None) -> str | None:
    """Text with surrounding space removed, or None when nothing is left."""
    return text.strip() if text and text.strip() else None


def require_open(referral: Referral, doing: str = "") -> None:
    """Refuse work on a referral that has ended (it must be reopened first)."""
    if not referral.state.is_open:
        raise PrescribingError(
            f"This referral has ended. Reopen it before {doing}."
            if doing
            else "This referral has ended. Reopen it first."
        )
