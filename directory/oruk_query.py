"""The ORUK API's query parameters: checked, then turned into one page of services.

Filters combine with AND. Text and place go through the one search engine
(``search_index.search_services``); a listing with neither is a plain database query with the same
meaning for every filter:

- ``taxonomy_term_id``: filed under the term or any term below it; ``taxonomy_id``: any term of it.
- ``minimum_age`` / ``maximum_age``: the ages of the people in question; a service matches when its
  age range overlaps them (a service with no ages set suits everyone).
- ``day``: open on that weekday. ``start_time``: open at that time. ``end_time``: still open up to
  that time. Both: one opening span covers the whole window. On ``day`` if given, else any day.
  Without ``end_time``, a span past midnight counts on the next day too (Friday 22:00-02:00 is
  open on Saturday at 01:00, not on Friday at 01:00), as the search engine counts it.
- ``postcode`` + ``proximity`` (metres from the postcode's centre).

Without text or place, pages are in name order, ties broken by id so pages are stable. The page is
found in the ``ix_service_public_listing`` index (moderation state, name, id, status, ages), so
counting and skipping to a deep page never read the service table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from directory.models import (
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy_term,
)
from directory.operations import public_services_filter
from directory.oruk_load import load_links, load_summaries
from signpost.extensions import db

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_AGE = 150
MAX_PROXIMITY_METRES = 1_000_000
MAX_SEARCH_LENGTH = 200
# When a filter the engine cannot apply must be checked afterwards, at most this many hits are
# gathered from it before paging (ample for a text or place search; noted in docs/directory-data.md).
ENGINE_HIT_CAP = 1000
ENGINE_PAGE = 100
# A filtered listing with at most this many services is paged by looking them up and sorting;
# a larger one by walking the listing index in order.
SMALL_RESULT = 2000

DAY_NAMES = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "mo": 0,
    "tu": 1,
    "we": 2,
    "th": 3,
    "fr": 4,
    "sa": 5,
    "su": 6,
}


class BadParameter(ValueError):
    """A query parameter could not be used; ``parameter`` names it, ``str()`` says why."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(reason)
        self.parameter = parameter
        self.reason = reason


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class ServiceQuery:
    """What a /services or /service_at_locations request asks for, already checked."""

    paging: PageRequest = field(default_factory=PageRequest)
    search: str = ""
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    day: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    postcode: str | None = None
    proximity_metres: float | None = None

    @property
    def uses_engine(self) -> bool:
        return bool(self.search or self.postcode)


# --- parsing --------------------------------------------------------------------------------


