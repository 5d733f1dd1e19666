"""Figures for managers: aggregates only, and any count below 5 is suppressed.

No function here returns a person's record or an id: only counts, medians and means.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from directory.models import Service
from prescribing.models import FollowUp, Measure, Referral, ReferralReason, SuggestedService
from prescribing.operations.common import actor_id
from prescribing.reasons import REFERRAL_REASONS
from prescribing.vocabulary import MeasureKind, MeasureStage
from prescribing.workflow import FollowUpPlan, variance
from signpost.audit import record_event
from signpost.dates import today
from signpost.extensions import db
from signpost.permissions import REPORTS_VIEW, require

SUPPRESS_BELOW = 5
SUPPRESSED = "fewer than 5"


def shown(count: int) -> int | str:
    """A count as it may be shown: suppressed below 5 (0 is shown as 0)."""
    return SUPPRESSED if 0 < count < SUPPRESS_BELOW else count


@dataclass
class Figures:
    by_source: list[tuple[str, int | str]]
    by_reason: list[tuple[str, int | str]]
    by_state: list[tuple[str, int | str]]
    median_days_to_first_contact: float | None
    first_contact_n: int | str
    follow_ups_on_time: int | str
    follow_ups_due: int | str
    follow_ups_on_time_percent: float | None
    swemwbs_mean_change: float | None
    swemwbs_n: int | str
    top_services: list[tuple[str, int | str]]


def _grouped(rows: Sequence[Any], label: Callable[[Any], str]) -> list[tuple[str, int | str]]:
    return [(label(key), shown(count)) for key, count in sorted(rows, key=lambda r: -r[1])]


def _scores(rows: Sequence[Any]) -> dict[int, float]:
    return {referral_id: score for referral_id, score in rows if score is not None}


def figures(user: Any, *, since: date | None = None, until: date | None = None) -> Figures:
    """The pipeline figures for referrals received between two dates (inclusive), audited."""
    require(user, REPORTS_VIEW)
    window = []
    if since:
        window.append(func.date(Referral.received_at) >= since)
    if until:
        window.append(func.date(Referral.received_at) <= until)
    by_source = db.session.execute(
        select(Referral.source, func.count()).where(*window).group_by(Referral.source)
    ).all()
    by_state = db.session.execute(
        select(Referral.state, func.count()).where(*window).group_by(Referral.state)
    ).all()
    by_reason = db.session.execute(
        select(ReferralReason.code, func.count())
        .join(Referral)
        .where(*window)
        .group_by(ReferralReason.code)
    ).all()

    contact = db.session.execute(
        select(Referral.received_at, Referral.first_contact_at).where(
            Referral.first_contact_at.is_not(None), *window
        )
    ).all()
    days = [
        (first - received).total_seconds() / 86400
        for received, first in contact
        if first is not None  # the query asks for it; this tells the type checker
    ]
    median = round(statistics.median(days), 1) if len(days) >= SUPPRESS_BELOW else None

    on = today()
    on_time = due = 0
    for f in db.session.scalars(select(FollowUp).join(Referral).where(*window)):
        state = variance(
            FollowUpPlan(f.kind, f.due_on, f.window_opens, f.window_closes), f.done_on, on
        )
        if state in ("on time", "early", "late", "overdue"):
            due += 1
            on_time += state in ("on time", "early")

    baseline = _scores(
        db.session.execute(
            select(Measure.referral_id, func.min(Measure.metric_score))
            .join(Referral)
            .where(
                Measure.kind == MeasureKind.SWEMWBS,
                Measure.stage == MeasureStage.BASELINE,
                Measure.metric_score.is_not(None),
                *window,
            )
            .group_by(Measure.referral_id)
        ).all()
    )
    six_week = _scores(
        db.session.execute(
            select(Measure.referral_id, func.max(Measure.metric_score))
            .join(Referral)
            .where(
                Measure.kind == MeasureKind.SWEMWBS,
                Measure.stage == MeasureStage.SIX_WEEK,
                Measure.metric_score.is_not(None),
                *window,
            )
            .group_by(Measure.referral_id)
        ).all()
    )
    changes = [six_week[r] - baseline[r] for r in baseline.keys() & six_week.keys()]
    mean_change = round(statistics.fmean(changes), 2) if len(changes) >= SUPPRESS_BELOW else None

    services = db.session.execute(
        select(Service.name, func.count(SuggestedService.id))
        .join(Service, Service.id == SuggestedService.service_id)
        .join(Referral)
        .where(*window)
        .group_by(Service.id, Service.name)
        .order_by(func.count(SuggestedService.id).desc())
        .limit(10)
    ).all()

    record_event(
        "prescribing.report",
        actor_id=actor_id(user),
        subject_type="report",
        detail={
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
    )
    return Figures(
        by_source=_grouped(by_source, lambda s: s.label),
        by_reason=_grouped(by_reason, lambda c: REFERRAL_REASONS.get(c, c)),
        by_state=_grouped(by_state, lambda s: s.label),
        median_days_to_first_contact=median,
        first_contact_n=shown(len(days)),
        follow_ups_on_time=shown(on_time),
        follow_ups_due=shown(due),
        follow_ups_on_time_percent=(
            round(100 * on_time / due, 1) if due >= SUPPRESS_BELOW else None
        ),
        swemwbs_mean_change=mean_change,
        swemwbs_n=shown(len(changes)),
        top_services=[(name, shown(count)) for name, count in services if count >= SUPPRESS_BELOW],
    )
