"""Every route x every role (and anonymous): allowed or turned away, as its declared rule says.

Generated from the URL map, so a new route is covered the moment it exists, and a route with
no declared access rule fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from signpost.access import PUBLIC, access_rule, roles_for_rule
from signpost.accounts.models import Role
from tests.accounts_support import FAST_HASHING, sign_in_as

ANONYMOUS = "anonymous"
PRINCIPALS = [ANONYMOUS, *(r.value for r in Role)]

# Pinned expectations for sensitive pages: if a rule is loosened by mistake, this fails.
PINNED: dict[str, set[str]] = {
    "admin_users.users": {"admin"},
    "admin_users.invite": {"admin"},
    "admin_users.edit": {"admin"},
    "admin_users.disable": {"admin"},
    "admin_users.enable": {"admin"},
    "admin_users.reset_mfa": {"admin"},
    "admin_users.resend_invitation": {"admin"},
    "admin_users.teams": {"admin"},
    "audit.search": {"admin"},
    "accounts.account": set(Role),
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return FAST_HASHING


def routes(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (r.rule, sorted(r.methods or [])),
    )


def sample_url(app: Flask, rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 999999 if isinstance(converter, IntegerConverter) else "matrix-test"
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def method_for(rule: Rule) -> str:
    methods = rule.methods or set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if method in methods:
            return method
    raise AssertionError(f"{rule.endpoint} answers no usual method")


def test_every_endpoint_declares_an_access_rule(app):
    missing = [
        f"{r.endpoint} ({r.rule})"
        for r in routes(app)
        if access_rule(app.view_functions[r.endpoint]) is None
    ]
    assert not missing, (
        "These endpoints have no access rule (decorate the view with "
        "@public, @signed_in, @requires_role(...) or @requires_permission(...)): "
        + ", ".join(missing)
    )


def test_every_rule_is_one_the_matrix_understands(app):
    for rule in routes(app):
        declared = access_rule(app.view_functions[rule.endpoint])
        if declared is not None:
            roles_for_rule(declared)  # raises for an unknown rule


def test_pinned_sensitive_pages_allow_only_the_expected_roles(app):
    for endpoint, expected in PINNED.items():
        if endpoint not in app.view_functions:
            continue  # not built (yet)
        allowed = roles_for_rule(access_rule(app.view_functions[endpoint]))
        assert allowed is not None, f"{endpoint} must not be public"
        assert {str(r) for r in allowed} == {str(r) for r in expected}, endpoint


def test_staff_and_admin_addresses_are_never_public(app):
    for rule in routes(app):
        if rule.rule.startswith(("/admin", "/staff", "/account")):
            assert access_rule(app.view_functions[rule.endpoint]) != PUBLIC, rule.endpoint


def _users(
    make_user: Any, make_team: Any, make_practice: Any, make_organization: Any
) -> dict[str, Any]:
    team, practice, org = make_team(), make_practice(), make_organization()
    links = {
        "coordinator": {"team": team},
        "referrer": {"practice": practice},
        "provider": {"organization": org},
    }
    return {
        role.value: make_user(role.value, mfa=True, **links.get(role.value, {})) for role in Role
    }


def _denied(response: Any, principal: str) -> bool:
    if principal == ANONYMOUS:
        if response.status_code == 401:
            return True
        return response.status_code == 302 and "/sign-in" in response.headers.get("Location", "")
    return response.status_code == 403


def test_access_matrix_every_route_every_role(
    app, make_user, make_team, make_practice, make_organization
):
    users = _users(make_user, make_team, make_practice, make_organization)
    problems = []
    checked = 0
    for rule in routes(app):
        declared = access_rule(app.view_functions[rule.endpoint])
        if declared is None:
            continue  # reported by test_every_endpoint_declares_an_access_rule
        allowed = roles_for_rule(declared)
        url, method = sample_url(app, rule), method_for(rule)
        for principal in PRINCIPALS:
            client = app.test_client()
            if principal != ANONYMOUS:
                sign_in_as(client, users[principal])
            response = client.open(url, method=method)
            expect_allowed = allowed is None or (principal != ANONYMOUS and principal in allowed)
            # A public page may itself send someone on (e.g. the code step without a password
            # step first); only a refusal counts as being turned away there.
            denied = (
                response.status_code in (401, 403)
                if allowed is None
                else _denied(response, principal)
            )
            checked += 1
            if expect_allowed == denied:
                problems.append(
                    f"{method} {url} [{rule.endpoint}, rule {declared}] as "
                    f"{principal}: expected {'allow' if expect_allowed else 'deny'}"
                    f", got {response.status_code}"
                )
    assert checked >= len(PRINCIPALS) * 10
    assert not problems, "\n".join(problems)


def test_signed_in_user_without_two_factor_is_sent_to_set_it_up(app, make_user, make_team):
    """Roles that can see personal data reach nothing but set-up and sign-out until MFA is on."""
    user = make_user("coordinator", mfa=False, team=make_team())
    client = app.test_client()
    sign_in_as(client, user)
    for rule in routes(app):
        declared = access_rule(app.view_functions[rule.endpoint])
        if declared in (None, PUBLIC, "signed_in_pending_mfa"):
            continue
        response = client.open(sample_url(app, rule), method=method_for(rule))
        assert response.status_code == 302, rule.endpoint
        assert response.headers["Location"].endswith("/account/two-factor"), rule.endpoint
