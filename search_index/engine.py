"""search_services: text + place + filters -> ranked, paged hits with facets and suggestions.

Place, filters, distances and facets come from the in-memory table (`search_index.table`);
Whoosh's postings only match and score the words (`search_index.text_score`). A search without
words never touches the postings at all.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from whoosh import query as Q
from whoosh.searching import Searcher

from search_index.filters import open_in_window, time_window
from search_index.geo import PlaceNotFound, ResolvedPlace, bounding_box, resolve_place
from search_index.geo_models import Postcode
from search_index.query_text import suggest_spelling, text_query, words_of
from search_index.search_types import (
    MAX_PER_PAGE,
    SORT_DISTANCE,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from search_index.store import cached_searcher
from search_index.table import SearchTable, search_table
from search_index.text_score import evaluate
from signpost.extensions import db

# Ranking: relevance (square root of the score relative to the best match, 0..1) divided by
# (1 + distance / scale). With an 8 km scale, a best match 2 miles away (0.71) beats a match
# scoring a quarter as well next door (0.50), and among equal matches the nearer wins.
DISTANCE_SCALE_KM = 8.0
# A service that covers the area (phone, online, home visits) ranks as if this far away.
COVERS_AREA_KM = 5.0


@dataclass
class _Outcome:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Where:
    place: ResolvedPlace
    radius_km: float
    area_keys: tuple[str, ...]


def run_search(request: SearchRequest) -> SearchResult:
    """The implementation behind `search_index.search_services`."""
    per_page = min(max(int(request.per_page or 20), 1), MAX_PER_PAGE)
    page = max(int(request.page or 1), 1)
    where: _Where | None = None
    if request.where and request.where.strip():
        try:
            place = resolve_place(request.where.strip()[:100])
        except PlaceNotFound as exc:
            return SearchResult([], 0, page, per_page, location_error=str(exc))
        where = _Where(place, request.radius_km, _area_keys(place))
    searcher = cached_searcher(current_app.config["SEARCH_INDEX_DIR"])
    table = search_table(searcher)
    outcome = _search_text(searcher, table, request, request.text, where, page, per_page)
    suggestion = suggest_spelling(searcher, request.text) if words_of(request.text) else None
    corrected = False
    if outcome.total == 0 and suggestion:
        retry = _search_text(searcher, table, request, suggestion, where, page, per_page)
        if retry.total:
            outcome, corrected = retry, True
    return SearchResult(outcome.hits, outcome.total, page, per_page, outcome.facets,
                        suggestion, corrected, where.place if where else None, None)


def _area_keys(place: ResolvedPlace) -> tuple[str, ...]:
    """Index keys of the service areas that cover the place."""
    keys = ["national"]
    district = None
    if place.kind == "postcode":
        district = db.session.scalar(select(Postcode.district_code)
                                     .where(Postcode.postcode == place.label))
    if place.outcode:
        keys.append(f"outcode:{place.outcode.replace(' ', '').upper()}")
        if district is None:
            district = db.session.scalar(
                select(Postcode.district_code).where(Postcode.outcode == place.outcode,
                                                     Postcode.district_code.is_not(None))
                .group_by(Postcode.district_code).order_by(func.count().desc()).limit(1))
    if district:
        keys.append(f"la:{district.upper()}")
    return tuple(keys)


def _search_text(searcher: Searcher, table: SearchTable, request: SearchRequest, text: str,
                 where: _Where | None, page: int, per_page: int) -> _Outcome:
    candidates = _candidates(table, request, where)
    query = text_query(text)
    outcome = _search(searcher, table, request, query, candidates, page, per_page)
    if outcome.total == 0 and isinstance(query, Q.And):
        # No service has every word: fall back to services with any of them.
        outcome = _search(searcher, table, request, text_query(text, match_all_words=False),
                          candidates, page, per_page)
    return outcome


@dataclass(frozen=True)
class _Candidates:
    """Documents passing the place and every filter, with their distances."""

    docs: Collection[int]
    distances: dict[int, float]
    covers: frozenset[int]
    where: _Where | None


def _candidates(table: SearchTable, request: SearchRequest, where: _Where | None) -> _Candidates:
    """Apply place, attribute and opening-time filters on the in-memory table."""
    distances: dict[int, float] = {}
    covers: frozenset[int] = frozenset()
    docs: set[int] | frozenset[int]
    if where is not None:
        lat, lon = where.place.latitude, where.place.longitude
        distances = table.near(lat, lon, where.radius_km,
                               bounding_box(lat, lon, where.radius_km))
        covering = table.remote & table.lookup("areas", where.area_keys)
        covers = frozenset(d for d in covering if d not in distances and d in table.alive)
        docs = set(distances) | covers
    else:
        docs = table.alive
    for wanted in _set_filters(table, request):
        docs = wanted & docs
        if not docs:
            break
    low, high = request.min_age, request.max_age
    if request.age is not None:
        low = high = request.age
    if docs and (low is not None or high is not None):
        lo = max(0, int(low)) if low is not None else None
        hi = max(0, int(high)) if high is not None else None
        ages = table.ages
        docs = {d for d in docs if (hi is None or ages[d][0] <= hi)
                and (lo is None or ages[d][1] >= lo)}
    window = time_window(request)
    if docs and window.active:
        spans = table.spans
        docs = {d for d in docs if open_in_window(spans[d], window)}
    return _Candidates(docs, distances, covers, where)


def _set_filters(table: SearchTable, request: SearchRequest) -> list[set[int]]:
    """The filters that are plain sets of documents, smallest first."""
    sets: list[set[int]] = []
    term_ids = tuple(t for t in request.term_ids if t)
    if term_ids:
        sets.append(table.lookup("terms", term_ids, with_slugs=True))
    audiences = tuple(a for a in (*request.audience_ids, *request.audiences) if a)
    if audiences:
        sets.append(table.lookup("audience", audiences, with_slugs=True))
    if request.free_only:
        sets.append(table.free)
    modes = tuple(m for m in request.modes if m)
    if modes:
        sets.append(table.lookup("modes", modes))
    for feature in request.accessibility:
        if feature:
            sets.append(table.sets["access"].get(feature, set()))
    return sorted(sets, key=len)


def _search(searcher: Searcher, table: SearchTable, request: SearchRequest,
            query: Q.Query | None, cands: _Candidates, page: int, per_page: int) -> _Outcome:
    scores: dict[int, float] | None = None
    if query is None:
        matched: Collection[int] = cands.docs
    else:
        scores = evaluate(searcher, query, cands.docs) if cands.docs else {}
        matched = scores.keys()
    total = len(matched)
    if not total:
        return _Outcome([], 0, table.facets(set()))
    start = (page - 1) * per_page
    closed = table.closed
    where = cands.where
    if where is None:
        if scores is not None:
            def key(d: int) -> tuple:
                return (d in closed, -scores[d], d)
        else:
            names = table.sortname

            def key(d: int) -> tuple:
                return (d in closed, names[d], d)
        top = heapq.nsmallest(start + per_page, matched, key=key) if start < total else []
        hits = [SearchHit(table.ids[d], round(scores[d], 6) if scores is not None else 1.0,
                          None, False) for d in top[start:]]  # type: ignore[arg-type]
        return _Outcome(hits, total, table.facets(_as_set(matched)))
    best = (max(scores.values(), default=0.0) or 1.0) if scores else 1.0
    distances, covers = cands.distances, cands.covers

    def blended(d: int) -> float:
        # Square root: two services that both clearly match (a library named "Library X" and
        # one named just "X", both filed under Libraries) should be told apart by distance.
        relevance = math.sqrt(scores[d] / best) if scores is not None else 1.0
        km = distances.get(d, COVERS_AREA_KM)
        return relevance / (1.0 + km / DISTANCE_SCALE_KM)

    ids = table.ids
    if request.sort == SORT_DISTANCE:
        def key(d: int) -> tuple:
            return (d in closed, d in covers, distances.get(d, math.inf), -blended(d), ids[d])
    else:
        def key(d: int) -> tuple:
            return (d in closed, -blended(d), distances.get(d, math.inf), ids[d])
    top = heapq.nsmallest(start + per_page, matched, key=key) if start < total else []
    hits = [SearchHit(ids[d], round(blended(d), 6),  # type: ignore[arg-type]
                      None if d not in distances else round(distances[d], 3), d in covers)
            for d in top[start:]]
    return _Outcome(hits, total, table.facets(_as_set(matched)))


def _as_set(docs: Collection[int]) -> set[int] | frozenset[int]:
    return docs if isinstance(docs, set | frozenset) else set(docs)
