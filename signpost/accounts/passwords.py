"""Password hashing (argon2id) and the password policy.

Policy (ASVS level 2 / NCSC guidance): at least 12 characters, no upper limit below 128, no
composition rules, and never a password on our list of common ones or built from the person's
own name or email address.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


class WeakPassword(ValueError):
    """The password breaks the policy; the message says why in plain English."""


def hasher() -> PasswordHasher:
    """An argon2id hasher with the configured cost parameters."""
    config = current_app.config if has_app_context() else {}
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; False for a mismatch or an unusable hash."""
    if not password_hash:
        # Spend the same effort as a real check so timing does not reveal the account state.
        hasher().hash(password)
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with other parameters than the configured ones."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _normalise(password: str) -> str:
    return re.sub(r"\s+", "", password.lower())


def check_password_policy(password: str, *, email: str = "", name: str = "") -> None:
    """Raise WeakPassword with a plain-English reason when the password is not acceptable."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Your password must be at least {MIN_LENGTH} characters long.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Your password must be {MAX_LENGTH} characters or fewer.")
    normal = _normalise(password)
    common = common_passwords()
    if normal in common or normal.rstrip("0123456789!?.@#$*") in common:
        raise WeakPassword(
            "That password is too easy to guess because it is very common. "
            "Try three or four random words together."
        )
    if len(set(normal)) <= 3:
        raise WeakPassword(
            "That password is too easy to guess because it repeats the same few characters."
        )
    personal = [
        part
        for part in re.split(r"[^a-z0-9]+", (email.split("@")[0] + " " + name).lower())
        if len(part) >= 4
    ]
    if any(part in normal for part in personal):
        raise WeakPassword("Your password must not contain your name or email address.")
