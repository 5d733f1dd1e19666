"""What every template may use: date display filters and the staff area of the header.

Dates are shown in the site's time zone, GOV.UK style (``27 March 2026``: no leading zero, the
month in words). One filter with a few named styles replaces ``strftime`` in templates::

    {{ referral.received_at|date }}           27 March 2026
    {{ follow_up.due_on|date('short') }}      27 Mar 2026
    {{ day|date('weekday') }}                 Friday 27 March 2026
    {{ event.at|datetime }}                   27 Mar 2026, 14:05 (local time)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import Flask
from flask_login import current_user

from signpost.dates import local_date, local_time
from signpost.navigation import StaffLink, staff_links

DATE_STYLES: dict[str, Callable[[date], str]] = {
    "long": lambda d: f"{d.day} {d:%B %Y}",
    "short": lambda d: f"{d.day} {d:%b %Y}",
    "weekday": lambda d: f"{d:%A} {d.day} {d:%B %Y}",
    "short_weekday": lambda d: f"{d:%a} {d.day} {d:%b %Y}",
    "day_month": lambda d: f"{d.day} {d:%B}",
    "short_day_month": lambda d: f"{d.day} {d:%b}",
    "iso": lambda d: d.isoformat(),
}
DATETIME_STYLES: dict[str, Callable[[datetime], str]] = {
    "short": lambda t: f"{t.day} {t:%b %Y, %H:%M}",
    "precise": lambda t: f"{t:%Y-%m-%d %H:%M:%S}",
}


def format_date(value: date | datetime | None, style: str = "long") -> str:
    """A date (or an instant's local date) in one of DATE_STYLES; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value)
    return DATE_STYLES[style](value)


def format_datetime(value: datetime | None, style: str = "short", zone: str | None = None) -> str:
    """An instant as local wall-clock time (or in `zone`) in one of DATETIME_STYLES."""
    if value is None:
        return ""
    return DATETIME_STYLES[style](local_time(value, zone))


def _staff_links() -> list[StaffLink]:
    return staff_links(current_user)


def init_app(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    # The older name for ``date('short')``, kept so templates written against it still render.
    app.add_template_filter(lambda value: format_date(value, "short"), "localdate")
    app.add_template_global(_staff_links, "staff_links")
