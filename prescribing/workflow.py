"""A referral's life as a state machine, and the follow-up dates that hang off the conversation.

The transition table is the one place that says which moves are allowed; operations call
`check_transition` before changing anything, so an invalid move changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from signpost.vocabulary import Vocabulary


class ReferralState(Vocabulary):
    RECEIVED = "received", "Received"
    CONTACTING = "contacting", "Contacting"
    ENGAGED = "engaged", "Engaged"  # guided conversation held
    ACTIVE = "active", "Active"  # services suggested; follow-ups running
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES


OPEN_STATES = frozenset(
    {ReferralState.RECEIVED, ReferralState.CONTACTING, ReferralState.ENGAGED, ReferralState.ACTIVE}
)
ENDED_STATES = frozenset(set(ReferralState) - OPEN_STATES)

_S = ReferralState
ALLOWED: dict[ReferralState, frozenset[ReferralState]] = {
    _S.RECEIVED: frozenset(
        {_S.CONTACTING, _S.ENGAGED, _S.DECLINED, _S.NOT_APPROPRIATE, _S.WITHDRAWN}
    ),
    _S.CONTACTING: frozenset(
        {_S.ENGAGED, _S.DECLINED, _S.UNABLE_TO_CONTACT, _S.NOT_APPROPRIATE, _S.WITHDRAWN}
    ),
    _S.ENGAGED: frozenset({_S.ACTIVE, _S.CLOSED, _S.DECLINED, _S.WITHDRAWN}),
    _S.ACTIVE: frozenset({_S.CLOSED, _S.WITHDRAWN}),
    # Every ended referral may be reopened; it goes back to making contact.
    **{ended: frozenset({_S.CONTACTING}) for ended in ENDED_STATES},
}


class InvalidTransition(ValueError):
    """The move is not allowed from the referral's current state; nothing was changed."""


@dataclass(frozen=True)
class ContactAttemptSummary:
    """What the unable-to-contact rule needs to know about the attempts made so far."""

    unsuccessful_attempts: int
    first_attempt_on: date | None
    last_attempt_on: date | None


def check_transition(
    current: ReferralState,
    target: ReferralState,
    *,
    attempts: ContactAttemptSummary | None = None,
    required_attempts: int = 3,
    minimum_days: int = 14,
) -> None:
    """Raise InvalidTransition with a plain-English reason unless current -> target is allowed."""
    if target not in ALLOWED[current]:
        raise InvalidTransition(
            f"A referral that is {current.label.lower()} cannot be marked {target.label.lower()}."
        )
    if target is ReferralState.UNABLE_TO_CONTACT:
        a = attempts or ContactAttemptSummary(0, None, None)
        span = (
            (a.last_attempt_on - a.first_attempt_on).days
            if (a.first_attempt_on and a.last_attempt_on)
            else 0
        )
        if a.unsuccessful_attempts < required_attempts or span < minimum_days:
            raise InvalidTransition(
                f"Before closing as unable to contact, make at least {required_attempts} attempts "
                f"over at least {minimum_days} days (so far: {a.unsuccessful_attempts} over "
                f"{span} days)."
            )


class FollowUpKind(Vocabulary):
    THREE_WEEK_CHECK = "three_week_check", "Three-week phone check"
    SIX_WEEK_REVIEW = "six_week_review", "Six-week review"


@dataclass(frozen=True)
class FollowUpPlan:
    kind: FollowUpKind
    due_on: date
    window_opens: date
    window_closes: date


FOLLOW_UP_OFFSETS = {FollowUpKind.THREE_WEEK_CHECK: 21, FollowUpKind.SIX_WEEK_REVIEW: 42}
WINDOW_BEFORE_DAYS = 2
WINDOW_AFTER_DAYS = 5


def plan_follow_ups(conversation_on: date) -> list[FollowUpPlan]:
    """The three- and six-week follow-ups, counted in calendar days from the conversation."""
    plans = []
    for kind, offset in FOLLOW_UP_OFFSETS.items():
        due = conversation_on + timedelta(days=offset)
        plans.append(
            FollowUpPlan(
                kind,
                due,
                due - timedelta(days=WINDOW_BEFORE_DAYS),
                due + timedelta(days=WINDOW_AFTER_DAYS),
            )
        )
    return plans


def variance(plan: FollowUpPlan, done_on: date | None, today: date) -> str:
    """'on time', 'early', 'late', 'due', 'overdue' or 'upcoming' for one follow-up."""
    if done_on is not None:
        if done_on < plan.window_opens:
            return "early"
        return "on time" if done_on <= plan.window_closes else "late"
    if today > plan.window_closes:
        return "overdue"
    return "due" if today >= plan.due_on else "upcoming"
