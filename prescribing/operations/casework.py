"""A coordinator's work on one referral: state changes, assignment, contact attempts and the
guided conversation (with its baseline measures and goals).

Every state change goes through `change_state`, which asks `workflow.check_transition` first:
a refused move raises PrescribingError and, like every operation here, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from prescribing import messages
from prescribing.models import (
    ContactAttempt,
    Conversation,
    FollowUp,
    Goal,
    Referral,
    StateChange,
)
from prescribing.operations.common import PrescribingError, actor_id, require_open
from prescribing.operations.referrals import referrer_summary
from prescribing.operations.wellbeing import MeasureAnswers, build_measures, required_measures
from prescribing.vocabulary import CloseOutcome, ContactMethod, ContactOutcome, MeasureStage
from prescribing.workflow import (
    ContactAttemptSummary,
    InvalidTransition,
    ReferralState,
    check_transition,
    plan_follow_ups,
)
from signpost.accounts.models import Role, User, UserRole
from signpost.audit import record_event
from signpost.dates import local_date, today
from signpost.extensions import db
from signpost.permissions import REFERRAL_UPDATE, require
from signpost.types import utcnow
from signpost.unit_of_work import operation

S = ReferralState
# Ending a referral in a side exit records the matching outcome.
EXIT_OUTCOMES = {
    S.DECLINED: CloseOutcome.DECLINED,
    S.UNABLE_TO_CONTACT: CloseOutcome.UNABLE_TO_CONTACT,
    S.NOT_APPROPRIATE: CloseOutcome.OTHER,
    S.WITHDRAWN: CloseOutcome.OTHER,
}


def attempt_summary(referral: Referral) -> ContactAttemptSummary:
    """What the unable-to-contact rule needs: unsuccessful attempts and the days they span."""
    failed = [a for a in referral.contact_attempts if not a.successful]
    days = sorted(local_date(a.at) for a in failed)
    return ContactAttemptSummary(len(failed), days[0] if days else None, days[-1] if days else None)


@operation
def change_state(
    user: User,
    referral: Referral,
    target: ReferralState,
    *,
    note: str | None = None,
    outcome: CloseOutcome | None = None,
) -> StateChange:
    """Move the referral to `target` if the workflow allows it: timestamped, attributed, audited.

    Ending a referral records its outcome and queues the message back to the referrer; moving an
    ended referral back to contacting is a reopen (audited as such).

    Raises:
        PermissionDenied: the user may not change this referral.
        PrescribingError: the move is not allowed now (the message says why); nothing changed.
    """
    require(user, REFERRAL_UPDATE, referral)
    current = referral.state
    try:
        check_transition(
            current,
            target,
            attempts=attempt_summary(referral),
            required_attempts=current_app.config["PRESCRIBING_CONTACT_ATTEMPTS"],
            minimum_days=current_app.config["PRESCRIBING_CONTACT_DAYS"],
        )
    except InvalidTransition as exc:
        raise PrescribingError(str(exc)) from exc
    if target is S.CLOSED and outcome is None:
        raise PrescribingError("Choose an outcome to close the referral.")
    now = utcnow()
    reopening = not current.is_open
    change = StateChange(
        referral_id=referral.id,
        from_state=current,
        to_state=target,
        at=now,
        by_user_id=actor_id(user),
        note=(note or "").strip() or None,
    )
    referral.state_changes.append(change)
    referral.state = target
    if reopening:
        referral.closed_at = None
        referral.outcome = None
        referral.outcome_notes = None
        referral.accepted_at = None  # a new episode: 871731000000106 applies again
    if target is S.ENGAGED and referral.accepted_at is None:
        _accept(referral, now)
    if not target.is_open:
        referral.closed_at = now
        referral.outcome = outcome or EXIT_OUTCOMES.get(target, CloseOutcome.OTHER)
        referral.outcome_notes = (note or "").strip() or None
    record_event(
        "referral.reopen" if reopening else "referral.state",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "from": current.value,
            "to": target.value,
            **({"outcome": referral.outcome.value} if referral.outcome else {}),
        },
    )
    if not target.is_open:
        messages.outcome(referral, referrer_summary(referral))
    return change


def _accept(referral: Referral, now: datetime) -> None:
    referral.accepted_at = now
    messages.accepted(referral)


@operation
def assign(user: User, referral: Referral, coordinator_id: int) -> None:
    """Give the referral to a coordinator (and their team). Reassigning works the same way."""
    require(user, REFERRAL_UPDATE, referral)
    coordinator = db.session.get(User, coordinator_id)
    if (
        coordinator is None
        or not coordinator.active
        or not coordinator.has_role(Role.COORDINATOR)
        or coordinator.team_id is None
    ):
        raise PrescribingError("Choose an active coordinator who belongs to a team.")
    if not (
        user.has_role(Role.ADMIN)
        or coordinator.team_id == user.team_id
        or coordinator.team_id in user.leads_team_ids
    ):
        raise PrescribingError("You can only assign referrals to coordinators in your own team.")
    before = referral.coordinator_id
    referral.coordinator_id = coordinator.id
    referral.team_id = coordinator.team_id
    record_event(
        "referral.assign",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "from_coordinator": before,
            "to_coordinator": coordinator.id,
            "team": coordinator.team_id,
        },
    )


def coordinators_for(user: User) -> list[User]:
    """Coordinators this user may assign work to (their team, teams they lead; all for admins)."""
    query = (
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.COORDINATOR, User.active.is_(True), User.team_id.is_not(None))
    )
    if not user.has_role(Role.ADMIN):
        teams = {user.team_id, *user.leads_team_ids} - {None}
        query = query.where(User.team_id.in_(teams))
    return list(db.session.scalars(query.order_by(User.name)))


@operation
def record_contact_attempt(
    user: User,
    referral: Referral,
    *,
    method: ContactMethod | str,
    outcome: ContactOutcome | str,
    at: datetime | None = None,
    notes: str | None = None,
) -> ContactAttempt:
    """Log an attempt to reach the person. The first one moves a new referral to contacting."""
    require(user, REFERRAL_UPDATE, referral)
    how = ContactMethod.parse(method)
    if how is None:
        raise PrescribingError("Choose how you tried to make contact.")
    result = ContactOutcome.parse(outcome)
    if result is None:
        raise PrescribingError("Choose what happened.")
    at = at or utcnow()
    if at > utcnow():
        raise PrescribingError("A contact attempt cannot be in the future.")
    require_open(referral, "recording contact")
    if referral.state is S.RECEIVED:
        change_state(user, referral, S.CONTACTING, note="First contact attempt")
    attempt = ContactAttempt(
        referral_id=referral.id,
        at=at,
        method=how,
        outcome=result,
        successful=result.successful,
        notes=(notes or "").strip() or None,
        by_user_id=actor_id(user),
    )
    referral.contact_attempts.append(attempt)
    if result.successful and referral.first_contact_at is None:
        referral.first_contact_at = at
    if result.successful and referral.accepted_at is None:
        _accept(referral, at)
    record_event(
        "referral.contact_attempt",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={"method": how.value, "outcome": result.value},
    )
    return attempt


@dataclass
class ConversationDetails:
    """What a coordinator records about the guided conversation."""

    held_on: date
    who_was_there: str = ""
    consent_to_share: bool = False
    share_with: str = ""
    what_matters: str = ""
    needs: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    notes: str = ""
    measures: MeasureAnswers = field(default_factory=MeasureAnswers)


@operation
def hold_conversation(user: User, referral: Referral, details: ConversationDetails) -> Conversation:
    """Record the guided conversation, its baseline measures and goals; plan the follow-ups.

    The referral becomes engaged. Follow-ups (+21 and +42 days) are planned from the first
    conversation of the current cycle.
    """
    require(user, REFERRAL_UPDATE, referral)
    if details.held_on > today():
        raise PrescribingError("The conversation date cannot be in the future.")
    if details.held_on < local_date(referral.received_at):
        raise PrescribingError("The conversation cannot be before the referral was received.")
    if not details.what_matters.strip():
        raise PrescribingError("Write down what matters to the person.")
    if details.consent_to_share and not details.share_with.strip():
        raise PrescribingError("Say who the person agreed their information can be shared with.")
    goals = [g.strip() for g in details.goals if g and g.strip()]
    measures = build_measures(
        details.measures,
        MeasureStage.BASELINE,
        details.held_on,
        required_measures(),
        actor_id(user),
    )
    if referral.state in (S.RECEIVED, S.CONTACTING):
        change_state(user, referral, S.ENGAGED, note="Guided conversation held")
    else:
        require_open(referral, "recording a conversation")
    conversation = Conversation(
        referral_id=referral.id,
        held_on=details.held_on,
        who_was_there=details.who_was_there.strip() or None,
        consent_to_share=details.consent_to_share,
        share_with=details.share_with.strip() if details.consent_to_share else None,
        what_matters=details.what_matters.strip(),
        needs=list(details.needs),
        notes=details.notes.strip() or None,
        by_user_id=actor_id(user),
    )
    referral.conversations.append(conversation)
    referral.goals.extend(Goal(text=text) for text in goals)
    referral.measures.extend(measures)
    if referral.first_contact_at is None:
        referral.first_contact_at = utcnow()
    if not any(f.done_on is None for f in referral.follow_ups):
        cycle = max((f.cycle for f in referral.follow_ups), default=0) + 1
        plan_cycle(referral, details.held_on, cycle)
    record_event(
        "referral.conversation",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "held_on": details.held_on.isoformat(),
            "goals": len(goals),
            "measures": [m.kind.value for m in measures],
            "consent_to_share": details.consent_to_share,
        },
    )
    return conversation


def plan_cycle(referral: Referral, start: date, cycle: int) -> None:
    """Add a cycle's three-week check and six-week review, counted from `start`."""
    for plan in plan_follow_ups(start):
        referral.follow_ups.append(
            FollowUp(
                kind=plan.kind,
                cycle=cycle,
                due_on=plan.due_on,
                window_opens=plan.window_opens,
                window_closes=plan.window_closes,
            )
        )


