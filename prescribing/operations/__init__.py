"""The social prescribing domain, one module per topic:

- ``referrals``: referrals in from every door, reading one, what its referrer is told;
- ``casework``: state changes, assignment, contact attempts, the guided conversation;
- ``wellbeing``: measures as recorded on a referral (answers checked and scored);
- ``support``: services suggested to the person and onward referrals;
- ``followups``: the three-week check, the six-week review, closing, morning reminders;
- ``worklists``: the coordinators' lists, the referrer's list, the case as a timeline;
- ``figures``: aggregate figures for managers;
- ``common``: the errors every operation raises and small shared helpers.

Each operation checks need-to-know permissions first, writes its audit event, and never
commits: the request does (see ``signpost.unit_of_work``). Those that change data are
``@operation``s, so a refusal leaves nothing behind. Imports run one way only: ``common`` <-
``referrals`` <- ``casework`` <- ``support`` and ``followups``.

The doors in (the referral forms, the phone line) need only what is imported here.
"""

from prescribing.operations.common import NotFound, PrescribingError
from prescribing.operations.referrals import (
    PersonDetails,
    ReferralDetails,
    create_referral,
    get_referral,
    referrer_summary,
)

__all__ = [
    "NotFound",
    "PersonDetails",
    "PrescribingError",
    "ReferralDetails",
    "create_referral",
    "get_referral",
    "referrer_summary",
]
