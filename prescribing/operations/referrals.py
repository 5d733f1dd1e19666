"""Referrals in, from every door (the GP or agency form, the public "ask for help" form and the
phone line), reading one referral, and what its referrer is told about it.

Every operation checks need-to-know permissions with `require` before it reads or changes
anything, and writes an audit event in the same unit of work as the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from directory.models import Service
from prescribing import messages
from prescribing.models import Person, Referral, ReferralReason, StateChange
from prescribing.nhs_number import InvalidNHSNumber, normalise_nhs_number
from prescribing.operations.common import NotFound, PrescribingError, actor_id, clean
from prescribing.reasons import REFERRAL_REASONS
from prescribing.vocabulary import (
    CloseOutcome,
    ContactPreference,
    MeasureKind,
    ReferralSource,
    Urgency,
)
from prescribing.workflow import ReferralState
from signpost.accounts.models import Role, User
from signpost.audit import record_event
from signpost.dates import today
from signpost.extensions import db
from signpost.permissions import REFERRAL_CREATE, REFERRAL_VIEW, PermissionDenied, require
from signpost.types import utcnow
from signpost.unit_of_work import operation

S = ReferralState


@dataclass
class PersonDetails:
    """Who the referral is for, and how to reach them."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    nhs_number: str | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_contact: ContactPreference | str = ContactPreference.PHONE
    contact_notes: str | None = None


@dataclass
class ReferralDetails:
    """What the referral is about."""

    reasons: list[str] = field(default_factory=list)
    reason_text: str = ""
    what_person_wants: str = ""
    urgency: Urgency = Urgency.ROUTINE
    risks: str | None = None
    person_agreed: bool = False
    source: ReferralSource | None = None
    referrer_name: str | None = None
    referrer_email: str | None = None


def normalise_postcode(text: str | None) -> str | None:
    """Upper case with one space before the inward code ('pe301ex' -> 'PE30 1EX')."""
    if not text or not text.strip():
        return None
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


def _check_details(person: PersonDetails, details: ReferralDetails) -> None:
    """Raise PrescribingError for anything missing or malformed (nothing is saved)."""
    if not (person.given_name or "").strip() or not (person.family_name or "").strip():
        raise PrescribingError("Enter the person's first name and last name.")
    if person.date_of_birth and person.date_of_birth > today():
        raise PrescribingError("The date of birth cannot be in the future.")
    if ContactPreference.parse(person.preferred_contact) is None:
        raise PrescribingError("Choose how the person would like to be contacted.")
    if not (person.phone or person.email or person.postcode):
        raise PrescribingError(
            "Give at least one way to reach the person: a phone number, an "
            "email address or a postcode."
        )
    unknown = [code for code in details.reasons if code not in REFERRAL_REASONS]
    if unknown:
        raise PrescribingError("Choose reasons from the list.")
    if not details.reasons and not details.reason_text.strip():
        raise PrescribingError("Choose at least one reason for the referral, or describe it.")
    if not details.person_agreed:
        raise PrescribingError(
            "The person must agree to be referred. Please check with them "
            "first and confirm that they agreed."
        )


def find_possible_duplicate(person: PersonDetails) -> Person | None:
    """A person already known with the same NHS number, or the same name, birth date and postcode."""
    conditions = []
    if person.nhs_number:
        conditions.append(Person.nhs_number == person.nhs_number)
    if person.date_of_birth and person.postcode:
        conditions.append(
            (func.lower(Person.family_name) == person.family_name.strip().lower())
            & (func.lower(Person.given_name) == person.given_name.strip().lower())
            & (Person.date_of_birth == person.date_of_birth)
            & (Person.postcode == person.postcode)
        )
    if not conditions:
        return None
    return db.session.scalars(
        select(Person).where(or_(*conditions)).order_by(Person.id).limit(1)
    ).first()


