"""Password reset and invitations: emailed, single-use, expiring tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from signpost.accounts.models import AccountToken
from signpost.accounts.passwords import verify_password
from signpost.extensions import db
from signpost.messaging import OutboxMessage
from signpost.types import utcnow
from tests.accounts_support import FAST_HASHING, PASSWORD, audit_actions, post_sign_in, sign_in_as

NEW_PASSWORD = "marmalade tugboat lantern"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return FAST_HASHING


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.text_body)
    assert match, message.text_body
    return match.group(1)


def test_reset_link_is_emailed_and_sets_a_new_password_once(client, make_user):
    user = make_user("editor")
    page = client.post("/password-reset", data={"email": user.email.upper()})
    assert "Check your email" in page.get_data(as_text=True)
    [message] = outbox()
    assert message.recipient == user.email and message.purpose == "accounts.password_reset"
    path = link_path(message)
    assert path.startswith("/password-reset/")
    # Only a hash of the token is stored.
    token = path.rsplit("/", 1)[1]
    assert db.session.scalar(db.select(AccountToken.token_hash)) != token
    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/sign-in")
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert "password.reset" in audit_actions()
    # Used once: the same link now fails and changes nothing.
    again = client.post(
        path, data={"password": "another fine passphrase", "confirm": "another fine passphrase"}
    )
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert post_sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(client, make_user):
    user = make_user("editor")
    client.post("/password-reset", data={"email": user.email})
    path = link_path(outbox()[0])
    token = db.session.scalar(db.select(AccountToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_a_newer_reset_link_cancels_the_older_one(client, make_user):
    user = make_user("editor")
    client.post("/password-reset", data={"email": user.email})
    client.post("/password-reset", data={"email": user.email})
    first, second = (link_path(m) for m in outbox())
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client):
    page = client.post("/password-reset", data={"email": "nobody@example.org"})
    assert "Check your email" in page.get_data(as_text=True)
    assert outbox() == []


def test_made_up_token_is_refused(client):
    response = client.get("/password-reset/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_weak_password_on_reset_is_refused_and_the_link_still_works(client, make_user):
    user = make_user("editor")
    client.post("/password-reset", data={"email": user.email})
    path = link_path(outbox()[0])
    weak = client.post(path, data={"password": "qwertyuiop123", "confirm": "qwertyuiop123"})
    assert weak.status_code == 400 and "very common" in weak.get_data(as_text=True)
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "12 to 128 characters" in short.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)
    assert (
        client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )


def test_reset_ends_existing_sessions(app, make_user):
    user = make_user("editor")
    browser, attacker = app.test_client(), app.test_client()
    sign_in_as(attacker, user)
    browser.post("/password-reset", data={"email": user.email})
    path = link_path(outbox()[0])
    browser.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert attacker.get("/account").status_code == 302


def test_invitation_from_admin_screen_lets_the_person_choose_a_password(
    client, make_user, make_team
):
    admin = make_user("admin")
    team = make_team("North")
    sign_in_as(client, admin)
    response = client.post(
        "/admin/users/invite",
        data={
            "email": "new.worker@example.org",
            "name": "New Worker",
            "roles": ["coordinator"],
            "team_id": str(team.id),
            "referring_organisation_id": "",
            "organization_id": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [message] = outbox()
    assert message.recipient == "new.worker@example.org"
    assert message.purpose == "accounts.invitation"
    path = link_path(message)
    client.post("/sign-out")
    assert "Welcome, New Worker" in client.get(path).get_data(as_text=True)
    assert (
        client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    # A coordinator must set up two-factor sign-in straight away.
    signed = post_sign_in(client, "new.worker@example.org", NEW_PASSWORD)
    assert signed.headers["Location"].endswith("/account/two-factor")
    assert {"user.create", "invitation.send", "invitation.accept"} <= set(audit_actions())
    # The invitation link cannot be used twice.
    assert client.get(path).status_code == 400


def test_invitation_to_disabled_account_is_refused(client, make_user):
    from signpost.accounts import tokens

    admin = make_user("admin")
    invited = make_user("editor", password=None, active=False)
    tokens.send_invitation(invited, actor=admin, link_for=lambda raw: f"http://x/invitation/{raw}")
    response = client.get(link_path(outbox()[0]))
    assert response.status_code == 400 and "disabled" in response.get_data(as_text=True)
