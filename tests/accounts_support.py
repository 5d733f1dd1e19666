"""Helpers for the accounts, permissions and access-matrix tests: users, signing in, audit."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from signpost.accounts import IDLE_KEY, totp
from signpost.accounts.models import ReferringOrganisation, Role, Team, User, UserRole
from signpost.accounts.passwords import hash_password
from signpost.audit import AuditEvent
from signpost.extensions import db

PASSWORD = "correct horse battery staple"
# Cheap argon2id parameters so tests do not spend a second per hash.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}

_counter = itertools.count(1)


@pytest.fixture
def make_user(app: Any) -> Callable[..., User]:
    """make_user("coordinator", mfa=True, team=..., practice=..., organization=..., **fields)."""

    def make(
        *roles: str,
        mfa: bool | None = None,
        password: str | None = PASSWORD,
        team: Team | None = None,
        practice: ReferringOrganisation | None = None,
        organization: Any = None,
        **kw: Any,
    ) -> User:
        n = next(_counter)
        user = User(
            email=kw.pop("email", f"user{n}@example.org"),
            name=kw.pop("name", f"User {n}"),
            password_hash=hash_password(password) if password else None,
            active=kw.pop("active", True),
            session_version=1,
            failed_attempts=0,
            team_id=team.id if team else None,
            referring_organisation_id=practice.id if practice else None,
            organization_id=organization.id if organization else None,
            **kw,
        )
        user.role_rows = [UserRole(role=Role(r)) for r in roles]
        if mfa is None:
            mfa = user.mfa_required
        if mfa:
            user.mfa_secret = totp.new_secret()
            user.mfa_enabled = True
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_team(app: Any) -> Callable[..., Team]:
    def make(name: str | None = None) -> Team:
        team = Team(name=name or f"Team {next(_counter)}")
        db.session.add(team)
        db.session.commit()
        return team

    return make


@pytest.fixture
def make_practice(app: Any) -> Callable[..., ReferringOrganisation]:
    def make(name: str | None = None, ods_code: str | None = None) -> ReferringOrganisation:
        n = next(_counter)
        org = ReferringOrganisation(
            name=name or f"Practice {n}",
            ods_code=ods_code or f"X{n:05d}",
            kind="gp_practice",
            active=True,
        )
        db.session.add(org)
        db.session.commit()
        return org

    return make


def sign_in_as(client: FlaskClient, user: User) -> None:
    """Put a signed-in session for the user into the client's cookie (no password round trip)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[IDLE_KEY] = int(time.time())


def post_sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **kw: Any) -> Any:
    return client.post("/sign-in", data={"email": email, "password": password}, **kw)


def audit_actions(**filters: Any) -> list[str]:
    """The actions recorded so far (oldest first), optionally filtered by column values."""
    query = db.select(AuditEvent).order_by(AuditEvent.id)
    for name, value in filters.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return [event.action for event in db.session.scalars(query)]


def audit_events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
