"""Admin screens and `flask users` commands: invite, edit roles, disable, reset two-factor."""

from __future__ import annotations

from typing import Any

import pytest

from signpost.accounts import operations
from signpost.accounts.authentication import find_user_by_email
from signpost.accounts.models import Role, User
from signpost.extensions import db
from signpost.messaging import OutboxMessage
from signpost.permissions import PermissionDenied
from tests.accounts_support import FAST_HASHING, audit_events, post_sign_in, sign_in_as


@pytest.fixture
def app_config() -> dict[str, Any]:
    return FAST_HASHING


def count_users() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


def test_admin_sees_the_list_of_users(client, make_user):
    admin = make_user("admin", name="Ada Admin")
    make_user("champion", name="Chris Champion")
    sign_in_as(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Ada Admin" in page and "Chris Champion" in page and "champion" in page


def test_non_admin_cannot_open_or_use_the_admin_screens(client, make_user):
    coordinator = make_user("manager")
    victim = make_user("editor")
    sign_in_as(client, coordinator)
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{victim.id}/disable").status_code == 403
    db.session.refresh(victim)
    assert victim.active


def test_operations_check_permission_too(make_user):
    editor = make_user("editor")
    with pytest.raises(PermissionDenied):
        operations.create_user("x@example.org", "X", ["admin"], actor=editor)
    with pytest.raises(PermissionDenied):
        operations.set_active(editor, False, actor=editor)
    assert count_users() == 1


def test_invite_with_missing_practice_gives_a_clear_message_and_creates_nothing(client, make_user):
    admin = make_user("admin")
    sign_in_as(client, admin)
    response = client.post(
        "/admin/users/invite",
        data={
            "email": "gp@example.org",
            "name": "Dr Example",
            "roles": ["referrer"],
            "team_id": "",
            "referring_organisation_id": "",
            "organization_id": "",
        },
    )
    assert response.status_code == 400
    assert "A referrer must be linked to their practice" in response.get_data(as_text=True)
    assert find_user_by_email("gp@example.org") is None
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_invite_with_duplicate_email_is_refused(client, make_user):
    admin = make_user("admin")
    existing = make_user("editor")
    sign_in_as(client, admin)
    response = client.post(
        "/admin/users/invite",
        data={
            "email": existing.email,
            "name": "Someone",
            "roles": ["editor"],
            "team_id": "",
            "referring_organisation_id": "",
            "organization_id": "",
        },
    )
    assert response.status_code == 400
    assert "already an account" in response.get_data(as_text=True)
    assert count_users() == 2


def test_role_change_is_saved_audited_and_ends_sessions_when_roles_are_removed(
    app, client, make_user, make_practice
):
    admin = make_user("admin")
    user = make_user("editor", "champion")
    practice = make_practice()
    their_browser = app.test_client()
    sign_in_as(their_browser, user)
    sign_in_as(client, admin)
    form = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="editor" checked' in form or "checked" in form
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "email": user.email,
            "name": "Renamed Person",
            "roles": ["referrer"],
            "team_id": "",
            "referring_organisation_id": str(practice.id),
            "organization_id": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.roles == {Role.REFERRER} and user.name == "Renamed Person"
    assert user.referring_organisation_id == practice.id
    [event] = audit_events("user.roles_change")
    assert event.actor_id == admin.id and event.subject_id == str(user.id)
    assert event.detail == {"before": ["champion", "editor"], "after": ["referrer"]}
    assert their_browser.get("/account").status_code == 302


def test_admin_cannot_remove_their_own_admin_role(client, make_user):
    admin = make_user("admin")
    sign_in_as(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}",
        data={
            "email": admin.email,
            "name": admin.name,
            "roles": ["editor"],
            "team_id": "",
            "referring_organisation_id": "",
            "organization_id": "",
        },
    )
    assert response.status_code == 400
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert Role.ADMIN in admin.roles


