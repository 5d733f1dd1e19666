"""Test support for social prescribing: a `world` of practices, teams and users, and helpers
that make referrals and move them along through the operations.

A plugin (see tests/conftest.py), so every test module gets the `world` fixture without
importing it from another test file. Helpers that stand for a whole request commit afterwards,
as the request would.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from prescribing.models import Referral
from prescribing.operations import PersonDetails, ReferralDetails, casework, create_referral
from prescribing.operations.wellbeing import MeasureAnswers
from signpost.extensions import db
from signpost.messaging import OutboxMessage

GOOD_NHS = "943 476 5919"
ALL_FOUR = [4, 4, 3, 3, 4, 3, 4]  # raw 25 -> 22.35


def person(**kw: Any) -> PersonDetails:
    values = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": date(1950, 12, 10),
        "postcode": "pe30 1ex",
        "phone": "01632 960 555",
        "email": "ada@example.org",
    }
    values.update(kw)
    return PersonDetails(**values)


def details(**kw: Any) -> ReferralDetails:
    values = {"reasons": ["loneliness"], "what_person_wants": "Company", "person_agreed": True}
    values.update(kw)
    return ReferralDetails(**values)


def outbox(purpose: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if purpose:
        query = query.where(OutboxMessage.purpose == purpose)
    return list(db.session.scalars(query))


@pytest.fixture
def world(make_user, make_team, make_practice) -> dict[str, Any]:
    """Two practices, two teams (each with a lead), coordinators, a call handler, a manager."""
    practice, other_practice = make_practice(), make_practice()
    team, other_team = make_team(), make_team()
    lead = make_user("coordinator", team=team, email="lead@example.org")
    team.lead_id = lead.id
    db.session.commit()
    return {
        "practice": practice,
        "other_practice": other_practice,
        "team": team,
        "other_team": other_team,
        "lead": lead,
        "gp": make_user("referrer", practice=practice, email="gp@example.org"),
        "other_gp": make_user("referrer", practice=other_practice),
        "coordinator": make_user("coordinator", team=team, email="coord@example.org"),
        "other_coordinator": make_user("coordinator", team=other_team),
        "call_handler": make_user("call_handler"),
        "manager": make_user("manager"),
        "admin": make_user("admin"),
    }


def refer(world: dict[str, Any], **kw: Any) -> Referral:
    """A GP's referral, made and committed as the referral form's request would."""
    referral = create_referral(
        world["gp"], person(**kw.pop("person", {})), details(**kw), door="referrer"
    )
    db.session.commit()
    return referral


def assigned(world: dict[str, Any], **kw: Any) -> Referral:
    referral = refer(world, **kw)
    casework.assign(world["lead"], referral, world["coordinator"].id)
    db.session.commit()
    return referral


def converse(
    world: dict[str, Any], referral: Referral, held_on: date | None = None, **kw: Any
) -> None:
    values = {
        "held_on": held_on or date.today(),
        "what_matters": "Seeing people",
        "goals": ["Get out of the house twice a week"],
        "measures": MeasureAnswers(swemwbs=list(ALL_FOUR)),
    }
    values.update(kw)
    casework.hold_conversation(
        world["coordinator"], referral, casework.ConversationDetails(**values)
    )
    db.session.commit()
