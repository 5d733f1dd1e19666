"""The one rule for an email address and the one for a mobile number, used by every form and by
the messaging outbox.

Email addresses are checked with ``email-validator`` for their shape only (no DNS lookup: the
site makes no outside requests, and a bounce tells us more than a lookup would). Mobile numbers
are read with ``phonenumbers`` (UK numbers may be written 07...) and must be mobiles: a text to
a landline never arrives.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

EMAIL_EXAMPLE = "name@example.com"
MAX_EMAIL_LENGTH = 254
# Ofcom keeps 07700 900000 to 07700 900999 for drama and testing: never given to a real phone,
# so libphonenumber calls them invalid. Demos and tests use them so they can never text anyone.
_DRAMA_MOBILES = range(447700900000, 447700901000)
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class NotAnAddress(ValueError):
    """The text is not an email address or mobile number we can use; the message says why."""


def check_email_address(text: str | None) -> str:
    """The address with its domain in lower case, or NotAnAddress."""
    candidate = (text or "").strip()
    if not candidate or len(candidate) > MAX_EMAIL_LENGTH:
        raise NotAnAddress(f"Enter an email address like {EMAIL_EXAMPLE}.")
    try:
        checked = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        raise NotAnAddress(f"Enter an email address like {EMAIL_EXAMPLE}.") from None
    return checked.normalized


def is_email_address(text: str | None) -> bool:
    try:
        check_email_address(text)
    except NotAnAddress:
        return False
    return True


def check_mobile_number(text: str | None) -> str:
    """A mobile number in international form (+447700900123), or NotAnAddress."""
    try:
        number = phonenumbers.parse((text or "").strip(), "GB")
    except phonenumbers.NumberParseException:
        raise NotAnAddress("Enter a mobile number, like 07700 900123.") from None
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if int(international.lstrip("+") or 0) in _DRAMA_MOBILES:
        return international
    if not phonenumbers.is_valid_number(number):
        raise NotAnAddress("Enter a mobile number, like 07700 900123.")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise NotAnAddress("That is not a mobile number, so it cannot receive a text message.")
    return international
