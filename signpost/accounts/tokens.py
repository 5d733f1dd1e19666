"""Emailed single-use, expiring tokens: password reset and invitations.

Only a SHA-256 hash of each token is stored; the raw token exists in the email alone. A token
works once, and issuing a new one makes the earlier unused ones of the same purpose lapse.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import current_app

from signpost.accounts.authentication import find_user_by_email
from signpost.accounts.models import AccountToken, TokenPurpose, User
from signpost.accounts.operations import (
    AccountError,
    apply_new_password,
    create_user,
    require_manager,
)
from signpost.audit import record_event
from signpost.extensions import db
from signpost.messaging import queue_email
from signpost.types import utcnow
from signpost.unit_of_work import operation


class TokenInvalid(AccountError):
    """A reset or invitation link is unknown, used, or out of date."""


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """A new random token (only its hash is stored); earlier unused ones of the purpose lapse."""
    now = utcnow()
    for old in db.session.scalars(
        db.select(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
    ):
        old.used_at = now
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_token_hash(raw),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return raw


def _find_token(raw: str, purpose: TokenPurpose, now: datetime) -> AccountToken:
    token = db.session.scalar(
        db.select(AccountToken).where(
            AccountToken.token_hash == _token_hash(raw or ""), AccountToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None:
        raise TokenInvalid(
            "This link has already been used or is not valid. Please ask for a new one."
        )
    if token.expires_at <= now:
        raise TokenInvalid("This link has expired. Please ask for a new one.")
    if not token.user.active:
        raise TokenInvalid("This account has been disabled. Please contact your administrator.")
    return token


def check_token(raw: str, purpose: TokenPurpose) -> User:
    """The user a still-valid token belongs to (does not use it up)."""
    return _find_token(raw, purpose, utcnow()).user


@operation
def redeem_token(raw: str, purpose: TokenPurpose, new_password: str) -> User:
    """Use a reset or invitation token to set a password; the token can never be used again.

    Raises:
        TokenInvalid: unknown, used or expired token.
        AccountError: the new password breaks the policy (the token stays usable).
    """
    now = utcnow()
    token = _find_token(raw, purpose, now)
    user = token.user
    apply_new_password(user, new_password)
    token.used_at = now
    action = "password.reset" if purpose == TokenPurpose.PASSWORD_RESET else "invitation.accept"
    record_event(action, actor_id=user.id, subject_type="user", subject_id=str(user.id))
    return user


@operation
def request_password_reset(email: str, link_for: Callable[[str], str]) -> None:
    """Email a reset link if the address has an active account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        record_event(
            "password.reset_request", actor_id=None, detail={"outcome": "no_active_account"}
        )
        return
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    raw = issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(minutes=minutes))
    site = current_app.config["SITE_NAME"]
    queue_email(
        user.email,
        f"Reset your {site} password",
        f"Hello {user.name},\n\nSomeone (hopefully you) asked to reset the password for your "
        f"{site} account. Use this link within {minutes} minutes to choose a new one:\n\n"
        f"{link_for(raw)}\n\nThe link works once. If you did not ask for this, you can ignore "
        "this email: your password has not changed.\n",
        purpose="accounts.password_reset",
    )
    record_event(
        "password.reset_request",
        actor_id=None,
        subject_type="user",
        subject_id=str(user.id),
        detail={"outcome": "sent"},
    )


@operation
def invite_user(
    email: str,
    name: str,
    roles: Iterable[str],
    *,
    actor: User | None,
    link_for: Callable[[str], str],
    team_id: int | None = None,
    referring_organisation_id: int | None = None,
    organization_id: str | None = None,
) -> User:
    """Create an account without a password and email an invitation to choose one."""
    user = create_user(
        email,
        name,
        roles,
        actor=actor,
        team_id=team_id,
        referring_organisation_id=referring_organisation_id,
        organization_id=organization_id,
    )
    send_invitation(user, actor=actor, link_for=link_for)
    return user


@operation
def send_invitation(user: User, *, actor: User | None, link_for: Callable[[str], str]) -> None:
    actor_id = require_manager(actor)
    hours = current_app.config["INVITATION_HOURS"]
    raw = issue_token(user, TokenPurpose.INVITATION, timedelta(hours=hours))
    site = current_app.config["SITE_NAME"]
    queue_email(
        user.email,
        f"You have been invited to {site}",
        f"Hello {user.name},\n\nAn account has been set up for you on {site}. Use this link "
        f"within {hours} hours to choose your password:\n\n{link_for(raw)}\n\n"
        "The link works once. If you were not expecting this, please ignore this email.\n",
        purpose="accounts.invitation",
    )
    record_event("invitation.send", actor_id=actor_id, subject_type="user", subject_id=str(user.id))
