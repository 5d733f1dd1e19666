"""Loading the referral a page is about: the one "referral or 404" both view modules use."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from prescribing.models import Referral
from prescribing.operations import NotFound, get_referral
from signpost.audit import record_event
from signpost.permissions import REFERRAL_VIEW, PermissionDenied


def referral_or_404(
    referral_id: int, *, action: str = REFERRAL_VIEW, audit: str | None = "referral.view"
) -> Referral:
    """The referral if the signed-in user may see (or, with REFERRAL_UPDATE, change) it.

    Otherwise 404, whether it does not exist or is someone else's, so another practice's or
    team's ids stay hidden; a refusal is audited (and committed with the request).
    """
    try:
        return get_referral(current_user, referral_id, action=action, audit=audit)
    except NotFound:
        abort(404)
    except PermissionDenied:
        record_event(
            "referral.view_denied",
            actor_id=current_user.id,
            subject_type="referral",
            subject_id=str(referral_id),
        )
        abort(404)
