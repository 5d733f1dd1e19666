"""Local dates and times: the site works in one time zone (``TIMEZONE``, Europe/London)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from signpost.types import utcnow

DEFAULT_TIMEZONE = "Europe/London"


def site_timezone() -> str:
    """The site's time zone name (Europe/London unless TIMEZONE says otherwise)."""
    if has_app_context():
        return str(current_app.config.get("TIMEZONE", DEFAULT_TIMEZONE))
    return DEFAULT_TIMEZONE


def local_date(instant: datetime, tz_name: str | None = None) -> date:
    """The local calendar date of an aware instant (late evening UTC may be tomorrow in summer)."""
    return instant.astimezone(ZoneInfo(tz_name or site_timezone())).date()


def local_time(instant: datetime, tz_name: str | None = None) -> datetime:
    """An aware instant as the site's local wall-clock time."""
    return instant.astimezone(ZoneInfo(tz_name or site_timezone()))


def local_morning(day: date, tz_name: str | None = None, at: time = time(8, 0)) -> datetime:
    """The UTC instant of `at` local time on `day` (08:00 is 08:00 UTC in winter, 07:00 in summer)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz_name or site_timezone())).astimezone(UTC)


def today() -> date:
    """The local date now."""
    return local_date(utcnow())
