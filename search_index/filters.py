"""Filters: the Whoosh prefilter for a request, and the exact checks done on stored fields."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from whoosh import query as Q

from search_index.schema import CELL_SIZES, decode_spans
from search_index.search_types import SearchRequest

LONDON = ZoneInfo("Europe/London")
DAY_MINUTES = 24 * 60
MAX_CELLS = 400


@dataclass(frozen=True)
class TimeWindow:
    """When a service must be open: a weekday and/or a minute of the day (local time)."""

    day: int | None
    minute: int | None

    @property
    def active(self) -> bool:
        return self.day is not None or self.minute is not None

    @property
    def needs_exact_check(self) -> bool:
        return self.minute is not None


def time_window(request: SearchRequest) -> TimeWindow:
    """The day/time the request asks about; `open_now` wins over `day`/`at_time`."""
    if request.open_now:
        now = request.now or datetime.now(LONDON)
        now = now.astimezone(LONDON) if now.tzinfo else now.replace(tzinfo=LONDON)
        return TimeWindow(now.weekday(), now.hour * 60 + now.minute)
    day = request.day if request.day is not None and 0 <= request.day <= 6 else None
    minute = (request.at_time.hour * 60 + request.at_time.minute
              if request.at_time is not None else None)
    return TimeWindow(day, minute)


def slot_query(window: TimeWindow) -> Q.Query | None:
    """The cheap index prefilter for a time window (hour slots; exact minutes checked later)."""
    if window.minute is None:
        return Q.Term("slots", f"d{window.day}") if window.day is not None else None
    hour = window.minute // 60
    days = [window.day] if window.day is not None else range(7)
    return Q.Or([Q.Term("slots", f"h{d}_{hour}") for d in days])


def open_in_window(spans: Sequence[tuple[int, int, int]], window: TimeWindow) -> bool:
    """Exact check: open on the day / at the minute, counting spans that run past midnight."""
    for day, opens, closes in spans:
        end = closes if closes > opens else closes + DAY_MINUTES
        pieces = [(day, opens, min(end, DAY_MINUTES))]
        if end > DAY_MINUTES:
            pieces.append(((day + 1) % 7, 0, end - DAY_MINUTES))
        for d, start, stop in pieces:
            if window.day is not None and d != window.day:
                continue
            if window.minute is None or start <= window.minute < stop:
                return True
    return False


def open_in_window_stored(spans: str | None, window: TimeWindow) -> bool:
    return open_in_window(decode_spans(spans), window)


def _any(field: str, values: Sequence[str], *, with_slugs: bool = False) -> Q.Query:
    terms: list[Q.Query] = []
    for value in values:
        terms.append(Q.Term(field, value))
        if with_slugs:
            terms.append(Q.Term(field, f"slug:{value}"))
    return Q.Or(terms)


def attribute_filters(request: SearchRequest) -> list[Q.Query]:
    """Index-level filters for everything except place and time."""
    parts: list[Q.Query] = []
    term_ids = tuple(t for t in request.term_ids if t)
    if term_ids:
        parts.append(_any("terms", term_ids, with_slugs=True))
    audiences = tuple(a for a in (*request.audience_ids, *request.audiences) if a)
    if audiences:
        parts.append(_any("audience", audiences, with_slugs=True))
    low, high = request.min_age, request.max_age
    if request.age is not None:
        low = high = request.age
    if high is not None:
        parts.append(Q.NumericRange("min_age", None, max(0, int(high))))
    if low is not None:
        parts.append(Q.NumericRange("max_age", max(0, int(low)), None))
    if request.free_only:
        parts.append(Q.Term("free", "y"))
    modes = tuple(m for m in request.modes if m)
    if modes:
        parts.append(_any("modes", modes))
    for feature in request.accessibility:
        if feature:
            parts.append(Q.Term("access", feature))
    return parts


def cell_terms(box: tuple[float, float, float, float]) -> list[str]:
    """Grid cells covering a bounding box, at the finest size that keeps the list short."""
    min_lat, max_lat, min_lon, max_lon = box
    for prefix, size in sorted(CELL_SIZES.items(), key=lambda kv: kv[1]):
        lat_range = range(math.floor(min_lat / size), math.floor(max_lat / size) + 1)
        lon_range = range(math.floor(min_lon / size), math.floor(max_lon / size) + 1)
        if len(lat_range) * len(lon_range) <= MAX_CELLS:
            return [f"{prefix}:{a}_{b}" for a in lat_range for b in lon_range]
    size = max(CELL_SIZES.values())
    prefix = max(CELL_SIZES, key=lambda k: CELL_SIZES[k])
    lat_range = range(math.floor(min_lat / size), math.floor(max_lat / size) + 1)
    lon_range = range(math.floor(max(min_lon, -180) / size), math.floor(min(max_lon, 180) / size) + 1)
    return [f"{prefix}:{a}_{b}" for a in lat_range for b in lon_range]
