"""Worklists read from indexes on their own questions: follow-ups carry a copy of their
referral's team, kept in step on assignment and reassignment; lists page through every row
exactly once and never show another team's work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from prescribing.models import FollowUp, Referral
from prescribing.operations import casework, worklists
from prescribing.workflow import FollowUpKind
from signpost.extensions import db
from tests.prescribing_support import converse, refer

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def app_config() -> dict[str, Any]:
    from tests.accounts_support import FAST_HASHING

    return FAST_HASHING


def conversed(world: dict[str, Any], *, days_ago: int = 30, assign: bool = True) -> Referral:
    """A referral whose guided conversation was `days_ago` days ago (so its follow-ups exist)."""
    referral = refer(world)
    if assign:
        casework.assign(world["lead"], referral, world["coordinator"].id)
    referral.received_at = datetime.now(UTC) - timedelta(days=days_ago + 10)
    db.session.commit()
    user = world["coordinator"] if assign else world["lead"]
    converse(
        {**world, "coordinator": user}, referral, held_on=date.today() - timedelta(days=days_ago)
    )
    return referral


def follow_up_teams(referral: Referral) -> set[int | None]:
    db.session.expire_all()
    return set(
        db.session.scalars(select(FollowUp.team_id).where(FollowUp.referral_id == referral.id))
    )


def ids(listing: worklists.Worklist) -> list[int]:
    return [getattr(row, "referral_id", None) or row.id for row in listing.rows]


# --- the team copy on follow-ups --------------------------------------------------------------


def test_follow_ups_planned_on_a_referral_carry_its_team(world):
    referral = conversed(world)
    assert len(referral.follow_ups) == 2
    assert follow_up_teams(referral) == {world["team"].id}


def test_reassigning_to_another_team_moves_the_follow_ups_and_the_lists(world):
    referral = conversed(world)  # three-week check overdue, six-week review not yet due
    assert ids(worklists.worklist(world["coordinator"], "overdue")) == [referral.id]
    casework.assign(world["admin"], referral, world["other_coordinator"].id)
    assert follow_up_teams(referral) == {world["other_team"].id}
    assert ids(worklists.worklist(world["coordinator"], "overdue")) == []
    moved = worklists.worklist(world["other_coordinator"], "overdue")
    assert ids(moved) == [referral.id] and moved.total == 1
    assert moved.rows[0].kind is FollowUpKind.THREE_WEEK_CHECK


def test_unassigned_referral_follow_ups_follow_it_into_a_team(world):
    referral = conversed(world, assign=False)  # the team lead held the conversation unassigned
    assert follow_up_teams(referral) == {None}
    assert ids(worklists.worklist(world["lead"], "overdue")) == [referral.id]
    assert ids(worklists.worklist(world["coordinator"], "overdue")) == []
    casework.assign(world["lead"], referral, world["coordinator"].id)
    assert follow_up_teams(referral) == {world["team"].id}
    assert ids(worklists.worklist(world["coordinator"], "overdue")) == [referral.id]


def test_a_follow_up_added_by_referral_id_alone_takes_the_referral_team(world):
    referral = conversed(world)
    extra = FollowUp(
        referral_id=referral.id,
        kind=FollowUpKind.SIX_WEEK_REVIEW,
        cycle=2,
        due_on=date.today(),
        window_opens=date.today(),
        window_closes=date.today() + timedelta(days=5),
    )
    db.session.add(extra)
    db.session.commit()
    assert extra.team_id == world["team"].id
    assert extra.id in [f.id for f in worklists.worklist(world["coordinator"], "due").rows]


# --- what each list shows -------------------------------------------------------------------


def test_follow_up_lists_never_show_another_team_and_admins_see_all(world):
    ours = conversed(world)
    theirs = conversed(world)
    casework.assign(world["admin"], theirs, world["other_coordinator"].id)
    assert ids(worklists.worklist(world["coordinator"], "overdue")) == [ours.id]
    assert ids(worklists.worklist(world["other_coordinator"], "overdue")) == [theirs.id]
    assert sorted(ids(worklists.worklist(world["admin"], "overdue"))) == sorted(
        [ours.id, theirs.id]
    )


def test_a_coordinator_who_also_refers_sees_their_practice_follow_ups_as_the_rule_allows(
    world, make_user
):
    both = make_user(
        "coordinator", "referrer", team=world["other_team"], practice=world["practice"]
    )
    referral = conversed(world)  # our team's case, referred by the practice `both` works for
    assert ids(worklists.worklist(both, "overdue")) == [referral.id]


def test_closed_referrals_leave_the_follow_up_lists(world):
    referral = conversed(world)
    casework.change_state(world["coordinator"], referral, casework.S.WITHDRAWN, note="Moved")
    listing = worklists.worklist(world["coordinator"], "overdue")
    assert listing.rows == [] and listing.total == 0


def test_lists_page_through_every_row_once_in_order(world, monkeypatch):
    monkeypatch.setattr(worklists, "PAGE_SIZE", 4)
    made = []
    for n in range(10):
        referral = refer(world)
        referral.received_at = datetime.now(UTC) - timedelta(days=20 - n)
        made.append(referral.id)
    db.session.commit()
    pages = [worklists.worklist(world["lead"], "new", page=p) for p in (1, 2, 3, 4)]
    assert [len(p.rows) for p in pages] == [4, 4, 2, 0]
    assert {p.total for p in pages} == {10}
    assert [r for p in pages for r in ids(p)] == made  # oldest first, none twice, none lost
    assert all(r.person.full_name for p in pages for r in p.rows)


def test_an_unknown_list_is_refused_before_anything_is_read(world):
    with pytest.raises(ValueError, match="Unknown worklist"):
        worklists.worklist(world["coordinator"], "everything")
