"""Who may reach each endpoint, declared on the view itself.

Every view function carries an access rule. The access-matrix test walks the URL map and fails
for any endpoint without one, so a new route cannot ship unguarded by accident. Object-level
rules ("a referrer sees only their practice's referrals") live in the operations, not here.
"""

from __future__ import annotations

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
