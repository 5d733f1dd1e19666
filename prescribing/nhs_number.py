"""NHS number checks: ten digits, the last a Modulus 11 check digit."""

from __future__ import annotations


class InvalidNHSNumber(ValueError):
    pass


def normalise_nhs_number(text: str) -> str:
    """Return the ten digits of a valid NHS number, or raise InvalidNHSNumber with a reason."""
    digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if not digits.isdigit() or len(digits) != 10:
        raise InvalidNHSNumber("An NHS number has 10 digits, for example 943 476 5919.")
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        raise InvalidNHSNumber("That is not a valid NHS number. Please check the digits.")
    return digits
