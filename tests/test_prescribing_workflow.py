from datetime import UTC, date, datetime

import pytest

from prescribing.workflow import (
    ALLOWED,
    ContactAttemptSummary,
    FollowUpKind,
    InvalidTransition,
    ReferralState,
    check_transition,
    plan_follow_ups,
    variance,
)
from signpost.dates import local_date, local_morning

S = ReferralState
EXPECTED_ALLOWED = {
    (S.RECEIVED, S.CONTACTING),
    (S.RECEIVED, S.ENGAGED),
    (S.RECEIVED, S.DECLINED),
    (S.RECEIVED, S.NOT_APPROPRIATE),
    (S.RECEIVED, S.WITHDRAWN),
    (S.CONTACTING, S.ENGAGED),
    (S.CONTACTING, S.DECLINED),
    (S.CONTACTING, S.UNABLE_TO_CONTACT),
    (S.CONTACTING, S.NOT_APPROPRIATE),
    (S.CONTACTING, S.WITHDRAWN),
    (S.ENGAGED, S.ACTIVE),
    (S.ENGAGED, S.CLOSED),
    (S.ENGAGED, S.DECLINED),
    (S.ENGAGED, S.WITHDRAWN),
    (S.ACTIVE, S.CLOSED),
    (S.ACTIVE, S.WITHDRAWN),
    (S.CLOSED, S.CONTACTING),
    (S.DECLINED, S.CONTACTING),
    (S.UNABLE_TO_CONTACT, S.CONTACTING),
    (S.NOT_APPROPRIATE, S.CONTACTING),
    (S.WITHDRAWN, S.CONTACTING),
}
ENOUGH = ContactAttemptSummary(3, date(2026, 1, 1), date(2026, 1, 15))


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition_is_allowed_or_refused_exactly_as_designed(current, target):
    if (current, target) in EXPECTED_ALLOWED:
        check_transition(current, target, attempts=ENOUGH)
    else:
        with pytest.raises(InvalidTransition, match="cannot be marked"):
            check_transition(current, target, attempts=ENOUGH)


def test_transition_table_matches_the_design():
    actual = {(a, b) for a, targets in ALLOWED.items() for b in targets}
    assert actual == EXPECTED_ALLOWED


@pytest.mark.parametrize(
    "attempts",
    [
        ContactAttemptSummary(2, date(2026, 1, 1), date(2026, 1, 20)),
        ContactAttemptSummary(5, date(2026, 1, 1), date(2026, 1, 14)),
        None,
    ],
)
def test_unable_to_contact_needs_enough_attempts_over_fourteen_days(attempts):
    with pytest.raises(InvalidTransition, match="at least 3 attempts over at least 14 days"):
        check_transition(S.CONTACTING, S.UNABLE_TO_CONTACT, attempts=attempts)


def test_follow_ups_fall_21_and_42_days_after_the_conversation():
    plans = {p.kind: p for p in plan_follow_ups(date(2026, 3, 10))}
    assert plans[FollowUpKind.THREE_WEEK_CHECK].due_on == date(2026, 3, 31)
    assert plans[FollowUpKind.SIX_WEEK_REVIEW].due_on == date(2026, 4, 21)


def test_follow_up_across_the_spring_clock_change_keeps_calendar_days_and_local_morning():
    # 29 March 2026 is when the UK clocks go forward.
    check = plan_follow_ups(date(2026, 3, 10))[0]
    assert check.due_on == date(2026, 3, 31)
    assert local_morning(date(2026, 3, 27)) == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert local_morning(check.due_on) == datetime(2026, 3, 31, 7, 0, tzinfo=UTC)


def test_follow_up_across_the_autumn_clock_change():
    # 25 October 2026 is when the UK clocks go back.
    review = plan_follow_ups(date(2026, 9, 20))[1]
    assert review.due_on == date(2026, 11, 1)
    assert local_morning(review.due_on) == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def test_local_date_of_a_late_summer_evening_is_the_next_day():
    assert local_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == date(2026, 7, 2)


def test_variance_of_follow_ups():
    plan = plan_follow_ups(date(2026, 3, 10))[0]  # due 31 March, window 29 March - 5 April
    assert variance(plan, None, date(2026, 3, 20)) == "upcoming"
    assert variance(plan, None, date(2026, 3, 31)) == "due"
    assert variance(plan, None, date(2026, 4, 6)) == "overdue"
    assert variance(plan, date(2026, 4, 1), date(2026, 4, 10)) == "on time"
    assert variance(plan, date(2026, 4, 9), date(2026, 4, 10)) == "late"
    assert variance(plan, date(2026, 3, 20), date(2026, 4, 10)) == "early"
