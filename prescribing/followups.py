"""Support offered and what came of it: signposts to directory services, onward referrals, the
three- and six-week follow-ups, closing with an outcome, and the morning reminders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from directory.models import Service
from prescribing import messages
from prescribing.casework import MeasureAnswers, _plan, build_measures, change_state
from prescribing.models import (
    CloseOutcome,
    FollowUp,
    MeasureKind,
    MeasureStage,
    OnwardKind,
    OnwardReferral,
    Referral,
    Signpost,
    SignpostStatus,
)
from prescribing.operations import PrescribingError, actor_id, today
from prescribing.workflow import FollowUpKind, ReferralState
from signpost.accounts.models import Team, User
from signpost.audit import record_event
from signpost.extensions import db
from signpost.permissions import REFERRAL_UPDATE, require
from signpost.types import utcnow

S = ReferralState
OUTCOME_LABELS = {
    CloseOutcome.GOALS_MET: "Goals met",
    CloseOutcome.OWN_SUPPORT_NETWORK: "Has own support network",
    CloseOutcome.REFERRED_ON: "Referred on",
    CloseOutcome.DECLINED: "Declined",
    CloseOutcome.UNABLE_TO_CONTACT: "Unable to contact",
    CloseOutcome.MOVED_AWAY: "Moved away",
    CloseOutcome.DIED: "Died",
    CloseOutcome.OTHER: "Other",
}
SIGNPOST_LABELS = {
    SignpostStatus.SUGGESTED: "Suggested",
    SignpostStatus.CONTACTED: "Person contacted the service",
    SignpostStatus.ATTENDING: "Attending",
    SignpostStatus.NOT_TAKEN_UP: "Not taken up",
}
ONWARD_LABELS = {
    OnwardKind.BUDDY: "Buddy or volunteer service",
    OnwardKind.HEALTHY_LIFESTYLES: "Healthy lifestyles team",
    OnwardKind.BACK_TO_GP: "Back to the GP (a health need)",
    OnwardKind.EARLY_HELP: "Children's early help panel",
    OnwardKind.ADULT_SAFEGUARDING: "Adult safeguarding",
}
GOAL_STATUSES = {
    "open": "Still working on it",
    "met": "Met",
    "partly": "Partly met",
    "not_met": "Not met",
}


def _require_open(referral: Referral) -> None:
    if not referral.state.is_open:
        raise PrescribingError("This referral has ended. Reopen it first.")


def add_signpost(
    user: User,
    referral: Referral,
    service_id: str,
    *,
    accompanied_visit: bool = False,
    buddy: bool = False,
) -> Signpost:
    """Suggest a directory service to the person. The first one makes an engaged referral active."""
    require(user, REFERRAL_UPDATE, referral)
    _require_open(referral)
    if referral.state not in (S.ENGAGED, S.ACTIVE):
        raise PrescribingError("Hold the guided conversation before signposting to services.")
    if db.session.get(Service, service_id) is None:
        raise PrescribingError("That service is not in the directory.")
    if any(s.service_id == service_id for s in referral.signposts):
        raise PrescribingError("This service has already been suggested.")
    signpost = Signpost(
        referral_id=referral.id,
        service_id=service_id,
        status=SignpostStatus.SUGGESTED,
        accompanied_visit=accompanied_visit,
        buddy=buddy,
    )
    referral.signposts.append(signpost)
    if referral.state is S.ENGAGED:
        change_state(user, referral, S.ACTIVE, note="Signposted to services", commit=False)
    record_event(
        "referral.signpost",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={"service": service_id, "status": "suggested"},
    )
    db.session.commit()
    return signpost


def update_signpost(
    user: User,
    referral: Referral,
    signpost_id: int,
    status: SignpostStatus,
    *,
    reason: str | None = None,
    accompanied_visit: bool | None = None,
    buddy: bool | None = None,
) -> Signpost:
    """Record how a signpost went: contacted, attending, or not taken up (with why)."""
    require(user, REFERRAL_UPDATE, referral)
    signpost = next((s for s in referral.signposts if s.id == signpost_id), None)
    if signpost is None:
        raise PrescribingError("There is no such signpost on this referral.")
    if status is SignpostStatus.NOT_TAKEN_UP and not (reason or "").strip():
        raise PrescribingError("Say why the person did not take this up.")
    signpost.status = status
    signpost.not_taken_up_reason = (
        (reason or "").strip() or None if (status is SignpostStatus.NOT_TAKEN_UP) else None
    )
    if accompanied_visit is not None:
        signpost.accompanied_visit = accompanied_visit
    if buddy is not None:
        signpost.buddy = buddy
    signpost.updated_at = utcnow()
    record_event(
        "referral.signpost",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={"service": signpost.service_id, "status": status.value},
    )
    db.session.commit()
    return signpost


def refer_onward(
    user: User, referral: Referral, kind: OnwardKind, notes: str = ""
) -> OnwardReferral:
    """Refer onward. A safeguarding referral flags the case and alerts the team lead."""
    require(user, REFERRAL_UPDATE, referral)
    _require_open(referral)
    if kind.is_safeguarding and not notes.strip():
        raise PrescribingError("Describe the safeguarding concern.")
    onward = OnwardReferral(
        referral_id=referral.id, kind=kind, notes=notes.strip() or None, by_user_id=actor_id(user)
    )
    referral.onward_referrals.append(onward)
    alerted = False
    if kind.is_safeguarding:
        referral.safeguarding_flag = True
        team = db.session.get(Team, referral.team_id) if referral.team_id else None
        if team is None and getattr(user, "team_id", None):
            team = db.session.get(Team, user.team_id)
        lead = db.session.get(User, team.lead_id) if team and team.lead_id else None
        alerted = messages.safeguarding_alert(referral, lead, ONWARD_LABELS[kind].lower())
    record_event(
        "referral.onward",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={"kind": kind.value, "safeguarding": kind.is_safeguarding, "lead_alerted": alerted},
    )
    db.session.commit()
    return onward


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
    goal_statuses: dict[int, str] = field(default_factory=dict)
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


def complete_check(
    user: User, referral: Referral, follow_up_id: int, details: CheckDetails
) -> FollowUp:
    """Record the three-week phone check: progress, and whether other support is needed."""
    require(user, REFERRAL_UPDATE, referral)
    _require_open(referral)
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
    db.session.commit()
    return follow_up


def complete_review(
    user: User, referral: Referral, follow_up_id: int, details: ReviewDetails
) -> FollowUp:
    """Record the six-week review; then close the referral or start another cycle."""
    require(user, REFERRAL_UPDATE, referral)
    _require_open(referral)
    follow_up = _open_follow_up(referral, follow_up_id, FollowUpKind.SIX_WEEK_REVIEW)
    _check_done_on(referral, details.done_on)
    if details.decision not in ("continue", "close"):
        raise PrescribingError("Choose whether to close the referral or continue support.")
    if details.decision == "close" and details.outcome is None:
        raise PrescribingError("Choose an outcome to close the referral.")
    goals = {g.id: g for g in referral.goals}
    for goal_id, status in details.goal_statuses.items():
        if goal_id not in goals or status not in GOAL_STATUSES:
            raise PrescribingError("Choose a review result for each goal from the list.")
    measures = build_measures(
        details.measures,
        MeasureStage.SIX_WEEK,
        details.done_on,
        {"swemwbs"} & _baseline_kinds(referral),
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
    for goal_id, status in details.goal_statuses.items():
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
        change_state(
            user, referral, S.CLOSED, outcome=details.outcome, note=details.notes, commit=False
        )
    else:
        _plan(referral, details.done_on, follow_up.cycle + 1)
    db.session.commit()
    return follow_up


def _baseline_kinds(referral: Referral) -> set[str]:
    """A second SWEMWBS is needed at six weeks when there was one at the start."""
    return {m.kind.value for m in referral.measures if m.stage is MeasureStage.BASELINE}


def close_referral(user: User, referral: Referral, outcome: CloseOutcome, notes: str = "") -> None:
    """Close with an outcome (the message back to the referrer is queued)."""
    if outcome is CloseOutcome.DECLINED and referral.state is not S.ACTIVE:
        change_state(user, referral, S.DECLINED, note=notes)
        return
    change_state(user, referral, S.CLOSED, outcome=outcome, note=notes)


def referrer_summary(referral: Referral) -> dict[str, Any]:
    """What the referrer is told: outcome, services used, wellbeing first and latest, SNOMED CT."""
    services = {
        s.id: s.name
        for s in db.session.scalars(
            select(Service).where(Service.id.in_([sp.service_id for sp in referral.signposts]))
        )
    }
    swemwbs = [
        m
        for m in sorted(referral.measures, key=lambda m: (m.taken_on, m.id or 0))
        if m.kind is MeasureKind.SWEMWBS and m.metric_score is not None
    ]
    codes = []
    ever_engaged = referral.accepted_at is not None or any(
        c.to_state in (S.ENGAGED, S.ACTIVE) for c in referral.state_changes
    )
    if ever_engaged:
        codes.append(messages.SNOMED_REFERRED)
    if referral.state is S.DECLINED or referral.outcome is CloseOutcome.DECLINED:
        codes.append(messages.SNOMED_DECLINED)
    return {
        "outcome": OUTCOME_LABELS.get(referral.outcome, referral.state.label)
        if referral.outcome
        else referral.state.label,
        "services": [
            (services.get(sp.service_id, "A service"), SIGNPOST_LABELS[sp.status])
            for sp in referral.signposts
            if sp.status in (SignpostStatus.CONTACTED, SignpostStatus.ATTENDING)
        ],
        "wellbeing_first": swemwbs[0].metric_score if swemwbs else None,
        "wellbeing_latest": swemwbs[-1].metric_score if len(swemwbs) > 1 else None,
        "codes": codes,
    }


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
    db.session.commit()
    return count