def _int(args: Any, name: str, *, default: int | None, low: int, high: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number, not '{raw[:40]}'.") from None
    if not low <= value <= high:
        raise BadParameter(name, f"{name} must be between {low} and {high}.")
    return value


def _age(args: Any, name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be an age in years, not '{raw[:40]}'.") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_AGE:
        raise BadParameter(name, f"{name} must be an age between 0 and {MAX_AGE}.")
    return int(value)


def _time(args: Any, name: str) -> time | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        parts = [int(p) for p in raw.split(":")]
        if len(parts) not in (2, 3) or len(raw.split(":")[0]) > 2:
            raise ValueError
        return time(*parts)
    except ValueError:
        raise BadParameter(
            name, f"{name} must be a time such as 09:30, not '{raw[:40]}'."
        ) from None


def _day(args: Any) -> int | None:
    raw = (args.get("day") or "").strip()
    if not raw:
        return None
    try:
        return DAY_NAMES[raw.lower()]
    except KeyError:
        raise BadParameter(
            "day", f"day must be a day of the week such as Monday, not '{raw[:40]}'."
        ) from None


def parse_paging(args: Any) -> PageRequest:
    """page (from 1) and per_page (1 to 100)."""
    page = _int(args, "page", default=1, low=1, high=1_000_000)
    per_page = _int(args, "per_page", default=DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE)
    return PageRequest(page=page or 1, per_page=per_page or DEFAULT_PER_PAGE)


def parse_service_query(args: Any, *, allow_place: bool) -> ServiceQuery:
    """Check a request's query parameters. Raises BadParameter naming the first bad one."""
    paging = parse_paging(args)
    search = (args.get("search") or "").strip()
    if len(search) > MAX_SEARCH_LENGTH:
        raise BadParameter("search", f"search must be at most {MAX_SEARCH_LENGTH} characters.")
    minimum_age, maximum_age = _age(args, "minimum_age"), _age(args, "maximum_age")
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise BadParameter("maximum_age", "maximum_age must not be below minimum_age.")
    postcode = proximity = None
    if allow_place:
        postcode = (args.get("postcode") or "").strip() or None
        raw = (args.get("proximity") or "").strip()
        if raw:
            try:
                proximity = float(raw)
            except ValueError:
                raise BadParameter(
                    "proximity",
                    f"proximity must be a distance in metres, such as 2000, not '{raw[:40]}'.",
                ) from None
            if not math.isfinite(proximity) or not 0 < proximity <= MAX_PROXIMITY_METRES:
                raise BadParameter(
                    "proximity",
                    "proximity must be a distance in metres above 0 "
                    f"and at most {MAX_PROXIMITY_METRES}.",
                )
            if postcode is None:
                raise BadParameter("proximity", "proximity needs a postcode to measure from.")
    return ServiceQuery(
        paging=paging,
        search=search,
        taxonomy_term_id=(args.get("taxonomy_term_id") or "").strip() or None,
        taxonomy_id=(args.get("taxonomy_id") or "").strip() or None,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        day=_day(args),
        start_time=_time(args, "start_time"),
        end_time=_time(args, "end_time"),
        postcode=postcode,
        proximity_metres=proximity,
    )


# --- SQL conditions -------------------------------------------------------------------------


def _span_covers(s: time | None, e: time | None) -> ColumnElement[bool]:
    """A schedule row (on its own weekday) is open at s / up to e / across [s, e]."""
    o, c = Schedule.opens_at, Schedule.closes_at
    same_day, crosses = c > o, c <= o
    if s is not None and e is not None:
        return or_(
            and_(same_day, o <= s, s <= e, e <= c),
            and_(crosses, or_(and_(o <= s, s <= e), and_(s <= e, e <= c), and_(o <= s, e <= c))),
        )
    if s is not None:
        return or_(and_(same_day, o <= s, s < c), and_(crosses, or_(o <= s, s < c)))
    assert e is not None
    return or_(and_(same_day, o < e, e <= c), and_(crosses, or_(o < e, e <= c)))


def _service_id(walk: bool) -> ColumnElement[Any]:
    """Service.id to test against a set of ids. ``walk``: as ``id || ''``, which no index
    answers, so SQLite walks the listing index in page order testing each entry against the set,
    instead of looking every member of a large set up by id and sorting them all."""
    return Service.id + "" if walk else Service.id


def _open_at(day: int | None, at: time | None) -> ColumnElement[bool]:
    """A schedule row makes its service open on `day` and/or at `at`: its own weekday up to
    midnight, and the small hours of the next day for a span past midnight."""
    o, c, w = Schedule.opens_at, Schedule.closes_at, Schedule.weekday
    crosses = c <= o
    into_next_day = and_(crosses, c > time(0, 0))
    same_day: list[ColumnElement[bool]] = [] if day is None else [w == day]
    day_before: list[ColumnElement[bool]] = [] if day is None else [w == (day - 1) % 7]
    if at is None:
        return or_(and_(*same_day), and_(*day_before, into_next_day))
    return or_(
        and_(*same_day, o <= at, or_(at < c, crosses)),
        and_(*day_before, into_next_day, at < c),
    )


def _schedule_condition(q: ServiceQuery, walk: bool = False) -> ColumnElement[bool] | None:
    if q.day is None and q.start_time is None and q.end_time is None:
        return None
    if q.end_time is None:
        return _service_id(walk).in_(
            select(Schedule.service_id).where(_open_at(q.day, q.start_time))
        )
    parts: list[ColumnElement[bool]] = []
    if q.day is not None:
        parts.append(Schedule.weekday == q.day)
    if q.start_time is not None or q.end_time is not None:
        parts.append(_span_covers(q.start_time, q.end_time))
    # Uncorrelated, so the open services are found once from ix_schedule_day_times rather than
    # probed service by service (a day matches about half the directory).
    return _service_id(walk).in_(select(Schedule.service_id).where(*parts))


def _term_condition(term_ids: Any, walk: bool = False) -> ColumnElement[bool]:
    return _service_id(walk).in_(
        select(service_taxonomy_term.c.service_id).where(
            service_taxonomy_term.c.taxonomy_term_id.in_(term_ids)
        )
    )


def _term_and_descendants(term_id: str) -> Any:
    """The term's id and every id below it, as one recursive query (UNION, so a loop ends)."""
    tree = (
        select(TaxonomyTerm.id).where(TaxonomyTerm.id == term_id).cte("term_tree", recursive=True)
    )
    tree = tree.union(select(TaxonomyTerm.id).where(TaxonomyTerm.parent_id == tree.c.id))
    return select(tree.c.id)


def _age_condition(q: ServiceQuery) -> list[ColumnElement[bool]]:
    parts: list[ColumnElement[bool]] = []
    if q.maximum_age is not None:
        parts.append(or_(Service.minimum_age.is_(None), Service.minimum_age <= q.maximum_age))
    if q.minimum_age is not None:
        parts.append(or_(Service.maximum_age.is_(None), Service.maximum_age >= q.minimum_age))
    return parts


def service_conditions(
    q: ServiceQuery, *, engine_done: bool = False, walk: bool = False
) -> list[ColumnElement[bool]]:
    """SQL conditions for the filters (those the engine has not already applied). ``walk``: for
    a page of a large result, walked in listing order (see `_service_id`)."""
    conditions: list[ColumnElement[bool]] = [public_services_filter()]
    if q.taxonomy_id:
        conditions.append(
            _term_condition(
                select(TaxonomyTerm.id).where(TaxonomyTerm.taxonomy_id == q.taxonomy_id), walk
            )
        )
    if engine_done:
        if q.end_time is not None:
            conditions.append(_schedule_condition(q))
        return conditions
    if q.taxonomy_term_id:
        conditions.append(_term_condition(_term_and_descendants(q.taxonomy_term_id), walk))
    conditions.extend(_age_condition(q))
    schedule = _schedule_condition(q, walk)
    if schedule is not None:
        conditions.append(schedule)
    return conditions


def needs_post_filter(q: ServiceQuery) -> bool:
    """True when a filter the engine cannot apply must be checked on its hits."""
    return bool(q.taxonomy_id or q.end_time is not None)


# --- running --------------------------------------------------------------------------------


@dataclass
class ServicePage:
    services: list[Any]  # service records as `directory.oruk_load.load_summaries` gives them
    total: int
    distances_km: dict[str, float | None] = field(default_factory=dict)


def _engine_request(q: ServiceQuery, page: int, per_page: int) -> Any:
    from search_index import SearchRequest

    return SearchRequest(
        text=q.search,
        where=q.postcode or "",
        radius_metres=q.proximity_metres,
        term_ids=(q.taxonomy_term_id,) if q.taxonomy_term_id else (),
        min_age=q.minimum_age,
        max_age=q.maximum_age,
        day=q.day,
        at_time=q.start_time if q.end_time is None else None,
        sort="distance" if q.postcode and not q.search else "relevance",
        page=page,
        per_page=per_page,
        with_facets=False,
        with_suggestion=False,
    )


def _engine_search(q: ServiceQuery, page: int, per_page: int) -> Any:
    from search_index import search_services

    result = search_services(_engine_request(q, page, per_page))
    if result.location_error:
        raise BadParameter("postcode", result.location_error)
    return result


def engine_hits(q: ServiceQuery) -> list[tuple[str, float | None]]:
    """Every hit the engine has for q (up to ENGINE_HIT_CAP), post-filtered, in rank order."""
    hits: list[tuple[str, float | None]] = []
    page = 1
    while len(hits) < ENGINE_HIT_CAP:
        result = _engine_search(q, page, ENGINE_PAGE)
        hits.extend((h.service_id, h.distance_km) for h in result.hits)
        if page >= result.total_pages or not result.hits:
            break
        page += 1
    if needs_post_filter(q) and hits:
        keep = set(
            db.session.scalars(
                select(Service.id).where(
                    Service.id.in_([h[0] for h in hits]), *service_conditions(q, engine_done=True)
                )
            )
        )
        hits = [h for h in hits if h[0] in keep]
    return hits


def _listing_page_ids(q: ServiceQuery, total: int) -> list[str]:
    """The ids of one page of the (name, id) listing, read from ix_service_public_listing alone:
    OFFSET skips index entries, not rows. A page past the middle is counted from the end (the
    index walked backwards), so the last page is as quick as the first."""
    paging = q.paging
    # A small filtered set is quicker to look up and sort; a large one to walk in order.
    conditions = service_conditions(q, walk=total > SMALL_RESULT)
    size = min(paging.per_page, total - paging.offset)
    from_end = total - paging.offset - size
    if from_end < paging.offset:
        rows = db.session.execute(
            select(Service.id)
            .where(*conditions)
            .order_by(Service.name.desc(), Service.id.desc())
            .limit(size)
            .offset(from_end)
        )
        return [row.id for row in rows][::-1]
    return list(
        db.session.scalars(
            select(Service.id)
            .where(*conditions)
            .order_by(Service.name, Service.id)
            .limit(size)
            .offset(paging.offset)
        )
    )


def find_services(q: ServiceQuery) -> ServicePage:
    """One page of public services for a checked query: only that page's rows are read."""
    paging = q.paging
    if not q.uses_engine:
        total = (
            db.session.scalar(
                select(func.count()).select_from(Service).where(*service_conditions(q))
            )
            or 0
        )
        if paging.offset >= total:
            return ServicePage([], total)
        return ServicePage(load_summaries(_listing_page_ids(q, total)), total)
    if not needs_post_filter(q):
        result = _engine_search(q, paging.page, paging.per_page)
        ids = [h.service_id for h in result.hits]
        return ServicePage(
            load_summaries(ids),
            result.total,
            {h.service_id: h.distance_km for h in result.hits},
        )
    hits = engine_hits(q)
    window = hits[paging.offset : paging.offset + paging.per_page]
    return ServicePage(load_summaries([h[0] for h in window]), len(hits), dict(window))


def find_service_at_locations(q: ServiceQuery) -> tuple[list[Any], int]:
    """One page of service-at-location links of public services, nearest first for a postcode.

    For a text or place search the engine gives the page of link ids in order (it knows every
    link's point); only those links are then read.
    """
    paging = q.paging
    if not q.uses_engine:
        conditions = service_conditions(q)
        joined = (
            select(ServiceAtLocation.id)
            .join(Service, ServiceAtLocation.service_id == Service.id)
            .where(*conditions)
        )
        total = db.session.scalar(select(func.count()).select_from(joined.subquery())) or 0
        ids = list(
            db.session.scalars(
                joined.order_by(ServiceAtLocation.id).limit(paging.per_page).offset(paging.offset)
            )
        )
        return load_links(ids), total
    if not needs_post_filter(q):
        from search_index.links import search_links

        found = search_links(_engine_request(q, 1, paging.per_page), paging.offset, paging.per_page)
        if found.location_error:
            raise BadParameter("postcode", found.location_error)
        return load_links([link.link_id for link in found.links]), found.total
    return _post_filtered_links(q)


def _post_filtered_links(q: ServiceQuery) -> tuple[list[Any], int]:
    """Links of the engine's hits that pass a filter the engine cannot apply (rare: at most
    ENGINE_HIT_CAP services are considered)."""
    point = None
    if q.postcode:
        from search_index.geo import PlaceNotFound, resolve_place

        try:
            point = resolve_place(q.postcode)
        except PlaceNotFound as error:
            raise BadParameter("postcode", str(error)) from None
    hits = engine_hits(q)
    rank = {sid: i for i, (sid, _) in enumerate(hits)}
    rows = (
        db.session.execute(
            select(
                ServiceAtLocation.id,
                ServiceAtLocation.service_id,
                Location.latitude,
                Location.longitude,
            )
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.service_id.in_(list(rank)))
        ).all()
        if rank
        else []
    )
    if point is not None:
        from search_index.geo import distance_km

        measured = [
            (
                math.inf
                if lat is None or lon is None
                else distance_km(point.latitude, point.longitude, lat, lon),
                rank[sid],
                link_id,
            )
            for link_id, sid, lat, lon in rows
        ]
        if q.proximity_metres is not None:
            measured = [m for m in measured if m[0] <= q.proximity_metres / 1000]
        measured.sort()
        ordered = [m[2] for m in measured]
    else:
        ordered = [link_id for _, link_id in sorted((rank[sid], lid) for lid, sid, _, _ in rows)]
    page = ordered[q.paging.offset : q.paging.offset + q.paging.per_page]
    return load_links(page), len(ordered)
