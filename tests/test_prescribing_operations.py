"""The social prescribing operations: referrals in, every transition, casework, follow-ups,
closing and the message back, reminders. Permission checks and audit entries throughout."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from prescribing import operations
from prescribing.models import (
    CloseOutcome,
    FollowUp,
    Measure,
    OnwardKind,
    Person,
    Referral,
    StateChange,
    Urgency,
)
from prescribing.operations import PrescribingError, casework, followups, support
from prescribing.operations.wellbeing import MeasureAnswers
from prescribing.vocabulary import SuggestionStatus
from prescribing.workflow import ALLOWED, FollowUpKind, ReferralState
from signpost.extensions import db
from signpost.permissions import PermissionDenied
from tests.accounts_support import FAST_HASHING, audit_actions
from tests.prescribing_support import (
    ALL_FOUR,
    GOOD_NHS,
    assigned,
    converse,
    details,
    outbox,
    person,
    refer,
)

S = ReferralState


@pytest.fixture
def app_config() -> dict[str, Any]:
    return FAST_HASHING


# --- referrals in ---------------------------------------------------------------------------


def test_gp_referral_is_received_acknowledged_and_audited(world):
    referral = refer(world, person={"nhs_number": GOOD_NHS}, urgency=Urgency.URGENT)
    assert referral.state is S.RECEIVED
    assert referral.referring_organisation_id == world["practice"].id
    assert referral.person.nhs_number == "9434765919"
    assert referral.person.postcode == "PE30 1EX"
    assert [c.to_state for c in referral.state_changes] == [S.RECEIVED]
    assert referral.state_changes[0].by_user_id == world["gp"].id
    ack = outbox("prescribing.acknowledgement")
    assert [m.recipient for m in ack] == ["gp@example.org"]
    assert f"SP-{referral.id}" in ack[0].text_body
    assert audit_actions(subject_type="referral") == ["referral.create"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"person": {"nhs_number": "943 476 5918"}}, "not a valid NHS number"),
        ({"person": {"nhs_number": "12345"}}, "10 digits"),
        ({"person_agreed": False}, "must agree"),
        ({"reasons": [], "reason_text": ""}, "at least one reason"),
        ({"reasons": ["astrology"]}, "from the list"),
        ({"person": {"given_name": "  "}}, "first name"),
        ({"person": {"date_of_birth": date.today() + timedelta(days=1)}}, "future"),
        ({"person": {"phone": None, "email": None, "postcode": None}}, "one way to reach"),
        ({"person": {"preferred_contact": "pigeon"}}, "contacted"),
    ],
)
def test_bad_referral_is_refused_with_a_reason_and_nothing_saved(world, change, message):
    with pytest.raises(PrescribingError, match=message):
        refer(world, **change)
    db.session.commit()  # as the request would: the refused operation left nothing
    assert db.session.scalar(select(func.count(Referral.id))) == 0
    assert db.session.scalar(select(func.count(Person.id))) == 0
    assert outbox() == []


def test_self_referral_needs_no_account_and_thanks_the_person(world):
    referral = operations.create_referral(None, person(), details(), door="self")
    assert referral.source.value == "self_referral"
    assert referral.created_by_id is None and referral.referring_organisation_id is None
    assert [m.recipient for m in outbox("prescribing.acknowledgement")] == ["ada@example.org"]


def test_self_referral_without_email_is_acknowledged_by_text(world):
    operations.create_referral(
        None, person(email=None, phone="07700 900123"), details(), door="self"
    )
    (message,) = outbox("prescribing.acknowledgement")
    assert message.channel.value == "sms"


def test_phone_line_referral_is_taken_by_a_call_handler_only(world):
    referral = operations.create_referral(world["call_handler"], person(), details(), door="phone")
    assert referral.source.value == "phone_line"
    assert referral.created_by_id == world["call_handler"].id
    with pytest.raises(PermissionDenied):
        operations.create_referral(world["manager"], person(), details(), door="phone")
    with pytest.raises(PermissionDenied):
        operations.create_referral(world["gp"], person(), details(), door="phone")


def test_referrer_without_a_practice_is_told_why(world, make_user):
    orphan = make_user("referrer")
    with pytest.raises(PrescribingError, match="not linked to a GP practice"):
        operations.create_referral(orphan, person(), details(), door="referrer")


@pytest.mark.parametrize(
    "second",
    [
        {"nhs_number": GOOD_NHS, "given_name": "Augusta", "postcode": "TQ1 1AA"},
        {"given_name": "ADA", "family_name": "lovelace", "postcode": "PE301EX"},
    ],
)
def test_person_already_known_is_flagged_as_possible_duplicate(world, second):
    first = refer(world, person={"nhs_number": GOOD_NHS})
    again = refer(world, person=second)
    assert again.possible_duplicate_of == first.person_id
    assert again.person_id != first.person_id


def test_same_name_elsewhere_is_not_a_duplicate(world):
    refer(world)
    other = refer(world, person={"postcode": "TQ1 1AA"})
    assert other.possible_duplicate_of is None


# --- the state machine through the operations -----------------------------------------------


def _put_in_state(world: dict[str, Any], state: ReferralState) -> Referral:
    referral = assigned(world)
    referral.state = state
    db.session.commit()
    return referral


def _snapshot(referral: Referral) -> tuple[Any, ...]:
    db.session.expire_all()
    fresh = db.session.get(Referral, referral.id)
    return (fresh.state, fresh.closed_at, fresh.outcome, len(fresh.state_changes))


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition_through_change_state(world, current, target):
    referral = _put_in_state(world, current)
    if target is S.UNABLE_TO_CONTACT:
        start = datetime.now(UTC) - timedelta(days=20)
        for day in (0, 7, 15):
            referral.contact_attempts.append(
                casework.ContactAttempt(
                    at=start + timedelta(days=day), method="phone", outcome="no_answer"
                )
            )
        db.session.commit()
    before = _snapshot(referral)
    referral = db.session.get(Referral, referral.id)
    outcome = CloseOutcome.GOALS_MET if target is S.CLOSED else None
    if target in ALLOWED[current]:
        casework.change_state(
            world["coordinator"], referral, target, outcome=outcome, note="because"
        )
        db.session.expire_all()
        fresh = db.session.get(Referral, referral.id)
        assert fresh.state is target
        last = fresh.state_changes[-1]
        assert (last.from_state, last.to_state, last.by_user_id) == (
            current,
            target,
            world["coordinator"].id,
        )
        assert last.at is not None
        assert (fresh.closed_at is None) == target.is_open
        expected = "referral.reopen" if not current.is_open else "referral.state"
        assert audit_actions(subject_id=str(referral.id))[-1] == expected
    else:
        with pytest.raises(PrescribingError, match="cannot be marked"):
            casework.change_state(world["coordinator"], referral, target, outcome=outcome)
        db.session.commit()  # as the request would: the refused operation left nothing
        assert _snapshot(referral) == before


def test_unable_to_contact_needs_enough_attempts_over_fourteen_days(world):
    referral = assigned(world)
    start = datetime.now(UTC) - timedelta(days=10)
    for day in (0, 5, 10):
        casework.record_contact_attempt(
            world["coordinator"],
            referral,
            method="phone",
            outcome="no_answer",
            at=start + timedelta(days=day),
        )
    with pytest.raises(
        PrescribingError,
        match=r"at least 3 attempts over at least 14 days "
        r"\(so far: 3 over 10 days\)",
    ):
        casework.change_state(world["coordinator"], referral, S.UNABLE_TO_CONTACT)
    db.session.commit()  # as the request would: the refused operation left nothing
    assert db.session.get(Referral, referral.id).state is S.CONTACTING


def test_reopen_clears_the_outcome_and_is_audited(world):
    referral = assigned(world)
    casework.change_state(world["coordinator"], referral, S.DECLINED, note="Not now")
    assert referral.outcome is CloseOutcome.DECLINED
    casework.change_state(world["coordinator"], referral, S.CONTACTING, note="Rang back")
    assert referral.state is S.CONTACTING and referral.outcome is None
    assert referral.closed_at is None
    assert "referral.reopen" in audit_actions(subject_id=str(referral.id))


def test_coordinator_of_another_team_cannot_change_the_referral(world):
    referral = assigned(world)
    for user in (world["other_coordinator"], world["gp"], world["manager"]):
        with pytest.raises(PermissionDenied):
            casework.change_state(user, referral, S.CONTACTING)
    db.session.commit()  # as the request would: the refused operation left nothing
    assert db.session.get(Referral, referral.id).state is S.RECEIVED


# --- assignment and contact -----------------------------------------------------------------


def test_lead_assigns_unassigned_referral_then_reassigns(world, make_user):
    referral = refer(world)
    with pytest.raises(PermissionDenied):  # not the lead, and not yet their team's
        casework.assign(world["coordinator"], referral, world["coordinator"].id)
    casework.assign(world["lead"], referral, world["coordinator"].id)
    assert (referral.team_id, referral.coordinator_id) == (
        world["team"].id,
        world["coordinator"].id,
    )
    with pytest.raises(PrescribingError, match="your own team"):
        casework.assign(world["lead"], referral, world["other_coordinator"].id)
    with pytest.raises(PrescribingError, match="active coordinator"):
        casework.assign(world["lead"], referral, world["gp"].id)
    casework.assign(world["coordinator"], referral, world["lead"].id)
    assert referral.coordinator_id == world["lead"].id
    assert audit_actions(subject_id=str(referral.id)).count("referral.assign") == 2


def test_first_attempt_moves_to_contacting_and_first_success_is_acceptance(world):
    referral = assigned(world)
    casework.record_contact_attempt(
        world["coordinator"], referral, method="phone", outcome="no_answer"
    )
    assert referral.state is S.CONTACTING and referral.first_contact_at is None
    casework.record_contact_attempt(world["coordinator"], referral, method="phone", outcome="spoke")
    assert referral.first_contact_at is not None and referral.accepted_at is not None
    (accepted,) = outbox("prescribing.accepted")
    assert "871731000000106" in accepted.text_body and accepted.recipient == "gp@example.org"
    casework.record_contact_attempt(world["coordinator"], referral, method="text", outcome="sent")
    assert len(outbox("prescribing.accepted")) == 1  # once per episode


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"method": "carrier pigeon", "outcome": "spoke"}, "how you tried"),
        ({"method": "phone", "outcome": "maybe"}, "what happened"),
        (
            {"method": "phone", "outcome": "spoke", "at": datetime.now(UTC) + timedelta(hours=2)},
            "future",
        ),
    ],
)
def test_bad_contact_attempt_changes_nothing(world, kw, message):
    referral = assigned(world)
    with pytest.raises(PrescribingError, match=message):
        casework.record_contact_attempt(world["coordinator"], referral, **kw)
    db.session.commit()  # as the request would: the refused operation left nothing
    fresh = db.session.get(Referral, referral.id)
    assert fresh.contact_attempts == [] and fresh.state is S.RECEIVED


# --- the guided conversation and follow-ups -------------------------------------------------


def test_conversation_engages_records_measures_goals_and_plans_follow_ups(world):
    referral = assigned(world)
    converse(
        world,
        referral,
        consent_to_share=True,
        share_with="Her GP",
        measures=MeasureAnswers(
            swemwbs=list(ALL_FOUR),
            ons4={
                "life_satisfaction": 5,
                "worthwhile": 6,
                "happy_yesterday": 7,
                "anxious_yesterday": 2,
            },
        ),
    )
    assert referral.state is S.ENGAGED
    swemwbs, ons4 = sorted(referral.measures, key=lambda m: m.kind.value, reverse=True)
    assert (swemwbs.raw_score, swemwbs.metric_score) == (25, 22.35)
    assert ons4.answers["bands"]["anxious_yesterday"] == "low"
    assert [g.text for g in referral.goals] == ["Get out of the house twice a week"]
    today = date.today()
    assert [(f.kind, f.due_on) for f in referral.follow_ups] == [
        (FollowUpKind.THREE_WEEK_CHECK, today + timedelta(days=21)),
        (FollowUpKind.SIX_WEEK_REVIEW, today + timedelta(days=42)),
    ]
    assert "referral.conversation" in audit_actions(subject_id=str(referral.id))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"measures": MeasureAnswers()}, "wellbeing scale"),
        ({"measures": MeasureAnswers(swemwbs=[4, 4, None, 3, 4, 3, 4])}, "all seven"),
        ({"measures": MeasureAnswers(swemwbs=[4, 4, 9, 3, 4, 3, 4])}, "from 1 to 5"),
        ({"what_matters": " "}, "what matters"),
        ({"consent_to_share": True, "share_with": ""}, "shared with"),
        ({"held_on": date.today() + timedelta(days=1)}, "future"),
        (
            {
                "measures": MeasureAnswers(
                    swemwbs=list(ALL_FOUR),
                    ons4={
                        "life_satisfaction": 11,
                        "worthwhile": 1,
                        "happy_yesterday": 1,
                        "anxious_yesterday": 1,
                    },
                )
            },
            "0 to 10",
        ),
    ],
)
def test_bad_conversation_changes_nothing(world, kw, message):
    referral = assigned(world)
    with pytest.raises(PrescribingError, match=message):
        converse(world, referral, **kw)
    db.session.commit()  # as the request would: the refused operation left nothing
    fresh = db.session.get(Referral, referral.id)
    assert fresh.state is S.RECEIVED
    assert (fresh.conversations, fresh.follow_ups, fresh.measures, fresh.goals) == ([], [], [], [])


@pytest.mark.parametrize("app_config", [{**FAST_HASHING, "PRESCRIBING_REQUIRED_MEASURES": ""}])
def test_no_measure_needed_when_the_setting_is_empty(world):
    referral = assigned(world)
    converse(world, referral, measures=MeasureAnswers())
    assert referral.state is S.ENGAGED and referral.measures == []


def test_follow_ups_across_the_spring_clock_change_are_calendar_days(world):
    referral = assigned(world)
    referral.received_at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    db.session.commit()
    converse(world, referral, held_on=date(2026, 3, 10))
    check, review = referral.follow_ups
    assert check.due_on == date(2026, 3, 31)  # clocks went forward on 29 March
    assert review.due_on == date(2026, 4, 21)
    # The reminder job run on the local morning of 31 March (07:00 UTC, BST) finds it.
    assert followups.send_reminders(date(2026, 3, 30)) == 0
    assert followups.send_reminders(date(2026, 3, 31)) == 1


def test_moving_the_conversation_moves_open_follow_ups_only(world):
    referral = assigned(world)
    referral.received_at = datetime(2026, 1, 1, 9, tzinfo=UTC)
    db.session.commit()
    converse(world, referral, held_on=date(2026, 1, 20))
    check, review = referral.follow_ups
    followups.complete_check(
        world["coordinator"],
        referral,
        check.id,
        followups.CheckDetails(done_on=date(2026, 2, 10), progress="Better"),
    )
    casework.move_conversation(
        world["coordinator"], referral, referral.conversations[0].id, date(2026, 1, 22)
    )
    assert check.due_on == date(2026, 2, 10)  # done: left alone
    assert review.due_on == date(2026, 3, 5)
    assert (review.window_opens, review.window_closes) == (date(2026, 3, 3), date(2026, 3, 10))
    with pytest.raises(PrescribingError, match="before the referral"):
        casework.move_conversation(
            world["coordinator"], referral, referral.conversations[0].id, date(2025, 12, 1)
        )
    assert "referral.conversation_moved" in audit_actions(subject_id=str(referral.id))


# --- signposts and onward referrals ---------------------------------------------------------


def test_signposting_makes_referral_active_and_tracks_status(world, make_service):
    service = make_service(name="Lunch Club")
    referral = assigned(world)
    with pytest.raises(PrescribingError, match="conversation before"):
        support.suggest_service(world["coordinator"], referral, service.id)
    converse(world, referral)
    signpost = support.suggest_service(world["coordinator"], referral, service.id, buddy=True)
    assert referral.state is S.ACTIVE and signpost.buddy
    with pytest.raises(PrescribingError, match="already been suggested"):
        support.suggest_service(world["coordinator"], referral, service.id)
    with pytest.raises(PrescribingError, match="not in the directory"):
        support.suggest_service(world["coordinator"], referral, "no-such-service")
    with pytest.raises(PrescribingError, match="why"):
        support.update_suggestion(
            world["coordinator"], referral, signpost.id, SuggestionStatus.NOT_TAKEN_UP, reason=" "
        )
    for status in (SuggestionStatus.CONTACTED, SuggestionStatus.ATTENDING):
        support.update_suggestion(
            world["coordinator"], referral, signpost.id, status, accompanied_visit=True
        )
    assert signpost.status is SuggestionStatus.ATTENDING and signpost.accompanied_visit
    support.update_suggestion(
        world["coordinator"],
        referral,
        signpost.id,
        SuggestionStatus.NOT_TAKEN_UP,
        reason="Too far to travel",
    )
    assert signpost.not_taken_up_reason == "Too far to travel"


def test_safeguarding_referral_flags_case_and_alerts_the_team_lead(world):
    referral = assigned(world)
    with pytest.raises(PrescribingError, match="Describe"):
        support.refer_onward(world["coordinator"], referral, OnwardKind.ADULT_SAFEGUARDING)
    db.session.commit()  # as the request would: the refused operation left nothing
    assert not db.session.get(Referral, referral.id).safeguarding_flag
    support.refer_onward(
        world["coordinator"], referral, OnwardKind.ADULT_SAFEGUARDING, "Signs of financial abuse"
    )
    assert referral.safeguarding_flag
    (alert,) = outbox("prescribing.safeguarding")
    assert alert.recipient == "lead@example.org"
    assert "Lovelace" not in alert.text_body  # no personal details in the alert
    support.refer_onward(world["coordinator"], referral, OnwardKind.BUDDY)
    assert len(outbox("prescribing.safeguarding")) == 1


# --- follow-ups, review, closing and the message back ---------------------------------------


def test_whole_pathway_ends_with_the_outcome_message_to_the_referrer(world, make_service):
    service = make_service(name="Lunch Club")
    referral = assigned(world)
    referral.received_at = datetime.now(UTC) - timedelta(days=60)
    db.session.commit()
    start = date.today() - timedelta(days=45)
    casework.record_contact_attempt(world["coordinator"], referral, method="phone", outcome="spoke")
    converse(world, referral, held_on=start)
    signpost = support.suggest_service(world["coordinator"], referral, service.id)
    support.update_suggestion(
        world["coordinator"], referral, signpost.id, SuggestionStatus.ATTENDING
    )
    check, review = referral.follow_ups
    followups.complete_check(
        world["coordinator"],
        referral,
        check.id,
        followups.CheckDetails(
            done_on=start + timedelta(days=21), progress="Went twice", other_support_needed=False
        ),
    )
    with pytest.raises(PrescribingError, match="already been done"):
        followups.complete_check(
            world["coordinator"],
            referral,
            check.id,
            followups.CheckDetails(done_on=start, progress="x"),
        )
    goal = referral.goals[0]
    followups.complete_review(
        world["coordinator"],
        referral,
        review.id,
        followups.ReviewDetails(
            done_on=start + timedelta(days=42),
            goal_statuses={goal.id: "met"},
            measures=MeasureAnswers(swemwbs=[5, 4, 4, 4, 4, 4, 5]),
            decision="close",
            outcome=CloseOutcome.GOALS_MET,
        ),
    )
    assert referral.state is S.CLOSED and referral.outcome is CloseOutcome.GOALS_MET
    assert goal.status == "met"
    (message,) = outbox("prescribing.outcome")
    assert message.recipient == "gp@example.org"
    body = message.text_body
    assert "Outcome: Goals met" in body and "Lunch Club (Attending)" in body
    assert "first 22.35, latest 27.03" in body
    assert "871731000000106" in body and "871711000000103" not in body


def test_review_without_second_measure_is_refused_when_there_was_a_baseline(world):
    referral = assigned(world)
    converse(world, referral)
    review = referral.follow_ups[1]
    with pytest.raises(PrescribingError, match="wellbeing scale"):
        followups.complete_review(
            world["coordinator"],
            referral,
            review.id,
            followups.ReviewDetails(
                done_on=date.today(), decision="close", outcome=CloseOutcome.GOALS_MET
            ),
        )
    db.session.commit()  # as the request would: the refused operation left nothing
    fresh = db.session.get(Referral, referral.id)
    assert fresh.state is S.ENGAGED and fresh.follow_ups[1].done_on is None


def test_review_that_continues_starts_another_cycle(world):
    referral = assigned(world)
    converse(world, referral)
    review = referral.follow_ups[1]
    followups.complete_review(
        world["coordinator"],
        referral,
        review.id,
        followups.ReviewDetails(
            done_on=date.today(),
            measures=MeasureAnswers(swemwbs=list(ALL_FOUR)),
            decision="continue",
        ),
    )
    assert referral.state is S.ENGAGED
    cycle_two = [f for f in referral.follow_ups if f.cycle == 2]
    assert [f.due_on for f in cycle_two] == [
        date.today() + timedelta(days=21),
        date.today() + timedelta(days=42),
    ]
    assert db.session.scalar(select(func.count(Measure.id))) == 2


def test_declined_referral_message_carries_the_declined_code(world):
    referral = assigned(world)
    casework.record_contact_attempt(world["coordinator"], referral, method="phone", outcome="spoke")
    casework.change_state(world["coordinator"], referral, S.DECLINED, note="Not for me")
    (message,) = outbox("prescribing.outcome")
    assert "871711000000103" in message.text_body and "871731000000106" in message.text_body


def test_close_needs_an_outcome_and_the_right_state(world):
    referral = assigned(world)
    with pytest.raises(PrescribingError, match="cannot be marked closed"):
        followups.close_referral(world["coordinator"], referral, CloseOutcome.GOALS_MET)
    converse(world, referral)
    with pytest.raises(PrescribingError, match="Choose an outcome"):
        casework.change_state(world["coordinator"], referral, S.CLOSED)
    followups.close_referral(world["coordinator"], referral, CloseOutcome.MOVED_AWAY)
    assert referral.state is S.CLOSED and referral.outcome is CloseOutcome.MOVED_AWAY


# --- reminders ------------------------------------------------------------------------------


def test_remind_command_queues_once_per_coordinator_and_is_idempotent(world, runner):
    referral = assigned(world)
    referral.received_at = datetime(2026, 1, 1, 9, tzinfo=UTC)
    db.session.commit()
    converse(world, referral, held_on=date(2026, 1, 5))
    result = runner.invoke(args=["prescribing", "remind", "--on", "2026-01-26"])
    assert "Queued reminders for 1 follow-up due by 2026-01-26" in result.output
    (message,) = outbox("prescribing.reminder")
    assert (
        message.recipient == "coord@example.org" and "Three-week phone check" in message.text_body
    )
    assert (
        db.session.scalar(
            select(FollowUp.reminder_sent_at).where(FollowUp.kind == FollowUpKind.THREE_WEEK_CHECK)
        )
        is not None
    )
    again = runner.invoke(args=["prescribing", "remind", "--on", "2026-01-26"])
    assert "for 0 follow-ups" in again.output
    assert len(outbox("prescribing.reminder")) == 1
    bad = runner.invoke(args=["prescribing", "remind", "--on", "26/01/2026"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_state_changes_are_never_written_without_a_user(world):
    referral = assigned(world)
    casework.change_state(world["coordinator"], referral, S.CONTACTING)
    users = db.session.scalars(
        select(StateChange.by_user_id).where(StateChange.referral_id == referral.id)
    ).all()
    assert None not in users