def test_disabling_stops_sign_in_and_ends_sessions(app, client, make_user):
    admin = make_user("admin")
    user = make_user("editor")
    their_browser = app.test_client()
    sign_in_as(their_browser, user)
    sign_in_as(client, admin)
    client.post(f"/admin/users/{user.id}/disable")
    db.session.refresh(user)
    assert not user.active
    assert their_browser.get("/account").status_code == 302
    assert post_sign_in(app.test_client(), user.email).status_code == 400
    assert audit_events("user.disable")[0].actor_id == admin.id
    client.post(f"/admin/users/{user.id}/enable")
    db.session.refresh(user)
    assert user.active


def test_reset_mfa_makes_them_set_it_up_again(client, make_user, make_team):
    admin = make_user("admin")
    user = make_user("coordinator", team=make_team())
    operations.regenerate_recovery_codes(user)
    sign_in_as(client, admin)
    client.post(f"/admin/users/{user.id}/reset-mfa")
    db.session.refresh(user)
    assert not user.mfa_enabled and user.mfa_secret is None and user.recovery_codes == []
    assert audit_events("mfa.reset")[0].subject_id == str(user.id)


def test_unknown_user_id_is_not_found(client, make_user):
    sign_in_as(client, make_user("admin"))
    assert client.get("/admin/users/999999").status_code == 404


def test_teams_and_practices_page_adds_and_validates(client, make_user):
    sign_in_as(client, make_user("admin"))
    client.post("/admin/teams", data={"kind": "team", "name": "West"})
    client.post(
        "/admin/teams", data={"kind": "practice", "name": "High St Surgery", "ods_code": "a81001"}
    )
    page = client.get("/admin/teams").get_data(as_text=True)
    assert "West" in page and "High St Surgery (A81001)" in page
    bad = client.post(
        "/admin/teams", data={"kind": "practice", "name": "Bad", "ods_code": "no spaces!"}
    )
    assert bad.status_code == 400 and "ODS code" in bad.get_data(as_text=True)


def test_cli_creates_first_admin_and_refuses_weak_password(runner):
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "boss@example.org",
            "--name",
            "The Boss",
            "--role",
            "admin",
            "--password",
            "password1234",
        ]
    )
    assert weak.exit_code != 0 and "very common" in weak.output
    assert find_user_by_email("boss@example.org") is None
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Boss@Example.org",
            "--name",
            "The Boss",
            "--role",
            "admin",
            "--password",
            "plum anchor velvet meadow",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert "two-factor" in ok.output
    user = find_user_by_email("boss@example.org")
    assert user.roles == {Role.ADMIN} and user.password_hash.startswith("$argon2id$")
    listed = runner.invoke(args=["users", "list"])
    assert "boss@example.org\tadmin\t2FA off\tactive" in listed.output


def test_cli_disable_enable_reset_mfa_and_links(runner, make_user):
    user = make_user("coordinator", mfa=True)
    assert runner.invoke(args=["users", "disable", user.email]).exit_code == 0
    db.session.refresh(user)
    assert not user.active
    assert user.email not in runner.invoke(args=["users", "list"]).output
    assert user.email in runner.invoke(args=["users", "list", "--all"]).output
    assert runner.invoke(args=["users", "enable", user.email]).exit_code == 0
    assert runner.invoke(args=["users", "reset-mfa", user.email]).exit_code == 0
    db.session.refresh(user)
    assert user.active and not user.mfa_enabled
    missing = runner.invoke(args=["users", "disable", "ghost@example.org"])
    assert missing.exit_code != 0 and "no account" in missing.output
    assert runner.invoke(args=["users", "add-team", "North"]).exit_code == 0
    assert (
        runner.invoke(
            args=["users", "add-practice", "Riverside Surgery", "--ods-code", "B82002"]
        ).exit_code
        == 0
    )
    gp = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "gp@example.org",
            "--name",
            "Dr GP",
            "--role",
            "referrer",
            "--ods-code",
            "b82002",
            "--password",
            "plum anchor velvet meadow",
        ]
    )
    assert gp.exit_code == 0, gp.output
    assert find_user_by_email("gp@example.org").referring_organisation.name == "Riverside Surgery"
