"""Time-based one-time passwords (RFC 6238) and recovery codes for two-factor sign-in."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# Readable alphabet: no 0/O or 1/I/L to misread when typed from paper.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_secret() -> str:
    """A fresh base32 secret (160 bits) for an authenticator app."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads (also shown as text to type in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def matching_step(
    secret: str, code: str, *, at: float | None = None, after_step: int | None = None
) -> int | None:
    """The time-step the code belongs to (allowing one step of clock drift), or None.

    A step at or before ``after_step`` is refused so a code cannot be replayed.
    """
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    now = time.time() if at is None else at
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current, current - 1, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_at(secret: str, at: float | None = None) -> str:
    """The code an authenticator would show at a given time (used by tests and set-up)."""
    return pyotp.TOTP(secret).at(time.time() if at is None else at)


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes like ``k7m2-x9qp-4hta``: 60 bits each, easy to copy down."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def hash_recovery_code(code: str) -> str:
    """SHA-256 is enough here: the codes are long and random, unlike passwords."""
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
