"""Need-to-know rules: who may do what to which object (no one reaches another practice's data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from signpost.accounts.models import Role
from signpost.extensions import db
from signpost.permissions import (
    CASELOAD_VIEW,
    LISTING_CREATE,
    LISTING_EDIT,
    REFERRAL_CREATE,
    REFERRAL_UPDATE,
    REFERRAL_VIEW,
    REPORTS_VIEW,
    USERS_MANAGE,
    PermissionDenied,
    can,
    case_filter,
    require,
)


@dataclass
class StaffStandIn:
    """A signed-in user as the rules see one."""

    roles: frozenset[Role]
    id: int = 1
    team_id: int | None = None
    referring_organisation_id: int | None = None
    organization_id: str | None = None
    leads_team_ids: set[int] = field(default_factory=set)
    is_authenticated: bool = True
    is_active: bool = True


def staff(*roles: str, **kw: Any) -> StaffStandIn:
    return StaffStandIn(roles=frozenset(Role(r) for r in roles), **kw)


@dataclass
class Referral:
    """Stand-in for the social prescribing referral (duck-typed attributes the rules read)."""

    referring_organisation_id: int | None
    team_id: int | None
    created_by_id: int | None = None


@dataclass
class Anonymous:
    is_authenticated: bool = False
    is_active: bool = False


PRACTICE_A, PRACTICE_B = 10, 20
TEAM_NORTH, TEAM_SOUTH = 1, 2


def test_referrer_sees_only_their_own_practices_referrals():
    gp = staff("referrer", referring_organisation_id=PRACTICE_A)
    ours = Referral(referring_organisation_id=PRACTICE_A, team_id=TEAM_NORTH)
    theirs = Referral(referring_organisation_id=PRACTICE_B, team_id=TEAM_NORTH)
    assert can(gp, REFERRAL_VIEW, ours)
    assert not can(gp, REFERRAL_VIEW, theirs)
    with pytest.raises(PermissionDenied):
        require(gp, REFERRAL_VIEW, theirs)
    assert not can(gp, REFERRAL_UPDATE, ours)  # referrers read; coordinators work the case


def test_referrer_without_a_practice_sees_nothing():
    gp = staff("referrer", referring_organisation_id=None)
    assert not can(gp, REFERRAL_VIEW, Referral(referring_organisation_id=None, team_id=None))


def test_referrer_refers_only_for_their_own_practice():
    gp = staff("referrer", referring_organisation_id=PRACTICE_A)
    assert can(gp, REFERRAL_CREATE, Referral(PRACTICE_A, None))
    assert not can(gp, REFERRAL_CREATE, Referral(PRACTICE_B, None))


def test_coordinator_sees_their_teams_caseload_only():
    worker = staff("coordinator", team_id=TEAM_NORTH)
    north = Referral(referring_organisation_id=PRACTICE_B, team_id=TEAM_NORTH)
    south = Referral(referring_organisation_id=PRACTICE_A, team_id=TEAM_SOUTH)
    unassigned = Referral(referring_organisation_id=PRACTICE_A, team_id=None)
    assert can(worker, REFERRAL_VIEW, north) and can(worker, REFERRAL_UPDATE, north)
    assert can(worker, CASELOAD_VIEW, north)
    assert not can(worker, REFERRAL_VIEW, south)
    assert not can(worker, REFERRAL_UPDATE, south)
    assert not can(worker, REFERRAL_VIEW, unassigned)


def test_team_lead_also_sees_unassigned_referrals():
    lead = staff("coordinator", team_id=TEAM_NORTH, leads_team_ids={TEAM_NORTH})
    assert can(lead, REFERRAL_VIEW, Referral(PRACTICE_A, None))
    assert not can(lead, REFERRAL_VIEW, Referral(PRACTICE_A, TEAM_SOUTH))


def test_call_handler_sees_only_referrals_they_took():
    handler = staff("call_handler", id=7)
    assert can(handler, REFERRAL_VIEW, Referral(None, None, created_by_id=7))
    assert not can(handler, REFERRAL_VIEW, Referral(None, None, created_by_id=8))
    assert not can(handler, REFERRAL_UPDATE, Referral(None, None, created_by_id=7))


def test_manager_sees_aggregates_but_no_persons_record():
    manager = staff("manager")
    assert can(manager, REPORTS_VIEW)
    assert not can(manager, REFERRAL_VIEW)
    assert not can(manager, REFERRAL_VIEW, Referral(PRACTICE_A, TEAM_NORTH))
    assert not can(manager, CASELOAD_VIEW)


def test_champion_and_editor_see_no_personal_data():
    for user in (staff("champion"), staff("editor"), staff("provider", organization_id="o")):
        assert not can(user, REFERRAL_VIEW, Referral(PRACTICE_A, TEAM_NORTH))


def test_admin_may_open_any_record_and_manage_users():
    admin = staff("admin")
    assert can(admin, REFERRAL_VIEW, Referral(PRACTICE_B, TEAM_SOUTH))
    assert can(admin, USERS_MANAGE)
    assert not can(staff("coordinator", team_id=1), USERS_MANAGE)


def test_several_roles_combine():
    both = staff(
        "referrer", "coordinator", referring_organisation_id=PRACTICE_A, team_id=TEAM_SOUTH
    )
    assert can(both, REFERRAL_VIEW, Referral(PRACTICE_A, TEAM_NORTH))
    assert can(both, REFERRAL_VIEW, Referral(PRACTICE_B, TEAM_SOUTH))
    assert not can(both, REFERRAL_VIEW, Referral(PRACTICE_B, TEAM_NORTH))


def test_nobody_signed_out_or_disabled_may_do_anything():
    assert not can(Anonymous(), REFERRAL_VIEW)
    assert not can(None, LISTING_EDIT)
    disabled = staff("admin", is_active=False)
    assert not can(disabled, USERS_MANAGE)


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown action"):
        can(staff("admin"), "referral.teleport")


def test_provider_edits_only_their_own_organisations_listings(make_service, make_organization):
    ours, theirs = make_organization(), make_organization()
    our_service, their_service = make_service(organization=ours), make_service(organization=theirs)
    provider = staff("provider", organization_id=ours.id)
    assert can(provider, LISTING_EDIT, our_service)
    assert can(provider, LISTING_EDIT, ours)
    assert can(provider, LISTING_CREATE, ours)
    assert not can(provider, LISTING_EDIT, their_service)
    assert not can(provider, LISTING_EDIT, theirs)
    assert not can(provider, LISTING_CREATE, theirs)
    with pytest.raises(PermissionDenied):
        require(provider, LISTING_EDIT, their_service)


def test_editor_edits_any_listing(make_service):
    service = make_service()
    assert can(staff("editor"), LISTING_EDIT, service)
    assert can(staff("editor"), LISTING_EDIT, service.organization)
    assert not can(staff("champion"), LISTING_EDIT, service)


def test_case_filter_lists_only_what_each_user_may_see(app):
    """The list query and the single-object rule agree, so changing an id in a list leaks nothing."""
    metadata = MetaData()
    cases = Table(
        "perm_test_case",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("team_id", Integer),
        Column("referring_organisation_id", Integer),
        Column("created_by_id", Integer),
    )
    metadata.create_all(db.engine)
    try:
        rows = [
            {
                "id": 1,
                "team_id": TEAM_NORTH,
                "referring_organisation_id": PRACTICE_A,
                "created_by_id": None,
            },
            {
                "id": 2,
                "team_id": TEAM_SOUTH,
                "referring_organisation_id": PRACTICE_B,
                "created_by_id": 7,
            },
            {
                "id": 3,
                "team_id": None,
                "referring_organisation_id": PRACTICE_B,
                "created_by_id": None,
            },
        ]
        with db.engine.begin() as conn:
            conn.execute(insert(cases), rows)
        users = {
            "gp_a": staff("referrer", referring_organisation_id=PRACTICE_A),
            "north": staff("coordinator", team_id=TEAM_NORTH),
            "north_lead": staff("coordinator", team_id=TEAM_NORTH, leads_team_ids={1}),
            "handler": staff("call_handler", id=7),
            "manager": staff("manager"),
            "admin": staff("admin"),
        }
        expected = {
            "gp_a": {1},
            "north": {1},
            "north_lead": {1, 3},
            "handler": {2},
            "manager": set(),
            "admin": {1, 2, 3},
        }
        with db.engine.connect() as conn:
            for name, user in users.items():
                seen = set(conn.scalars(select(cases.c.id).where(case_filter(user, cases.c))))
                assert seen == expected[name], name
                for row in rows:
                    assert can(
                        user,
                        REFERRAL_VIEW,
                        Referral(
                            row["referring_organisation_id"], row["team_id"], row["created_by_id"]
                        ),
                    ) == (row["id"] in expected[name]), (name, row["id"])
    finally:
        metadata.drop_all(db.engine)
