"""Need to know: the one place that answers "may this user do X (to this object)?".

Operations call ``require(user, action, obj)`` before they read or change anything, so the
pages, the API and the command line share one rule. Views may call ``can`` to decide what to
show, but never rely on hiding a link.

Role permissions say what a role may do at all; object rules narrow that to the objects the
user has a reason to see:

- a referrer sees only referrals from their own referring organisation (GP practice);
- a coordinator sees their team's caseload, and a team lead also the unassigned referrals;
- a call handler sees the referrals they took on the phone line;
- a manager sees aggregate reports only, never a person's record;
- a provider edits only their own organisation's listings; an editor edits any listing;
- an admin manages accounts and reads the audit log, and may open any record (audited).

Rules are written against duck-typed attributes so they work for models built elsewhere:
``referring_organisation_id``, ``team_id``, ``created_by_id`` on referrals and people;
``organization_id`` (a Service) or ``id`` (an Organization) on listings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from signpost.accounts.models import Role

# Actions. Named "<thing>.<verb>"; the roles that may do each at all.
REFERRAL_CREATE = "referral.create"
REFERRAL_VIEW = "referral.view"
REFERRAL_UPDATE = "referral.update"
CASELOAD_VIEW = "caseload.view"
REPORTS_VIEW = "reports.view"
LISTING_CREATE = "listing.create"
LISTING_EDIT = "listing.edit"
DIRECTORY_MODERATE = "directory.moderate"
ASSISTED_SEARCH = "search.assisted"
USERS_MANAGE = "users.manage"
AUDIT_VIEW = "audit.view"
ACCOUNT_USE = "account.use"

ALL_ROLES = frozenset(Role)

ROLE_PERMISSIONS: dict[str, frozenset[Role]] = {
    REFERRAL_CREATE: frozenset({Role.REFERRER, Role.CALL_HANDLER, Role.COORDINATOR, Role.ADMIN}),
    REFERRAL_VIEW: frozenset({Role.REFERRER, Role.CALL_HANDLER, Role.COORDINATOR, Role.ADMIN}),
    REFERRAL_UPDATE: frozenset({Role.COORDINATOR, Role.ADMIN}),
    CASELOAD_VIEW: frozenset({Role.COORDINATOR, Role.ADMIN}),
    REPORTS_VIEW: frozenset({Role.MANAGER, Role.ADMIN}),
    LISTING_CREATE: frozenset({Role.EDITOR, Role.PROVIDER, Role.ADMIN}),
    LISTING_EDIT: frozenset({Role.EDITOR, Role.PROVIDER, Role.ADMIN}),
    DIRECTORY_MODERATE: frozenset({Role.EDITOR, Role.ADMIN}),
    ASSISTED_SEARCH: frozenset(
        {Role.CHAMPION, Role.CALL_HANDLER, Role.COORDINATOR, Role.REFERRER, Role.ADMIN}
    ),
    USERS_MANAGE: frozenset({Role.ADMIN}),
    AUDIT_VIEW: frozenset({Role.ADMIN}),
    ACCOUNT_USE: ALL_ROLES,
}


class PermissionDenied(Exception):  # noqa: N818 - the domain's own word
    """The user may not do this; the message is safe to show."""

    def __init__(
        self, action: str, message: str = "You do not have permission to do that."
    ) -> None:
        super().__init__(message)
        self.action = action


def _roles(user: Any) -> frozenset[Role]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if not getattr(user, "is_active", False):
        return frozenset()
    return frozenset(getattr(user, "roles", frozenset()))


def roles_allowed(action: str) -> frozenset[Role]:
    """The roles that may do this action at all (before any object rule)."""
    try:
        return ROLE_PERMISSIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; add it to ROLE_PERMISSIONS.") from None


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def _case_rule(user: Any, roles: frozenset[Role], obj: Any, action: str) -> bool:
    """Referrals and people: the referring organisation, the team, or who took the call."""
    if Role.ADMIN in roles:
        return True
    team_id = getattr(obj, "team_id", None)
    if Role.COORDINATOR in roles:
        if _same(team_id, getattr(user, "team_id", None)):
            return True
        if team_id is None and getattr(user, "leads_team_ids", set()):
            return True
    if action == REFERRAL_UPDATE:
        return False
    if Role.REFERRER in roles and _same(
        getattr(obj, "referring_organisation_id", None),
        getattr(user, "referring_organisation_id", None),
    ):
        return True
    return Role.CALL_HANDLER in roles and _same(
        getattr(obj, "created_by_id", None), getattr(user, "id", None)
    )


def _listing_owner_id(obj: Any) -> Any:
    if hasattr(obj, "organization_id"):  # a Service, Location or anything owned by one
        return obj.organization_id
    return getattr(obj, "id", None)  # an Organization itself


def _listing_rule(user: Any, roles: frozenset[Role], obj: Any, action: str) -> bool:
    if roles & {Role.EDITOR, Role.ADMIN}:
        return True
    return Role.PROVIDER in roles and _same(
        _listing_owner_id(obj), getattr(user, "organization_id", None)
    )


def _referral_create_rule(user: Any, roles: frozenset[Role], obj: Any, action: str) -> bool:
    """obj: the referring organisation a referral is made for (or anything with its id)."""
    if roles & {Role.CALL_HANDLER, Role.COORDINATOR, Role.ADMIN}:
        return True
    target = getattr(obj, "referring_organisation_id", None)
    if target is None and obj is not None:
        target = getattr(obj, "id", None)
    return _same(target, getattr(user, "referring_organisation_id", None))


def _account_rule(user: Any, roles: frozenset[Role], obj: Any, action: str) -> bool:
    """Anyone may act on their own account."""
    return _same(getattr(obj, "id", None), getattr(user, "id", None))


OBJECT_RULES: dict[str, Callable[[Any, frozenset[Role], Any, str], bool]] = {
    REFERRAL_VIEW: _case_rule,
    REFERRAL_UPDATE: _case_rule,
    CASELOAD_VIEW: _case_rule,
    LISTING_EDIT: _listing_rule,
    LISTING_CREATE: _listing_rule,
    REFERRAL_CREATE: _referral_create_rule,
    ACCOUNT_USE: _account_rule,
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May this user do this action (to this object)? Unknown actions raise ValueError."""
    allowed = roles_allowed(action)
    roles = _roles(user) & allowed
    if not roles:
        return False
    if obj is None:
        return True
    rule = OBJECT_RULES.get(action)
    return True if rule is None else rule(user, roles, obj, action)


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(action)


def case_filter(user: Any, model: Any) -> Any:
    """A SQL condition limiting a query on ``model`` (referrals, people) to what the user may see.

    ``model`` needs ``team_id`` and ``referring_organisation_id`` columns and, for call
    handlers, ``created_by_id``. Use it for lists: ``select(Referral).where(case_filter(u, Referral))``.
    """
    from sqlalchemy import false, or_, true

    roles = _roles(user) & roles_allowed(REFERRAL_VIEW)
    if Role.ADMIN in roles:
        return true()
    conditions = []
    if Role.COORDINATOR in roles:
        if getattr(user, "team_id", None) is not None:
            conditions.append(model.team_id == user.team_id)
        if getattr(user, "leads_team_ids", set()):
            conditions.append(model.team_id.is_(None))
    if Role.REFERRER in roles and getattr(user, "referring_organisation_id", None) is not None:
        conditions.append(model.referring_organisation_id == user.referring_organisation_id)
    if Role.CALL_HANDLER in roles and hasattr(model, "created_by_id"):
        conditions.append(model.created_by_id == user.id)
    return or_(*conditions) if conditions else false()
