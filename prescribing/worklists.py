"""Coordinators' worklists, the referrer's list, and the case page as a timeline.

Lists are limited in SQL by `signpost.permissions.case_filter`, so nobody is ever shown a row
they may not open. Each list shown is audited once (it shows people's names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, selectinload

from prescribing.models import FollowUp, Person, Referral, Urgency
from prescribing.operations import actor_id, today
from prescribing.workflow import OPEN_STATES, FollowUpPlan, ReferralState, variance
from signpost.accounts.models import User
from signpost.audit import record_event
from signpost.extensions import db
from signpost.permissions import CASELOAD_VIEW, REFERRAL_VIEW, case_filter, require

S = ReferralState
PAGE_SIZE = 50
WORKLISTS = {
    "new": "New referrals to contact",
    "due": "Follow-ups due",
    "overdue": "Overdue follow-ups",
    "mine": "My caseload",
    "team": "My team's caseload",
}


@dataclass
class Worklist:
    name: str
    title: str
    rows: list[Any]
    total: int
    page: int


def _urgent_first() -> Any:
    return case((Referral.urgency == Urgency.URGENT, 0), else_=1)


def worklist(user: User, name: str, *, page: int = 1, on: date | None = None) -> Worklist:
    """One of the coordinators' worklists (see WORKLISTS), one page at a time, audited."""
    require(user, CASELOAD_VIEW)
    on = on or today()
    page = max(page, 1)
    visible = case_filter(user, Referral)
    if name in ("due", "overdue"):
        query = (select(FollowUp).join(FollowUp.referral).join(Referral.person)
                 .options(contains_eager(FollowUp.referral).contains_eager(Referral.person))
                 .where(visible, FollowUp.done_on.is_(None),
                        Referral.state.in_([S.ENGAGED, S.ACTIVE])))
        if name == "due":
            query = query.where(FollowUp.due_on <= on, FollowUp.window_closes >= on)
        else:
            query = query.where(FollowUp.window_closes < on)
        order = (FollowUp.due_on, FollowUp.id)
        count_query = (select(func.count(FollowUp.id)).join(FollowUp.referral)
                       .where(query.whereclause))  # no person join: one row each
    else:
        query = (select(Referral).join(Referral.person).options(contains_eager(Referral.person))
                 .where(visible))
        if name == "new":
            query = query.where(Referral.state.in_([S.RECEIVED, S.CONTACTING]))
            order = (_urgent_first(), Referral.received_at, Referral.id)
        elif name == "mine":
            query = query.where(Referral.coordinator_id == user.id,
                                Referral.state.in_(list(OPEN_STATES)))
            order = (_urgent_first(), Referral.received_at, Referral.id)
        elif name == "team":
            if user.team_id is None:
                query = query.where(Referral.id.is_(None))
            query = query.where(Referral.team_id == user.team_id,
                                Referral.state.in_(list(OPEN_STATES)))
            order = (_urgent_first(), Referral.received_at, Referral.id)
        else:
            raise ValueError(f"Unknown worklist {name!r}")
        count_query = select(func.count(Referral.id)).where(query.whereclause)
    # Audit first: committing afterwards would expire the rows and reload each one.
    record_event("worklist.view", actor_id=actor_id(user), subject_type="worklist",
                 subject_id=name, detail={"page": page})
    db.session.commit()
    rows = list(db.session.scalars(query.order_by(*order).limit(PAGE_SIZE)
                                   .offset((page - 1) * PAGE_SIZE)).unique())
    total = db.session.scalar(count_query) or 0
    return Worklist(name, WORKLISTS[name], rows, total, page)


def follow_up_variance(follow_up: FollowUp, on: date | None = None) -> str:
    plan = FollowUpPlan(follow_up.kind, follow_up.due_on, follow_up.window_opens,
                        follow_up.window_closes)
    return variance(plan, follow_up.done_on, on or today())


