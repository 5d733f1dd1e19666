"""Small facts worked out for display: open today / next open, cost, how to get in touch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from directory.models import Schedule, Service

WEEKDAYS = Schedule.WEEKDAYS


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def opening_summary(schedules: Iterable[Schedule], now: datetime, timezone: str) -> str:
    """ "Open now until 14:00", "Opens today at 10:00", "Next open Tuesday 10:00", or ""."""
    spans = sorted(schedules, key=lambda s: (s.weekday, s.opens_at))
    if not spans:
        return ""
    local = now.astimezone(ZoneInfo(timezone))
    today, clock = local.weekday(), local.time().replace(tzinfo=None)
    for s in spans:  # open now, including a span that started yesterday and runs past midnight
        started_today = (
            s.weekday == today
            and s.opens_at <= clock
            and (s.crosses_midnight or clock < s.closes_at)
        )
        from_yesterday = s.crosses_midnight and s.weekday == (today - 1) % 7 and clock < s.closes_at
        if started_today or from_yesterday:
            return f"Open now until {_hm(s.closes_at)}"
    for s in spans:
        if s.weekday == today and s.opens_at > clock:
            return f"Opens today at {_hm(s.opens_at)}"
    for offset in range(1, 8):
        day = (today + offset) % 7
        for s in spans:
            if s.weekday == day:
                when = "tomorrow" if offset == 1 else WEEKDAYS[day]
                return f"Next open {when} at {_hm(s.opens_at)}"
    return ""


def cost_label(service: Service) -> str:
    if service.is_free:
        return "Free"
    return "There is a charge" + (
        f": {service.fees_description}" if service.fees_description else ""
    )


@dataclass(frozen=True)
class ContactWay:
    kind: str  # phone, email, website
    label: str
    href: str

    @property
    def kind_label(self) -> str:
        """The words before the link: "Phone", "Email" or "Website"."""
        return CONTACT_KIND_LABELS[self.kind]


CONTACT_KIND_LABELS = {"phone": "Phone", "email": "Email", "website": "Website"}


def contact_ways(service: Service) -> list[ContactWay]:
    """Every way to get in touch, phone first (many people prefer to call)."""
    ways = [
        ContactWay("phone", p.number, "tel:" + "".join(p.number.split())) for p in service.phones
    ]
    if service.email:
        ways.append(ContactWay("email", service.email, "mailto:" + service.email))
    if service.url and service.url.startswith(("http://", "https://")):
        ways.append(ContactWay("website", service.url, service.url))
    return ways


def opening_rows(schedules: Sequence[Schedule]) -> list[tuple[str, str]]:
    """One row per weekday that has opening times: ("Monday", "09:00 to 12:00, 13:00 to 16:00")."""
    by_day: dict[int, list[str]] = {}
    for s in sorted(schedules, key=lambda s: (s.weekday, s.opens_at)):
        span = f"{_hm(s.opens_at)} to {_hm(s.closes_at)}" + (
            " (next day)" if s.crosses_midnight else ""
        )
        if s.notes:
            span += f" ({s.notes})"
        by_day.setdefault(s.weekday, []).append(span)
    return [(WEEKDAYS[day], ", ".join(spans)) for day, spans in sorted(by_day.items())]
