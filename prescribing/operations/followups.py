"""What came of the support: the three-week check, the six-week review (close or another
cycle), closing with an outcome, and the morning reminders of follow-ups falling due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from prescribing import messages
from prescribing.models import FollowUp, Referral
from prescribing.operations.casework import change_state, plan_cycle
from prescribing.operations.common import PrescribingError, actor_id, require_open
from prescribing.operations.wellbeing import MeasureAnswers, baseline_kinds, build_measures
from prescribing.vocabulary import CloseOutcome, GoalStatus, MeasureStage
from prescribing.workflow import FollowUpKind, ReferralState
from signpost.accounts.models import Team, User
from signpost.audit import record_event
from signpost.dates import today
from signpost.extensions import db
from signpost.permissions import REFERRAL_UPDATE, require
from signpost.types import utcnow
from signpost.unit_of_work import operation

S = ReferralState


@dataclass
class CheckDetails:
    """The three-week phone check."""

    done_on: date
    progress: str = ""
    other_support_needed: bool = False


@dataclass
class ReviewDetails:
    """The six-week review: the second measure, goals reviewed, close or continue."""

    done_on: date
    notes: str = ""
    goal_statuses: dict[int, GoalStatus | str] = field(default_factory=dict)
    measures: MeasureAnswers = field(default_factory=MeasureAnswers)
    decision: str = "continue"  # "continue" (another cycle) or "close"
    outcome: CloseOutcome | None = None


def _open_follow_up(referral: Referral, follow_up_id: int, kind: FollowUpKind) -> FollowUp:
    follow_up = next((f for f in referral.follow_ups if f.id == follow_up_id), None)
    if follow_up is None or follow_up.kind is not kind:
        raise PrescribingError("There is no such follow-up on this referral.")
    if follow_up.done_on is not None:
        raise PrescribingError("This follow-up has already been done.")
    return follow_up


def _check_done_on(referral: Referral, done_on: date) -> None:
    if done_on > today():
        raise PrescribingError("The date it was done cannot be in the future.")
    if referral.conversations and done_on < min(c.held_on for c in referral.conversations):
        raise PrescribingError("A follow-up cannot be before the guided conversation.")


@operation
def complete_check(
    user: User, referral: Referral, follow_up_id: int, details: CheckDetails
) -> FollowUp:
    """Record the three-week phone check: progress, and whether other support is needed."""
    require(user, REFERRAL_UPDATE, referral)
    require_open(referral)
    follow_up = _open_follow_up(referral, follow_up_id, FollowUpKind.THREE_WEEK_CHECK)
    _check_done_on(referral, details.done_on)
    if not details.progress.strip():
        raise PrescribingError("Write a few words about how the person is getting on.")
    follow_up.done_on = details.done_on
    follow_up.notes = details.progress.strip()
    follow_up.other_support_needed = details.other_support_needed
    follow_up.by_user_id = actor_id(user)
    record_event(
        "referral.follow_up",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "kind": follow_up.kind.value,
            "cycle": follow_up.cycle,
            "done_on": details.done_on.isoformat(),
        },
    )
    return follow_up


@operation
def complete_review(
    user: User, referral: Referral, follow_up_id: int, details: ReviewDetails
) -> FollowUp:
    """Record the six-week review; then close the referral or start another cycle."""
    require(user, REFERRAL_UPDATE, referral)
    require_open(referral)
    follow_up = _open_follow_up(referral, follow_up_id, FollowUpKind.SIX_WEEK_REVIEW)
    _check_done_on(referral, details.done_on)
    if details.decision not in ("continue", "close"):
        raise PrescribingError("Choose whether to close the referral or continue support.")
    if details.decision == "close" and details.outcome is None:
        raise PrescribingError("Choose an outcome to close the referral.")
    goals = {g.id: g for g in referral.goals}
    results: dict[int, GoalStatus] = {}
    for goal_id, given in details.goal_statuses.items():
        status = GoalStatus.parse(given)
        if goal_id not in goals or status is None:
            raise PrescribingError("Choose a review result for each goal from the list.")
        results[goal_id] = status
    measures = build_measures(
        details.measures,
        MeasureStage.SIX_WEEK,
        details.done_on,
        {"swemwbs"} & baseline_kinds(referral),
        actor_id(user),
    )
    if (
        details.decision == "close"
        and referral.state is not S.ACTIVE
        and referral.state is not S.ENGAGED
    ):
        raise PrescribingError(
            f"A referral that is {referral.state.label.lower()} cannot be closed yet."
        )
    for goal_id, status in results.items():
        goals[goal_id].status = status
        goals[goal_id].reviewed_on = details.done_on
    referral.measures.extend(measures)
    follow_up.done_on = details.done_on
    follow_up.notes = details.notes.strip() or None
    follow_up.by_user_id = actor_id(user)
    # An earlier check left undone is now missed: mark the cycle as reviewed.
    record_event(
        "referral.follow_up",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "kind": follow_up.kind.value,
            "cycle": follow_up.cycle,
            "done_on": details.done_on.isoformat(),
            "decision": details.decision,
            "measures": [m.kind.value for m in measures],
        },
    )
    if details.decision == "close":
        change_state(user, referral, S.CLOSED, outcome=details.outcome, note=details.notes)
    else:
        plan_cycle(referral, details.done_on, follow_up.cycle + 1)
    return follow_up


@operation
def close_referral(user: User, referral: Referral, outcome: CloseOutcome, notes: str = "") -> None:
    """Close with an outcome (the message back to the referrer is queued)."""
    if outcome is CloseOutcome.DECLINED and referral.state is not S.ACTIVE:
        change_state(user, referral, S.DECLINED, note=notes)
        return
    change_state(user, referral, S.CLOSED, outcome=outcome, note=notes)


def send_reminders(on: date, *, now: datetime | None = None) -> int:
    """Queue one message per coordinator for follow-ups due by `on` not yet reminded (idempotent).

    Unassigned referrals go to their team's lead. Returns the number of follow-ups reminded.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(FollowUp, Referral.coordinator_id, Referral.team_id)
        .join(Referral)
        .where(
            FollowUp.done_on.is_(None),
            FollowUp.reminder_sent_at.is_(None),
            FollowUp.due_on <= on,
            FollowUp.window_closes >= on,
            Referral.state.in_([S.ENGAGED, S.ACTIVE]),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    by_recipient: dict[int, list[FollowUp]] = {}
    for follow_up, coordinator_id, team_id in rows:
        recipient = coordinator_id
        if recipient is None and team_id is not None:
            team = db.session.get(Team, team_id)
            recipient = team.lead_id if team else None
        if recipient is not None:
            by_recipient.setdefault(recipient, []).append(follow_up)
    count = 0
    for user_id, follow_ups in by_recipient.items():
        user = db.session.get(User, user_id)
        if user is None or not user.active:
            continue
        if messages.follow_up_reminder(user.email, follow_ups):
            for follow_up in follow_ups:
                follow_up.reminder_sent_at = now
            count += len(follow_ups)
    record_event(
        "prescribing.reminders", actor_id=None, detail={"on": on.isoformat(), "follow_ups": count}
    )
    return count
