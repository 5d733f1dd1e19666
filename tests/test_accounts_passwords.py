"""Password policy, the shipped common-password list, and TOTP helpers."""

from __future__ import annotations

import pytest

from signpost.accounts import totp
from signpost.accounts.passwords import (
    WeakPassword,
    check_password_policy,
    common_passwords,
)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "at least 12 characters"),
        ("password1234", "very common"),
        ("Password1234!", "very common"),
        ("qwertyuiop12", "very common"),
        ("123456789012", "very common"),
        ("liverpool2024", "very common"),
        ("aaaaaaaaaaaaaaaa", "very common"),
        ("zyx zyx zyx zyx", "repeats the same"),
        ("x" * 129, "128 characters or fewer"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_password_policy(password)


def test_password_must_not_contain_the_persons_name_or_email():
    with pytest.raises(WeakPassword, match="name or email"):
        check_password_policy("winifred-likes-tea", name="Winifred Oduya")
    with pytest.raises(WeakPassword, match="name or email"):
        check_password_policy("hello w.oduya99 !!", email="w.oduya99@example.org")


def test_a_long_passphrase_is_accepted():
    check_password_policy("correct horse battery staple", email="sam@example.org", name="Sam Lee")


def test_common_list_is_ours_and_has_thousands_of_entries():
    words = common_passwords()
    assert len(words) > 3000
    assert {"password1234", "qwertyuiop", "iloveyou2024", "1234567890"} <= words
    assert all(w == w.lower() and w.strip() == w for w in words)


def test_totp_code_is_accepted_once_and_only_near_its_time():
    secret = totp.new_secret()
    now = 1_700_000_000.0
    code = totp.code_at(secret, now)
    step = totp.matching_step(secret, code, at=now)
    assert step == int(now // 30)
    assert totp.matching_step(secret, code, at=now + 30) == step  # one step of drift is allowed
    assert totp.matching_step(secret, code, at=now + 120) is None
    assert totp.matching_step(secret, code, at=now, after_step=step) is None  # no replay
    assert totp.matching_step(secret, "12345a", at=now) is None


def test_provisioning_uri_names_the_site_and_account():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "sam@example.org", "Signpost")
    assert uri.startswith("otpauth://totp/Signpost:sam%40example.org?")
    assert "issuer=Signpost" in uri and "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri


def test_recovery_codes_are_random_readable_and_hashed_without_formatting():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 14 and c.count("-") == 2 for c in codes)
    assert totp.hash_recovery_code(codes[0]) == totp.hash_recovery_code(
        codes[0].upper().replace("-", " ")
    )