def referrer_referrals(user: User, *, page: int = 1) -> tuple[list[Referral], int]:
    """The referrals this user may see as a referrer (their practice's), newest first, audited."""
    require(user, REFERRAL_VIEW)
    query = (select(Referral).join(Referral.person).options(contains_eager(Referral.person))
             .where(case_filter(user, Referral)))
    record_event("referral.list", actor_id=actor_id(user), subject_type="referral_list",
                 detail={"page": page})
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(Referral.id).order_by(None).subquery())) or 0
    rows = list(db.session.scalars(query.order_by(Referral.received_at.desc(), Referral.id.desc())
                                   .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)))
    return rows, total


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime | date
    kind: str
    title: str
    detail: str
    by_user_id: int | None = None


def _sort_key(entry: TimelineEntry) -> tuple[date, str]:
    day = entry.at.date() if isinstance(entry.at, datetime) else entry.at
    return (day, entry.at.isoformat() if isinstance(entry.at, datetime) else "99")


def timeline(referral: Referral) -> list[TimelineEntry]:
    """Everything that happened on the referral, oldest first (dates without times sort last)."""
    from prescribing.casework import CONTACT_METHODS, CONTACT_OUTCOMES
    from prescribing.followups import ONWARD_LABELS

    entries: list[TimelineEntry] = []
    for change in referral.state_changes:
        title = (f"Marked {change.to_state.label.lower()}" if change.from_state
                 else "Referral received")
        entries.append(TimelineEntry(change.at, "state", title, change.note or "",
                                     change.by_user_id))
    for attempt in referral.contact_attempts:
        entries.append(TimelineEntry(
            attempt.at, "contact", f"Contact attempt: {CONTACT_METHODS.get(attempt.method, attempt.method)}",
            CONTACT_OUTCOMES.get(attempt.outcome, attempt.outcome)
            + (f". {attempt.notes}" if attempt.notes else ""), attempt.by_user_id))
    for conversation in referral.conversations:
        entries.append(TimelineEntry(conversation.held_on, "conversation", "Guided conversation",
                                     conversation.what_matters, conversation.by_user_id))
    for measure in referral.measures:
        score = (f"SWEMWBS {measure.raw_score}/35, metric {measure.metric_score:.2f}"
                 if measure.metric_score is not None else measure.kind.value.upper())
        entries.append(TimelineEntry(measure.taken_on, "measure",
                                     f"Wellbeing measure ({measure.stage.value.replace('_', ' ')})",
                                     score, measure.by_user_id))
    for signpost in referral.signposts:
        entries.append(TimelineEntry(signpost.created_at, "signpost", "Signposted to a service",
                                     signpost.service_id))
    for onward in referral.onward_referrals:
        entries.append(TimelineEntry(onward.made_at, "onward",
                                     f"Referred on: {ONWARD_LABELS[onward.kind]}", onward.notes or "",
                                     onward.by_user_id))
    for follow_up in referral.follow_ups:
        if follow_up.done_on:
            entries.append(TimelineEntry(follow_up.done_on, "follow_up",
                                         f"{follow_up.kind.label} done",
                                         follow_up.notes or "", follow_up.by_user_id))
    return sorted(entries, key=_sort_key)


def load_case(referral_id: int) -> Referral | None:
    """The referral with everything the case page shows, in a handful of queries."""
    return db.session.scalars(
        select(Referral).where(Referral.id == referral_id).options(
            selectinload(Referral.person), selectinload(Referral.reasons),
            selectinload(Referral.state_changes), selectinload(Referral.contact_attempts),
            selectinload(Referral.conversations), selectinload(Referral.goals),
            selectinload(Referral.measures), selectinload(Referral.signposts),
            selectinload(Referral.onward_referrals), selectinload(Referral.follow_ups))).first()


def user_names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def people_count() -> int:
    return db.session.scalar(select(func.count(Person.id))) or 0
