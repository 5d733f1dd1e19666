"""Support offered to the person: services from the directory suggested to them (and how each
went), and onward referrals (a safeguarding one flags the case and alerts the team lead)."""

from __future__ import annotations

from directory.models import Service
from prescribing import messages
from prescribing.models import OnwardReferral, Referral, SuggestedService
from prescribing.operations.casework import change_state
from prescribing.operations.common import PrescribingError, actor_id, require_open
from prescribing.vocabulary import OnwardKind, SuggestionStatus
from prescribing.workflow import ReferralState
from signpost.accounts.models import Team, User
from signpost.audit import record_event
from signpost.extensions import db
from signpost.permissions import REFERRAL_UPDATE, require
from signpost.types import utcnow
from signpost.unit_of_work import operation

S = ReferralState


@operation
def suggest_service(
    user: User,
    referral: Referral,
    service_id: str,
    *,
    accompanied_visit: bool = False,
    buddy: bool = False,
) -> SuggestedService:
    """Suggest a directory service to the person. The first one makes an engaged referral active."""
    require(user, REFERRAL_UPDATE, referral)
    require_open(referral)
    if referral.state not in (S.ENGAGED, S.ACTIVE):
        raise PrescribingError("Hold the guided conversation before signposting to services.")
    if db.session.get(Service, service_id) is None:
        raise PrescribingError("That service is not in the directory.")
    if any(s.service_id == service_id for s in referral.suggested_services):
        raise PrescribingError("This service has already been suggested.")
    suggestion = SuggestedService(
        referral_id=referral.id,
        service_id=service_id,
        status=SuggestionStatus.SUGGESTED,
        accompanied_visit=accompanied_visit,
        buddy=buddy,
    )
    referral.suggested_services.append(suggestion)
    if referral.state is S.ENGAGED:
        change_state(user, referral, S.ACTIVE, note="Signposted to services")
    record_event(
        "referral.signpost",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={"service": service_id, "status": SuggestionStatus.SUGGESTED.value},
    )
    return suggestion


@operation
def update_suggestion(
    user: User,
    referral: Referral,
    suggestion_id: int,
    status: SuggestionStatus | str,
    *,
    reason: str | None = None,
    accompanied_visit: bool | None = None,
    buddy: bool | None = None,
) -> SuggestedService:
    """Record how a suggested service went: contacted, attending, or not taken up (with why)."""
    require(user, REFERRAL_UPDATE, referral)
    suggestion = next((s for s in referral.suggested_services if s.id == suggestion_id), None)
    if suggestion is None:
        raise PrescribingError("There is no such suggested service on this referral.")
    went = SuggestionStatus.parse(status)
    if went is None:
        raise PrescribingError("Choose how it went from the list.")
    if went is SuggestionStatus.NOT_TAKEN_UP and not (reason or "").strip():
        raise PrescribingError("Say why the person did not take this up.")
    suggestion.status = went
    suggestion.not_taken_up_reason = (
        (reason or "").strip() or None if went is SuggestionStatus.NOT_TAKEN_UP else None
    )
    if accompanied_visit is not None:
        suggestion.accompanied_visit = accompanied_visit
    if buddy is not None:
        suggestion.buddy = buddy
    suggestion.updated_at = utcnow()
    record_event(
        "referral.signpost",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={"service": suggestion.service_id, "status": went.value},
    )
    return suggestion


@operation
def refer_onward(
    user: User, referral: Referral, kind: OnwardKind | str, notes: str = ""
) -> OnwardReferral:
    """Refer onward. A safeguarding referral flags the case and alerts the team lead."""
    require(user, REFERRAL_UPDATE, referral)
    require_open(referral)
    onward_kind = OnwardKind.parse(kind)
    if onward_kind is None:
        raise PrescribingError("Choose who to refer on to from the list.")
    if onward_kind.is_safeguarding and not notes.strip():
        raise PrescribingError("Describe the safeguarding concern.")
    onward = OnwardReferral(
        referral_id=referral.id,
        kind=onward_kind,
        notes=notes.strip() or None,
        by_user_id=actor_id(user),
    )
    referral.onward_referrals.append(onward)
    alerted = False
    if onward_kind.is_safeguarding:
        referral.safeguarding_flag = True
        team = db.session.get(Team, referral.team_id) if referral.team_id else None
        if team is None and getattr(user, "team_id", None):
            team = db.session.get(Team, user.team_id)
        lead = db.session.get(User, team.lead_id) if team and team.lead_id else None
        alerted = messages.safeguarding_alert(referral, lead, onward_kind.label.lower())
    record_event(
        "referral.onward",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "kind": onward_kind.value,
            "safeguarding": onward_kind.is_safeguarding,
            "lead_alerted": alerted,
        },
    )
    return onward
