"""Opening-time filters: the day/time a request asks about and the exact check on a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from search_index.search_types import SearchRequest

LONDON = ZoneInfo("Europe/London")
DAY_MINUTES = 24 * 60


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
    minute = (
        request.at_time.hour * 60 + request.at_time.minute if request.at_time is not None else None
    )
    return TimeWindow(day, minute)


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
