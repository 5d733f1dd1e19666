"""Coordinators' worklists, the referrer's list, and the case page as a timeline.

Lists are limited in SQL by `signpost.permissions.case_filter`, so nobody is ever shown a row
they may not open. Each list shown is audited once (it shows people's names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, false, func, select, true
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from prescribing.models import FollowUp, Person, Referral
from prescribing.operations.common import actor_id
from prescribing.vocabulary import Urgency
from prescribing.workflow import OPEN_STATES, FollowUpPlan, ReferralState, variance
from signpost.accounts.models import Role, User
from signpost.audit import record_event
from signpost.dates import today
from signpost.extensions import db
from signpost.paging import offset, total_pages
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

    @property
    def pages(self) -> int:
        return total_pages(self.total, PAGE_SIZE)


def _urgent_first() -> Any:
    return case((Referral.urgency == Urgency.URGENT, 0), else_=1)


def _follow_up_scope(user: User) -> Any:
    """The team part of the access rule, on the follow-up's own copy of its referral's team.

    It narrows the search to the team's rows through an index; the referral's own
    `case_filter` is still applied on top, so it can never show more than that rule allows.
    Users whose access also comes from other roles (a referrer's practice, a call handler's
    calls) or who are admins get no shortcut: the referral's rule alone decides.
    """
    roles = user.roles
    if Role.ADMIN in roles or roles & {Role.REFERRER, Role.CALL_HANDLER}:
        return true()
    return case_filter(user, FollowUp)  # a coordinator: team_id only


def _page_ids(query: Any, page: int) -> list[int]:
    return list(db.session.scalars(query.limit(PAGE_SIZE).offset(offset(page, PAGE_SIZE))))


def _in_order(rows: Any, ids: list[int]) -> list[Any]:
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def worklist(user: User, name: str, *, page: int = 1, on: date | None = None) -> Worklist:
    """One of the coordinators' worklists (see WORKLISTS), one page at a time, audited.

    Two steps, so a list never reads more rows than the page shows: the page's ids (and the
    count) come from narrow indexes on the list's own question; then just those rows are
    loaded with the person's name.
    """
    require(user, CASELOAD_VIEW)
    if name not in WORKLISTS:
        raise ValueError(f"Unknown worklist {name!r}")
    on = on or today()
    page = max(page, 1)
    visible = case_filter(user, Referral)
    if name in ("due", "overdue"):
        conditions = [
            _follow_up_scope(user),
            visible,
            FollowUp.done_on.is_(None),
            Referral.state.in_([S.ENGAGED, S.ACTIVE]),
        ]
        if name == "due":
            conditions += [FollowUp.due_on <= on, FollowUp.window_closes >= on]
        else:
            conditions.append(FollowUp.window_closes < on)
        ids_query = (
            select(FollowUp.id)
            .join(Referral, Referral.id == FollowUp.referral_id)
            .where(*conditions)
            .order_by(FollowUp.due_on, FollowUp.id)
        )
        count_query = (
            select(func.count())
            .select_from(FollowUp)
            .join(Referral, Referral.id == FollowUp.referral_id)
            .where(*conditions)
        )
        load = select(FollowUp).options(joinedload(FollowUp.referral).joinedload(Referral.person))
        model: Any = FollowUp
    else:
        conditions = [visible]
        if name == "new":
            conditions.append(Referral.state.in_([S.RECEIVED, S.CONTACTING]))
        elif name == "mine":
            conditions += [
                Referral.coordinator_id == user.id,
                Referral.state.in_(list(OPEN_STATES)),
            ]
        else:  # team
            conditions += [
                Referral.team_id == user.team_id if user.team_id is not None else false(),
                Referral.state.in_(list(OPEN_STATES)),
            ]
        ids_query = (
            select(Referral.id)
            .where(*conditions)
            .order_by(_urgent_first(), Referral.received_at, Referral.id)
        )
        count_query = select(func.count()).select_from(Referral).where(*conditions)
        load = select(Referral).options(joinedload(Referral.person))
        model = Referral
    record_event(
        "worklist.view",
        actor_id=actor_id(user),
        subject_type="worklist",
        subject_id=name,
        detail={"page": page},
    )
    ids = _page_ids(ids_query, page)
    rows = _in_order(db.session.scalars(load.where(model.id.in_(ids))).unique(), ids) if ids else []
    total = db.session.scalar(count_query) or 0
    return Worklist(name, WORKLISTS[name], rows, total, page)


def follow_up_variance(follow_up: FollowUp, on: date | None = None) -> str:
    plan = FollowUpPlan(
        follow_up.kind, follow_up.due_on, follow_up.window_opens, follow_up.window_closes
    )
    return variance(plan, follow_up.done_on, on or today())


def referrer_referrals(user: User, *, page: int = 1) -> tuple[list[Referral], int]:
    """The referrals this user may see as a referrer (their practice's), newest first, audited."""
    require(user, REFERRAL_VIEW)
    query = (
        select(Referral)
        .join(Referral.person)
        .options(contains_eager(Referral.person))
        .where(case_filter(user, Referral))
    )
    record_event(
        "referral.list",
        actor_id=actor_id(user),
        subject_type="referral_list",
        detail={"page": page},
    )
    total = (
        db.session.scalar(
            select(func.count()).select_from(
                query.with_only_columns(Referral.id).order_by(None).subquery()
            )
        )
        or 0
    )
    rows = list(
        db.session.scalars(
            query.order_by(Referral.received_at.desc(), Referral.id.desc())
            .limit(PAGE_SIZE)
            .offset(offset(page, PAGE_SIZE))
        )
    )
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
    entries: list[TimelineEntry] = []
    for change in referral.state_changes:
        title = (
            f"Marked {change.to_state.label.lower()}" if change.from_state else "Referral received"
        )
        entries.append(
            TimelineEntry(change.at, "state", title, change.note or "", change.by_user_id)
        )
    for attempt in referral.contact_attempts:
        entries.append(
            TimelineEntry(
                attempt.at,
                "contact",
                f"Contact attempt: {attempt.method.label}",
                attempt.outcome.label + (f". {attempt.notes}" if attempt.notes else ""),
                attempt.by_user_id,
            )
        )
    for conversation in referral.conversations:
        entries.append(
            TimelineEntry(
                conversation.held_on,
                "conversation",
                "Guided conversation",
                conversation.what_matters,
                conversation.by_user_id,
            )
        )
    for measure in referral.measures:
        score = (
            f"SWEMWBS {measure.raw_score}/35, metric {measure.metric_score:.2f}"
            if measure.metric_score is not None
            else measure.kind.label
        )
        entries.append(
            TimelineEntry(
                measure.taken_on,
                "measure",
                f"Wellbeing measure ({measure.stage.label.lower()})",
                score,
                measure.by_user_id,
            )
        )
    for suggestion in referral.suggested_services:
        entries.append(
            TimelineEntry(
                suggestion.created_at, "signpost", "Signposted to a service", suggestion.service_id
            )
        )
    for onward in referral.onward_referrals:
        entries.append(
            TimelineEntry(
                onward.made_at,
                "onward",
                f"Referred on: {onward.kind.label}",
                onward.notes or "",
                onward.by_user_id,
            )
        )
    for follow_up in referral.follow_ups:
        if follow_up.done_on:
            entries.append(
                TimelineEntry(
                    follow_up.done_on,
                    "follow_up",
                    f"{follow_up.kind.label} done",
                    follow_up.notes or "",
                    follow_up.by_user_id,
                )
            )
    return sorted(entries, key=_sort_key)


def load_case(referral_id: int) -> Referral | None:
    """The referral with everything the case page shows, in a handful of queries."""
    return db.session.scalars(
        select(Referral)
        .where(Referral.id == referral_id)
        .options(
            joinedload(Referral.person),
            selectinload(Referral.reasons),
            selectinload(Referral.state_changes),
            selectinload(Referral.contact_attempts),
            selectinload(Referral.conversations),
            selectinload(Referral.goals),
            selectinload(Referral.measures),
            selectinload(Referral.suggested_services),
            selectinload(Referral.onward_referrals),
            selectinload(Referral.follow_ups),
        )
    ).first()


def user_names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def people_count() -> int:
    return db.session.scalar(select(func.count(Person.id))) or 0
