"""The words of every message the workflow queues in the outbox (never sent inside a request).

Messages to referrers carry the referral number and the coded facts a clinical system records;
they carry no more about the person than the referrer already sent us.
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask import current_app

from prescribing.models import FollowUp, Referral
from prescribing.reasons import REFERRAL_REASONS
from signpost.accounts.models import User
from signpost.extensions import db
from signpost.messaging import InvalidMessage, queue_email, queue_sms

SNOMED_REFERRED = ("871731000000106", "Referral to social prescribing service")
SNOMED_DECLINED = ("871711000000103", "Social prescribing declined")


def _site() -> str:
    return current_app.config.get("SITE_NAME", "Signpost")


def referrer_address(referral: Referral) -> str | None:
    """Where messages back to the referrer go: their account's email, or the one they gave."""
    if referral.referrer_id:
        user = db.session.get(User, referral.referrer_id)
        if user is not None and user.active:
            return user.email
    return referral.referrer_email


def _email(to: str | None, subject: str, body: str, purpose: str) -> bool:
    if not to:
        return False
    try:
        queue_email(to, subject, body, purpose=purpose)
    except InvalidMessage:
        return False
    return True


def acknowledge(referral: Referral, user: Any) -> None:
    """Tell whoever referred (and a person who asked for help themselves) that it arrived."""
    ref = f"SP-{referral.id}"
    if referral.source.value == "self_referral":
        person = referral.person
        text = (
            f"Thank you for asking for help. We have your request (reference {ref}). "
            f"A member of our team will contact you soon. If you need to talk to someone now, "
            f"call {current_app.config.get('PHONE_LINE_NUMBER', '')}."
        )
        if (
            not _email(
                person.email,
                f"{_site()}: we have your request",
                text,
                "prescribing.acknowledgement",
            )
            and person.phone
        ):
            with contextlib.suppress(InvalidMessage):  # a landline cannot take a text
                queue_sms(person.phone, text, purpose="prescribing.acknowledgement")
        return
    to = referrer_address(referral) or (
        getattr(user, "email", None) if referral.source.value != "phone_line" else None
    )
    _email(
        to,
        f"{_site()}: referral {ref} received",
        f"Thank you. We have received referral {ref} and will contact the person soon.\n"
        f"You can follow its progress on your referrals page.",
        "prescribing.acknowledgement",
    )


def accepted(referral: Referral) -> None:
    """First interaction with the person: the referrer can record 871731000000106."""
    code, term = SNOMED_REFERRED
    _email(
        referrer_address(referral),
        f"{_site()}: referral SP-{referral.id} accepted",
        f"We have made contact with the person you referred (referral SP-{referral.id}).\n\n"
        f"SNOMED CT: {code} |{term}|",
        "prescribing.accepted",
    )


def outcome_text(referral: Referral, summary: dict[str, Any]) -> str:
    """The message back to the referrer: outcome, services used, wellbeing first and latest, codes."""
    lines = [f"Referral SP-{referral.id} has ended.", "", f"Outcome: {summary['outcome']}"]
    if referral.reasons:
        lines.append(
            "Referred for: "
            + "; ".join(REFERRAL_REASONS.get(r.code, r.code) for r in referral.reasons)
        )
    lines.append("")
    if summary["services"]:
        lines.append("Services used:")
        lines += [f"- {name} ({status})" for name, status in summary["services"]]
    else:
        lines.append("Services used: none recorded")
    first, latest = summary["wellbeing_first"], summary["wellbeing_latest"]
    if first is not None:
        lines.append("")
        lines.append(
            f"Wellbeing (SWEMWBS metric score, 7-35): first {first:.2f}"
            + (f", latest {latest:.2f}" if latest is not None else ", no later score")
        )
    lines.append("")
    lines.append("SNOMED CT codes to record:")
    for code, term in summary["codes"]:
        lines.append(f"- {code} |{term}|")
    return "\n".join(lines)


def outcome(referral: Referral, summary: dict[str, Any]) -> bool:
    """Queue the message back to the referrer; False when there is nowhere to send it."""
    return _email(
        referrer_address(referral),
        f"{_site()}: outcome of referral SP-{referral.id}",
        outcome_text(referral, summary),
        "prescribing.outcome",
    )


def safeguarding_alert(referral: Referral, lead: User | None, kind_label: str) -> bool:
    """Tell the team lead a safeguarding referral has been made (no personal details)."""
    to = lead.email if lead is not None and lead.active else None
    return _email(
        to,
        f"{_site()}: safeguarding concern on referral SP-{referral.id}",
        f"A {kind_label} referral has been made for referral SP-{referral.id}. "
        f"Please review the case today.",
        "prescribing.safeguarding",
    )


def follow_up_reminder(to: str, follow_ups: list[FollowUp]) -> bool:
    """One morning message per coordinator listing the follow-ups that fall due."""
    lines = ["These follow-ups are due today or have just fallen due:", ""]
    lines += [
        f"- Referral SP-{f.referral_id}: {f.kind.label} due {f.due_on:%d %B %Y}" for f in follow_ups
    ]
    return _email(
        to,
        f"{_site()}: {len(follow_ups)} follow-up{'s' if len(follow_ups) != 1 else ''} due",
        "\n".join(lines),
        "prescribing.reminder",
    )
