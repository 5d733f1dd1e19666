"""A shortlist kept without an account, in a signed cookie.

The cookie holds only service ids (no personal data). Its signature means a tampered or corrupt
cookie is noticed: the shortlist is then treated as empty and the page says so, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer

COOKIE_NAME = "shortlist"
MAX_ITEMS = 30
_SALT = "signpost.shortlist"
_ID = re.compile(r"^[A-Za-z0-9-]{1,36}$")


@dataclass(frozen=True)
class Shortlist:
    """The ids saved, oldest first, and whether the cookie we read had been tampered with."""

    ids: tuple[str, ...] = ()
    was_tampered: bool = False

    def __contains__(self, service_id: object) -> bool:
        return service_id in self.ids

    def __len__(self) -> int:
        return len(self.ids)

    def with_added(self, service_id: str) -> Shortlist:
        """The shortlist with one more id (at the end); unchanged if present or full."""
        if service_id in self.ids or len(self.ids) >= MAX_ITEMS or not is_valid_id(service_id):
            return Shortlist(self.ids)
        return Shortlist((*self.ids, service_id))

    def without(self, service_id: str) -> Shortlist:
        return Shortlist(tuple(i for i in self.ids if i != service_id))


def is_valid_id(value: str) -> bool:
    return bool(_ID.match(value or ""))


def clean_ids(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Keep well-formed ids, first occurrence only, at most MAX_ITEMS."""
    seen: list[str] = []
    for value in values:
        if is_valid_id(value) and value not in seen:
            seen.append(value)
    return tuple(seen[:MAX_ITEMS])


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def dump_shortlist(shortlist: Shortlist, secret_key: str) -> str:
    """The signed cookie value for a shortlist."""
    return _serializer(secret_key).dumps(list(shortlist.ids))


def load_shortlist(raw: str | None, secret_key: str) -> Shortlist:
    """Read the cookie; a missing cookie is an empty list, a bad one an empty tampered list."""
    if not raw:
        return Shortlist()
    try:
        value = _serializer(secret_key).loads(raw)
    except BadData:
        return Shortlist(was_tampered=True)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return Shortlist(was_tampered=True)
    return Shortlist(clean_ids(value))


def parse_shared_ids(raw: str) -> tuple[str, ...]:
    """Ids from a shared link's `ids` parameter (comma separated)."""
    return clean_ids([part.strip() for part in (raw or "").split(",")])
