"""Usage counts without tracking people.

A search records when, what was typed, the outcode (never a full postcode), the filters, how many
results it found and the channel. A service page view records the service, the day and the
channel. Nothing here can tie two events to one person: no IP address, no session id, no cookie.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from signpost.extensions import db
from signpost.types import UTCDateTime, new_id, utcnow
from signpost.vocabulary import Vocabulary


class Channel(Vocabulary):
    """How a search reached us: the website itself, or a helper searching with someone."""

    WEB = "web", "Website"
    CHAMPION = "champion", "Champion"
    ACCESS_POINT = "access_point", "Community access point"
    POPUP = "popup", "Pop-up stand"


CHANNELS = tuple(Channel)
CHANNEL_LABELS = {channel.value: channel.label for channel in Channel}
_POSTCODE = re.compile(r"^\s*([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})?\s*$")


class SearchEvent(db.Model):
    __tablename__ = "usage_search"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    query: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(
        String(60), default=""
    )  # outcode or place name, never a postcode
    filters: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(20), default="web", index=True)


class ServicePageView(db.Model):
    __tablename__ = "usage_service_view"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    viewed_on: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(20), default="web")


def area_for_usage(where: str) -> str:
    """What of the searched place we may keep: the outcode of a postcode, or a place name."""
    where = (where or "").strip()
    match = _POSTCODE.match(where)
    if match:
        return match.group(1).upper()
    if any(ch.isdigit() for ch in where):
        return ""  # something postcode-like we cannot split safely: keep nothing
    return where[:60].lower()


def record_search(
    *, query: str, where: str, filters: dict[str, Any], result_count: int, channel: str
) -> SearchEvent:
    """Count one search."""
    event = SearchEvent(
        query=" ".join((query or "").split()).lower()[:200],
        area=area_for_usage(where),
        filters=json.dumps({k: v for k, v in sorted(filters.items()) if v}),
        result_count=result_count,
        channel=channel if channel in CHANNELS else "web",
    )
    db.session.add(event)
    return event


def record_service_view(service_id: str, *, channel: str, today: date | None = None) -> None:
    """Count one view of a service page."""
    db.session.add(
        ServicePageView(
            service_id=service_id,
            viewed_on=today or utcnow().date(),
            channel=channel if channel in CHANNELS else "web",
        )
    )


@dataclass(frozen=True)
class UsageSummary:
    days: int
    searches_per_day: list[tuple[date, int]]
    by_channel: list[tuple[str, int]]
    top_queries: list[tuple[str, int]]
    zero_result_queries: list[tuple[str, int]]
    top_viewed: list[tuple[str, int]]
    total_searches: int
    total_views: int


def usage_summary(days: int = 30, *, now: datetime | None = None) -> UsageSummary:
    """Counts for the staff page over the last `days` days."""
    since = (now or utcnow()) - timedelta(days=days)
    events = db.session.execute(
        select(
            SearchEvent.searched_at,
            SearchEvent.query,
            SearchEvent.result_count,
            SearchEvent.channel,
        ).where(SearchEvent.searched_at >= since)
    ).all()
    per_day: dict[date, int] = {}
    channels: dict[str, int] = {}
    queries: dict[str, int] = {}
    zero: dict[str, int] = {}
    for searched_at, query, count, channel in events:
        per_day[searched_at.date()] = per_day.get(searched_at.date(), 0) + 1
        channels[channel] = channels.get(channel, 0) + 1
        label = query or "(no words: place or filters only)"
        queries[label] = queries.get(label, 0) + 1
        if count == 0:
            zero[label] = zero.get(label, 0) + 1

    def top(counts: dict[str, int]) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]

    from directory.models import Service

    viewed = db.session.execute(
        select(Service.name, func.count(ServicePageView.id))
        .join(Service, Service.id == ServicePageView.service_id)
        .where(ServicePageView.viewed_on >= since.date())
        .group_by(Service.name)
        .order_by(func.count(ServicePageView.id).desc(), Service.name)
        .limit(20)
    ).all()
    total_views = (
        db.session.scalar(
            select(func.count(ServicePageView.id)).where(ServicePageView.viewed_on >= since.date())
        )
        or 0
    )
    return UsageSummary(
        days=days,
        searches_per_day=sorted(per_day.items(), reverse=True),
        by_channel=sorted(channels.items(), key=lambda kv: -kv[1]),
        top_queries=top(queries),
        zero_result_queries=top(zero),
        top_viewed=[(n, c) for n, c in viewed],
        total_searches=len(events),
        total_views=total_views,
    )