@operation
def create_referral(
    user: User | None, person: PersonDetails, details: ReferralDetails, *, door: str
) -> Referral:
    """Record a referral from one of the three doors: 'referrer', 'self' or 'phone'.

    - 'referrer': a signed-in GP practice or agency user (or a coordinator keying a paper form);
      the referral belongs to the user's referring organisation.
    - 'self': the public "ask for help" form; no account.
    - 'phone': a call handler on the phone line.

    Raises:
        PermissionDenied: the user may not make referrals (for this organisation).
        PrescribingError: something is missing or invalid; nothing is saved.
    """
    if door == "self":
        source = ReferralSource.SELF_REFERRAL
        organisation_id = None
    elif door == "phone":
        require(user, REFERRAL_CREATE)
        if not (user and user.has_role(Role.CALL_HANDLER, Role.COORDINATOR, Role.ADMIN)):
            raise PermissionDenied(
                REFERRAL_CREATE, "Only the phone line team can start a referral from a call."
            )
        source = ReferralSource.PHONE_LINE
        organisation_id = None
    elif door == "referrer":
        organisation_id = getattr(user, "referring_organisation_id", None)
        require(
            user, REFERRAL_CREATE, _OrganisationRef(organisation_id) if organisation_id else None
        )
        if user is not None and user.has_role(Role.REFERRER) and organisation_id is None:
            raise PrescribingError(
                "Your account is not linked to a GP practice or agency yet. "
                "Please ask an administrator to link it."
            )
        source = details.source or ReferralSource.GP_PRACTICE
    else:
        raise ValueError(f"Unknown door {door!r}")

    if person.nhs_number and person.nhs_number.strip():
        try:
            person.nhs_number = normalise_nhs_number(person.nhs_number)
        except InvalidNHSNumber as exc:
            raise PrescribingError(str(exc)) from exc
    else:
        person.nhs_number = None
    person.postcode = normalise_postcode(person.postcode)
    _check_details(person, details)

    duplicate = find_possible_duplicate(person)
    record = Person(
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number,
        postcode=person.postcode,
        phone=clean(person.phone),
        email=clean(person.email),
        preferred_contact=ContactPreference(person.preferred_contact),
        contact_notes=clean(person.contact_notes),
    )
    now = utcnow()
    referral = Referral(
        person=record,
        source=source,
        referring_organisation_id=organisation_id,
        referrer_id=actor_id(user) if door == "referrer" else None,
        referrer_name=clean(details.referrer_name),
        referrer_email=clean(details.referrer_email),
        reason_text=details.reason_text.strip(),
        what_person_wants=details.what_person_wants.strip(),
        urgency=details.urgency,
        risks=clean(details.risks),
        person_agreed=True,
        state=ReferralState.RECEIVED,
        received_at=now,
        created_by_id=actor_id(user),
        possible_duplicate_of=duplicate.id if duplicate else None,
        reasons=[ReferralReason(code=code) for code in dict.fromkeys(details.reasons)],
        state_changes=[
            StateChange(
                from_state=None,
                to_state=ReferralState.RECEIVED,
                at=now,
                by_user_id=actor_id(user),
                note=f"Referral received ({door})",
            )
        ],
    )
    db.session.add(referral)
    db.session.flush()
    record_event(
        "referral.create",
        actor_id=actor_id(user),
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "door": door,
            "source": source.value,
            "urgency": details.urgency.value,
            "possible_duplicate": bool(duplicate),
        },
    )
    messages.acknowledge(referral, user)
    return referral


@dataclass(frozen=True)
class _OrganisationRef:
    referring_organisation_id: int


def get_referral(
    user: User,
    referral_id: int,
    *,
    action: str = REFERRAL_VIEW,
    audit: str | None = "referral.view",
) -> Referral:
    """Load one referral the user may see (or change, with action=REFERRAL_UPDATE), audited.

    Raises NotFound for a missing id and PermissionDenied for one the user may not see.
    """
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("There is no such referral.")
    require(user, action, referral)
    if audit:
        record_event(
            audit, actor_id=actor_id(user), subject_type="referral", subject_id=str(referral.id)
        )
    return referral


def referrer_summary(referral: Referral) -> dict[str, Any]:
    """What the referrer is told: outcome, services used, wellbeing first and latest, SNOMED CT."""
    services = {
        s.id: s.name
        for s in db.session.scalars(
            select(Service).where(
                Service.id.in_([sp.service_id for sp in referral.suggested_services])
            )
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
        "outcome": referral.outcome.label if referral.outcome else referral.state.label,
        "services": [
            (services.get(sp.service_id, "A service"), sp.status.label)
            for sp in referral.suggested_services
            if sp.status.used
        ],
        "wellbeing_first": swemwbs[0].metric_score if swemwbs else None,
        "wellbeing_latest": swemwbs[-1].metric_score if len(swemwbs) > 1 else None,
        "codes": codes,
    }
