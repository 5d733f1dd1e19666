"""The staff area of the site header: the pages a signed-in member of staff may open.

A link is shown exactly when the page's own access rule (declared on its view with
`signpost.access`) lets the user in, so the header never offers a page that turns them away
and never hides one they may use. Sign-out is a POST form in the template, not a link.

The shell registers it as the template global ``staff_links`` (``signpost.templating``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for

from signpost.access import access_rule, roles_for_rule

# (label, endpoint) in the order they appear; each shown only to users the endpoint admits.
STAFF_PAGES: tuple[tuple[str, str], ...] = (
    ("Worklists", "prescribing.caseload"),
    ("Make a referral", "prescribing.new_referral"),
    ("Phone referral", "prescribing.phone_referral"),
    ("Your referrals", "prescribing.my_referrals"),
    ("Figures", "prescribing.figures"),
    ("Usage", "public_staff.usage_page"),
    ("Feedback", "public_staff.feedback_page"),
    ("Users", "admin_users.users"),
    ("Audit log", "audit.search"),
)
# Coordinators reach their referrals through the worklists; "Your referrals" is for the people
# who make referrals (a practice's list, or the calls a call handler took).
ONLY_FOR = {"prescribing.my_referrals": frozenset({"referrer", "call_handler"})}


@dataclass(frozen=True)
class StaffLink:
    label: str
    url: str


def _admits(endpoint: str, roles: frozenset[str]) -> bool:
    view = current_app.view_functions.get(endpoint)
    rule = access_rule(view) if view is not None else None
    if rule is None:
        return False  # unknown or unguarded endpoint: never advertise it
    allowed = roles_for_rule(rule)
    return allowed is None or bool(roles & {str(r) for r in allowed})


def staff_links(user: Any) -> list[StaffLink]:
    """The header links for this user: their pages, then their account (sign-out is a form)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if getattr(user, "needs_mfa_setup", False):  # every other page sends them to set-up first
        return [StaffLink("Set up two-factor sign-in", url_for("accounts.two_factor_setup"))]
    roles = frozenset(str(r) for r in user.roles)
    links = [
        StaffLink(label, url_for(endpoint))
        for label, endpoint in STAFF_PAGES
        if _admits(endpoint, roles) and roles & ONLY_FOR.get(endpoint, roles)
    ]
    links.append(StaffLink("Your account", url_for("accounts.account")))
    return links
