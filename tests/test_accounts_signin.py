"""Signing in: passwords, lockout, throttling, two-factor, sessions, CSRF."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from signpost.accounts import IDLE_KEY, totp
from signpost.accounts.models import User
from signpost.accounts.passwords import PasswordHasher, needs_rehash, verify_password
from signpost.extensions import db
from signpost.types import utcnow
from tests.accounts_support import (
    FAST_HASHING,
    PASSWORD,
    audit_actions,
    audit_events,
    csrf_token_from,
    post_sign_in,
    sign_in_as,
)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {**FAST_HASHING, "LOCKOUT_THRESHOLD": 3, "LOCKOUT_MINUTES": 15}


def signed_in_user_id(client: Any) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_editor_signs_in_with_password_and_lands_on_account(client, make_user):
    user = make_user("editor")
    response = post_sign_in(client, "  USER" + user.email[4:].upper() + " ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    assert signed_in_user_id(client) == user.get_id()
    page = client.get("/account").get_data(as_text=True)
    assert user.email in page and "Directory editor" in page
    db.session.refresh(user)
    assert user.last_login_at is not None
    [event] = audit_events("sign_in")
    assert event.actor_id == user.id and event.detail["method"] == "password"


def test_wrong_password_is_refused_counted_and_audited(client, make_user):
    user = make_user("editor")
    response = post_sign_in(client, user.email, "not the right password")
    assert response.status_code == 400
    assert "The email address or password is not right" in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None
    db.session.refresh(user)
    assert user.failed_attempts == 1
    [event] = audit_events("sign_in.failure")
    assert event.subject_id == str(user.id) and event.detail["reason"] == "bad_password"


def test_unknown_email_gets_the_same_message_and_is_audited(client, make_user):
    response = post_sign_in(client, "nobody@example.org")
    assert response.status_code == 400
    assert "The email address or password is not right" in response.get_data(as_text=True)
    [event] = audit_events("sign_in.failure")
    assert event.subject_id is None and event.detail["reason"] == "unknown_account"


def test_disabled_account_cannot_sign_in(client, make_user):
    user = make_user("editor", active=False)
    response = post_sign_in(client, user.email)
    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    assert audit_events("sign_in.failure")[0].detail["reason"] == "disabled"


def test_account_locks_after_repeated_failures_with_a_clear_message(client, make_user):
    user = make_user("editor")
    for _ in range(2):
        assert "not right" in post_sign_in(client, user.email, "wrong password!!").get_data(
            as_text=True
        )
    third = post_sign_in(client, user.email, "wrong password!!").get_data(as_text=True)
    assert "locked because of too many failed sign-in attempts" in third
    assert "Try again in 15 minutes" in third
    # Even the right password is refused while locked.
    right = post_sign_in(client, user.email)
    assert right.status_code == 400 and "locked" in right.get_data(as_text=True)
    assert signed_in_user_id(client) is None
    assert len(audit_events("sign_in.lockout")) == 1
    assert audit_events("sign_in.lockout")[0].subject_id == str(user.id)
    # Once the lock runs out, the right password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_sign_in(client, user.email).status_code == 302
    assert signed_in_user_id(client) == user.get_id()


def test_password_hash_is_argon2id_and_rehashed_when_parameters_change(app, client, make_user):
    user = make_user("editor")
    assert user.password_hash.startswith("$argon2id$")
    assert not needs_rehash(user.password_hash)
    old_hash = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    assert needs_rehash(old_hash)
    assert post_sign_in(client, user.email).status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert "t=2" in user.password_hash and not needs_rehash(user.password_hash)
    assert verify_password(user.password_hash, PASSWORD)
    assert PasswordHasher  # the module exposes the hasher class it uses


def test_coordinator_needs_a_code_after_the_password(client, make_user, make_team):
    user = make_user("coordinator", team=make_team())
    response = post_sign_in(client, user.email)
    assert response.headers["Location"].endswith("/sign-in/code")
    assert signed_in_user_id(client) is None
    assert client.get("/account").status_code == 302  # not signed in yet
    bad = client.post("/sign-in/code", data={"code": "000000"})
    assert bad.status_code == 400 and "code is not right" in bad.get_data(as_text=True)
    code = totp.code_at(user.mfa_secret)
    ok = client.post("/sign-in/code", data={"code": code})
    assert ok.status_code == 302 and signed_in_user_id(client) == user.get_id()
    assert audit_events("sign_in")[0].detail["method"] == "totp"
    # The same code cannot be used again (replay), even in a new sign-in.
    client.post("/sign-out")
    post_sign_in(client, user.email)
    again = client.post("/sign-in/code", data={"code": code})
    assert again.status_code == 400 and signed_in_user_id(client) is None


def test_recovery_code_works_once(client, make_user, make_team):
    from signpost.accounts import operations

    user = make_user("coordinator", team=make_team())
    codes = operations.regenerate_recovery_codes(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    post_sign_in(client, user.email)
    assert client.post("/sign-in/code", data={"code": codes[0].upper()}).status_code == 302
    assert "mfa.recovery_code_used" in audit_actions()
    client.post("/sign-out")
    post_sign_in(client, user.email)
    reused = client.post("/sign-in/code", data={"code": codes[0]})
    assert reused.status_code == 400 and signed_in_user_id(client) is None
    assert client.post("/sign-in/code", data={"code": codes[1]}).status_code == 302


def test_wrong_codes_count_towards_lockout(client, make_user, make_team):
    user = make_user("coordinator", team=make_team())
    post_sign_in(client, user.email)
    for _ in range(3):
        response = client.post("/sign-in/code", data={"code": "123456"})
    assert "locked" in response.get_data(as_text=True)
    assert (
        client.post("/sign-in/code", data={"code": totp.code_at(user.mfa_secret)}).status_code
        == 400
    )


def test_role_with_personal_data_must_set_up_two_factor_first(client, make_user, make_practice):
    user = make_user("referrer", mfa=False, practice=make_practice())
    response = post_sign_in(client, user.email)
    assert response.headers["Location"].endswith("/account/two-factor")
    # Every other staff page sends them back to the set-up page.
    assert client.get("/account").headers["Location"].endswith("/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    db.session.refresh(user)
    assert user.mfa_secret and not user.mfa_enabled
    assert "otpauth://totp/" in page and user.mfa_secret[:4] in page
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 400 and "code is not right" in wrong.get_data(as_text=True)
    done = client.post("/account/two-factor", data={"code": totp.code_at(user.mfa_secret)})
    assert done.status_code == 200
    assert done.get_data(as_text=True).count("<code>") == 10
    db.session.refresh(user)
    assert user.mfa_enabled and len(user.recovery_codes) == 10
    assert client.get("/account").status_code == 200
    assert "mfa.enable" in audit_actions()


def test_champion_does_not_need_two_factor(client, make_user):
    user = make_user("champion")
    assert post_sign_in(client, user.email).headers["Location"].endswith("/account")


def test_idle_session_ends_after_configured_minutes(app, client, make_user):
    user = make_user("editor")
    sign_in_as(client, user)
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        session[IDLE_KEY] = int(time.time()) - 31 * 60
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert signed_in_user_id(client) is None
    page = client.get("/sign-in").get_data(as_text=True)
    assert "signed out because you had not done anything for a while" in page
    assert audit_events("sign_out")[-1].detail["reason"] == "idle"


def test_activity_keeps_the_session_alive(client, make_user):
    user = make_user("editor")
    sign_in_as(client, user)
    with client.session_transaction() as session:
        session[IDLE_KEY] = int(time.time()) - 29 * 60
    assert client.get("/account").status_code == 200
    assert client.get("/account").status_code == 200


def test_sign_out_everywhere_ends_other_sessions(app, make_user):
    user = make_user("editor")
    laptop, phone = app.test_client(), app.test_client()
    sign_in_as(laptop, user)
    sign_in_as(phone, user)
    assert phone.get("/account").status_code == 200
    laptop.post("/account/sign-out-everywhere")
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 302
    assert "sign_out.everywhere" in audit_actions()


def test_sign_out_ends_the_session(client, make_user):
    user = make_user("editor")
    sign_in_as(client, user)
    response = client.post("/sign-out")
    assert response.headers["Location"].endswith("/sign-in")
    assert client.get("/account").status_code == 302
    assert "sign_out" in audit_actions()


def test_next_address_is_followed_only_within_the_site(client, make_user):
    user = make_user("editor")
    response = client.post(
        "/sign-in?next=//evil.example/steal", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/account")
    client.post("/sign-out")
    response = client.post(
        "/sign-in?next=/admin/audit/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/admin/audit/")


def test_change_password_checks_the_current_one_and_ends_other_sessions(app, make_user):
    user = make_user("editor")
    mine, other = app.test_client(), app.test_client()
    sign_in_as(mine, user)
    sign_in_as(other, user)
    new = "a brand new long passphrase"
    wrong = mine.post(
        "/account/password", data={"current": "nope nope nope", "password": new, "confirm": new}
    )
    assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(
        as_text=True
    )
    weak = mine.post(
        "/account/password",
        data={"current": PASSWORD, "password": "password1234", "confirm": "password1234"},
    )
    assert weak.status_code == 400 and "very common" in weak.get_data(as_text=True)
    ok = mine.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert ok.status_code == 302
    assert mine.get("/account").status_code == 200  # this session carries on
    assert other.get("/account").status_code == 302  # the other one has ended
    db.session.refresh(user)
    assert verify_password(user.password_hash, new)


class TestThrottling:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {
            **FAST_HASHING,
            "RATELIMIT_ENABLED": True,
            "LOCKOUT_THRESHOLD": 100,
            "SIGN_IN_LIMIT_PER_ACCOUNT": "3 per minute",
            "SIGN_IN_LIMIT_PER_ADDRESS": "6 per minute",
        }

    def test_attempts_on_one_account_are_throttled(self, client, make_user):
        user = make_user("editor")
        for _ in range(3):
            assert post_sign_in(client, user.email, "wrong password!!").status_code == 400
        blocked = post_sign_in(client, user.email)
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.get_data(as_text=True)
        assert signed_in_user_id(client) is None
        # Another account from the same address is still allowed (address limit is higher).
        other = make_user("editor")
        assert post_sign_in(client, other.email).status_code == 302

    def test_attempts_from_one_address_are_throttled(self, client, make_user):
        for n in range(6):
            assert post_sign_in(client, f"someone{n}@example.org").status_code == 400
        assert post_sign_in(client, "another@example.org").status_code == 429
        other_address = post_sign_in(
            client, "another@example.org", environ_base={"REMOTE_ADDR": "192.0.2.9"}
        )
        assert other_address.status_code == 400


class TestCsrf:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {**FAST_HASHING, "WTF_CSRF_ENABLED": True}

    def test_sign_in_without_csrf_token_is_rejected_and_changes_nothing(self, client, make_user):
        user = make_user("editor")
        response = post_sign_in(client, user.email, "wrong password!!")
        assert response.status_code == 400
        assert signed_in_user_id(client) is None
        db.session.refresh(user)
        assert user.failed_attempts == 0
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        ok = client.post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert ok.status_code == 302 and signed_in_user_id(client) == user.get_id()

    def test_sign_out_everywhere_needs_the_token(self, client, make_user):
        user = make_user("editor")
        sign_in_as(client, user)
        response = client.post("/account/sign-out-everywhere")
        assert response.status_code == 400
        db.session.refresh(user)
        assert user.session_version == 1
        assert client.get("/account").status_code == 200
        assert isinstance(user, User)