@operation
def move_conversation(user: User, referral: Referral, conversation_id: int, held_on: date) -> None:
    """Correct the conversation date; the open follow-ups planned from it move with it."""
    require(user, REFERRAL_UPDATE, referral)
    conversation = next((c for c in referral.conversations if c.id == conversation_id), None)
    if conversation is None:
        raise PrescribingError("There is no such conversation on this referral.")
    if held_on > today():
        raise PrescribingError("The conversation date cannot be in the future.")
    if held_on < local_date(referral.received_at):
        raise PrescribingError("The conversation cannot be before the referral was received.")
    first = min(referral.conversations, key=lambda c: (c.held_on, c.id)) is conversation
    before = conversation.held_on
    conversation.held_on = held_on
    if first:  # the first cycle's follow-ups are counted from the first conversation
        plans = {p.kind: p for p in plan_follow_ups(held_on)}
        for follow_up in referral.follow_ups:
            if follow_up.done_on is None and follow_up.cycle == 1:
                plan = plans[follow_up.kind]
                follow_up.due_on, follow_up.window_opens, follow_up.window_closes = (
                    plan.due_on,
                    plan.window_opens,
                    plan.window_closes,
                )
                follow_up.reminder_sent_at = None
    for measure in referral.measures:
        if measure.stage is MeasureStage.BASELINE and measure.taken_on == before:
            measure.taken_on = held_on
    record_event(
        "referral.conversation_moved",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={"from": before.isoformat(), "to": held_on.isoformat()},
    )
