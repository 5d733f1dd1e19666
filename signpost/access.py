"""Who may reach each endpoint, declared on the view itself.

Every view function carries an access rule. The access-matrix test walks the URL map and fails
for any endpoint without one, so a new route cannot ship unguarded by accident. Object-level
rules ("a referrer sees only their practice's referrals") live in the operations, not here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"


def public(view: F) -> F:
    """Anyone may use this endpoint, signed in or not."""
    view._access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def access_rule(view: Callable[..., Any]) -> str | None:
    """The declared rule of a view function, or None when it has none."""
    return getattr(view, "_access_rule", None)


# --- Rules for signed-in staff -------------------------------------------------------------
# A rule is a short string so the access-matrix test can read it back:
#   "signed_in"                 any active staff user who has finished two-factor set-up
#   "signed_in_pending_mfa"     any active staff user, even before two-factor set-up
#   "roles:coordinator,admin"   users holding at least one of these roles
#   "permission:users.manage"   users whose roles grant this permission (signpost.permissions)

SIGNED_IN = "signed_in"
SIGNED_IN_PENDING_MFA = "signed_in_pending_mfa"


def _guard(
    view: Callable[..., Any],
    rule: str,
    roles: frozenset[str] | None,
    *,
    allow_pending_mfa: bool = False,
) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        denial = check_access(roles, allow_pending_mfa=allow_pending_mfa)
        if denial is not None:
            return denial
        return view(*args, **kwargs)

    guarded._access_rule = rule  # type: ignore[attr-defined]
    return guarded


def check_access(roles: frozenset[str] | None, *, allow_pending_mfa: bool = False) -> Any:
    """None when the current user may go on; otherwise the response that turns them away."""
    from flask import abort, jsonify, redirect, request, url_for
    from flask_login import current_user

    from signpost.errors import wants_json

    if not current_user.is_authenticated:
        if wants_json():
            return jsonify(
                {
                    "status": 401,
                    "error": "Sign in to use this",
                    "detail": "Your session may have ended. Please sign in again.",
                }
            ), 401
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    if current_user.needs_mfa_setup and not allow_pending_mfa:
        return redirect(url_for("accounts.two_factor_setup"))
    if roles is not None and not (set(current_user.roles) & roles):
        abort(403)
    return None


def signed_in(view: F) -> F:
    """Any signed-in member of staff (with two-factor sign-in set up where their role needs it)."""
    return _guard(view, SIGNED_IN, None)  # type: ignore[return-value]


def signed_in_pending_mfa(view: F) -> F:
    """Signed in, even before two-factor set-up: only for the set-up and sign-out pages."""
    return _guard(
        view,
        SIGNED_IN_PENDING_MFA,
        None,  # type: ignore[return-value]
        allow_pending_mfa=True,
    )


def requires_role(*roles: str) -> Callable[[F], F]:
    """Signed in and holding at least one of these roles."""
    from signpost.accounts.models import Role

    wanted = frozenset(Role(r) for r in roles)

    def decorate(view: F) -> F:
        rule = "roles:" + ",".join(sorted(wanted))
        return _guard(view, rule, wanted)  # type: ignore[return-value]

    return decorate


def requires_permission(name: str) -> Callable[[F], F]:
    """Signed in with a role that grants this permission (see signpost.permissions)."""
    from signpost.permissions import roles_allowed

    wanted = roles_allowed(name)  # fails at import time for an unknown permission

    def decorate(view: F) -> F:
        return _guard(view, f"permission:{name}", wanted)  # type: ignore[return-value]

    return decorate


def roles_for_rule(rule: str) -> frozenset[str] | None:
    """The roles a rule lets in (None: everyone, including people who are not signed in)."""
    from signpost.accounts.models import Role
    from signpost.permissions import roles_allowed

    if rule == PUBLIC:
        return None
    if rule in (SIGNED_IN, SIGNED_IN_PENDING_MFA):
        return frozenset(Role)
    kind, _, value = rule.partition(":")
    if kind == "roles":
        return frozenset(Role(r) for r in value.split(","))
    if kind == "permission":
        return roles_allowed(value)
    raise ValueError(f"Unknown access rule {rule!r}.")
