"""Signing in: password check with lockout, the second factor, and ending sessions.

Plain arguments in, users out; the views own the browser session. Every outcome that matters
to security (success, failure, lockout, recovery-code use) is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from signpost.accounts import passwords, totp
from signpost.accounts.models import RecoveryCode, User
from signpost.audit import record_event
from signpost.extensions import db
from signpost.types import utcnow


class SignInFailed(Exception):  # noqa: N818 - the domain's own word
    """Email or password wrong, or the account cannot sign in; the message is safe to show."""


class AccountLocked(SignInFailed):
    def __init__(self, until: datetime) -> None:
        minutes = max(1, -(-int((until - utcnow()).total_seconds()) // 60))
        super().__init__(
            "This account is locked because of too many failed sign-in attempts. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or reset your password."
        )
        self.until = until


BAD_CREDENTIALS = "The email address or password is not right. Please check and try again."
BAD_CODE = "That code is not right or has already been used. Please try again."


@dataclass(frozen=True)
class PasswordChecked:
    """The first step passed; ``needs_code`` says whether a second factor must follow."""

    user: User
    needs_code: bool


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _lock_if_needed(user: User, now: datetime) -> None:
    threshold = current_app.config["LOCKOUT_THRESHOLD"]
    if user.failed_attempts >= threshold:
        user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
        user.failed_attempts = 0
        record_event(
            "sign_in.lockout",
            actor_id=None,
            subject_type="user",
            subject_id=str(user.id),
            detail={"minutes": current_app.config["LOCKOUT_MINUTES"]},
        )


def check_password(email: str, password: str, *, now: datetime | None = None) -> PasswordChecked:
    """First step of signing in. The attempt's outcome is recorded either way.

    Not an ``@operation``: a failure is itself the change to keep (the audit event and the count
    towards lockout), so the request commits it even though this raises.

    Raises:
        AccountLocked: too many recent failures; nothing else is checked.
        SignInFailed: wrong email or password, or a disabled account (same message).
    """
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None:
        passwords.verify_password(None, password)  # same cost as a real check
        record_event("sign_in.failure", actor_id=None, detail={"reason": "unknown_account"})
        raise SignInFailed(BAD_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        record_event(
            "sign_in.failure",
            actor_id=None,
            subject_type="user",
            subject_id=str(user.id),
            detail={"reason": "locked"},
        )
        raise AccountLocked(user.locked_until)
    if not passwords.verify_password(user.password_hash, password):
        user.failed_attempts += 1
        record_event(
            "sign_in.failure",
            actor_id=None,
            subject_type="user",
            subject_id=str(user.id),
            detail={"reason": "bad_password"},
        )
        _lock_if_needed(user, now)
        locked_until = user.locked_until
        if locked_until is not None and locked_until > now:
            raise AccountLocked(locked_until)
        raise SignInFailed(BAD_CREDENTIALS)
    if not user.active:
        record_event(
            "sign_in.failure",
            actor_id=None,
            subject_type="user",
            subject_id=str(user.id),
            detail={"reason": "disabled"},
        )
        raise SignInFailed(BAD_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    if not user.mfa_enabled:
        _complete(user, now, method="password")
        return PasswordChecked(user, needs_code=False)
    return PasswordChecked(user, needs_code=True)


def check_second_factor(user: User, code: str, *, at: float | None = None) -> None:
    """Second step: a code from the authenticator app, or an unused recovery code.

    Like ``check_password``, a failure is recorded and kept (it counts towards lockout).

    Raises:
        AccountLocked / SignInFailed as for ``check_password`` (failures count towards lockout).
    """
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if not user.active or not user.mfa_enabled or not user.mfa_secret:
        raise SignInFailed(BAD_CREDENTIALS)
    step = totp.matching_step(user.mfa_secret, code, at=at, after_step=user.mfa_last_step)
    if step is not None:
        user.mfa_last_step = step
        _complete(user, now, method="totp")
        return
    if use_recovery_code(user, code, now):
        _complete(user, now, method="recovery_code")
        return
    user.failed_attempts += 1
    record_event(
        "sign_in.failure",
        actor_id=None,
        subject_type="user",
        subject_id=str(user.id),
        detail={"reason": "bad_code"},
    )
    _lock_if_needed(user, now)
    locked_until = user.locked_until
    if locked_until is not None and locked_until > now:
        raise AccountLocked(locked_until)
    raise SignInFailed(BAD_CODE)


def use_recovery_code(user: User, code: str, now: datetime) -> bool:
    """Spend a recovery code if it matches one not yet used."""
    wanted = totp.hash_recovery_code(code)
    if len(totp.normalise_recovery_code(code)) != 12:
        return False
    found = db.session.scalar(
        db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == wanted,
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = now
    record_event(
        "mfa.recovery_code_used", actor_id=user.id, subject_type="user", subject_id=str(user.id)
    )
    return True


def _complete(user: User, now: datetime, *, method: str) -> None:
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    record_event(
        "sign_in",
        actor_id=user.id,
        subject_type="user",
        subject_id=str(user.id),
        detail={"method": method},
        actor_label=",".join(sorted(user.roles)),
    )


def sign_out_everywhere(user: User) -> None:
    """End every session of this user (on every device) by bumping the session version."""
    user.session_version += 1
    record_event(
        "sign_out.everywhere", actor_id=user.id, subject_type="user", subject_id=str(user.id)
    )


def record_sign_out(user: User, *, reason: str = "user") -> None:
    record_event(
        "sign_out",
        actor_id=user.id,
        subject_type="user",
        subject_id=str(user.id),
        detail={"reason": reason},
    )


def load_session_user(session_user_id: str) -> User | None:
    """Flask-Login's loader: ``"<id>:<session version>"``; an old version means signed out."""
    user_id, _, version = session_user_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
