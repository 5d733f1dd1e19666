"""Column types shared by every package."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


def new_id() -> str:
    """A new random identifier in the UUID form Open Referral uses."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back an aware UTC datetime (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def value_enum(cls: type[enum.Enum], name: str, length: int = 32, *, check: bool = False) -> Enum:
    """A column for a Python enum that stores each member's value (e.g. "temporarily closed").

    It is a plain VARCHAR rather than a native database enum, so adding a member later is a
    simple migration on SQLite and PostgreSQL alike. SQLAlchemy refuses other values on the way
    in; with ``check`` the database does too (a CHECK constraint named ``ck_<table>_<name>``,
    which a migration must create).
    """
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        create_constraint=check,
    )
