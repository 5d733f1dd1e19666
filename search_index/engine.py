"""search_services: text + place + filters -> ranked, paged hits with facets and suggestions.

Place, filters, distances and facets come from the in-memory table (`search_index.table`);
Whoosh's postings only match and score the words (`search_index.text_score`). A search without
words never touches the postings at all.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from sqlalchemy import func, select
from whoosh import query as Q
from whoosh.searching import Searcher

from search_index.filters import time_window
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
from search_index.sync import live_searcher
from search_index.table import SearchTable, search_table
from search_index.text_score import evaluate
from signpost.extensions import db

# Ranking: relevance (square root of the score relative to the best match, 0..1) divided by
# (1 + distance / scale). With an 8 km scale, a best match 2 miles away (0.71) beats a match
# scoring a quarter as well next door (0.50), and among equal matches the nearer wins.
DISTANCE_SCALE_KM = 8.0
# A service that covers the area (phone, online, home visits) ranks as if this far away.
COVERS_AREA_KM = 5.0
PLACE_CACHE_SECONDS = 300.0
# Words are scored only at the candidate documents when these are fewer than one in this many.
NARROW_SHARE = 16
PLACE_CACHE_SIZE = 5000


@dataclass
class _Outcome:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    ranked: np.ndarray | None = None  # every matched document, best first
    distances: np.ndarray | None = None  # km per document (infinity: none near); None: no place


@dataclass(frozen=True)
class Ranking:
    """Every document a search matched, best first, with the table they are numbered in."""

    result: SearchResult
    table: SearchTable
    docs: np.ndarray
    distances: np.ndarray | None


@dataclass(frozen=True)
class _Where:
    place: ResolvedPlace
    radius_km: float
    area_keys: tuple[str, ...]


def run_search(request: SearchRequest) -> SearchResult:
    """The implementation behind `search_index.search_services`."""
    return rank_search(request).result


def rank_search(request: SearchRequest) -> Ranking:
    """`run_search`, keeping the order of every match (for callers that page something else,
    such as a service's locations)."""
    per_page = min(max(int(request.per_page or 20), 1), MAX_PER_PAGE)
    page = max(int(request.page or 1), 1)
    where: _Where | None = None
    if request.where and request.where.strip():
        try:
            place, area_keys = _place_of(request.where.strip()[:100])
        except PlaceNotFound as exc:
            result = SearchResult([], 0, page, per_page, location_error=str(exc))
            return Ranking(result, SearchTable([]), np.zeros(0, np.int64), None)
        where = _Where(place, request.radius_km, area_keys)
    searcher = live_searcher(current_app._get_current_object())  # type: ignore[attr-defined]
    table = search_table(searcher)
    outcome = _search_text(searcher, table, request, request.text, where, page, per_page)
    suggestion = None
    if words_of(request.text) and (request.with_suggestion or outcome.total == 0):
        suggestion = suggest_spelling(searcher, request.text)
    corrected = False
    if outcome.total == 0 and suggestion:
        retry = _search_text(searcher, table, request, suggestion, where, page, per_page)
        if retry.total:
            outcome, corrected = retry, True
    result = SearchResult(
        outcome.hits,
        outcome.total,
        page,
        per_page,
        outcome.facets,
        suggestion,
        corrected,
        where.place if where else None,
        None,
    )
    ranked = outcome.ranked if outcome.ranked is not None else np.zeros(0, np.int64)
    return Ranking(result, table, ranked, outcome.distances)


def _place_of(text: str) -> tuple[ResolvedPlace, tuple[str, ...]]:
    """Where `text` is, and the keys of the service areas that cover it.

    Kept per app for PLACE_CACHE_SECONDS: people search the same towns and postcode areas over
    and over, and each look-up is two or three queries (a quarter of an API request's database
    time). A place not found is not kept, so one added since is found at once.
    """
    cache: dict[str, tuple[float, ResolvedPlace, tuple[str, ...]]] = (
        current_app.extensions.setdefault("signpost_places", {})
    )
    key = " ".join(text.lower().split())
    now = time.monotonic()
    found = cache.get(key)
    if found is not None and now - found[0] < PLACE_CACHE_SECONDS:
        return found[1], found[2]
    place = resolve_place(text)
    keys = _area_keys(place)
    if len(cache) >= PLACE_CACHE_SIZE:
        cache.clear()
    cache[key] = (now, place, keys)
    return place, keys


def _area_keys(place: ResolvedPlace) -> tuple[str, ...]:
    """Index keys of the service areas that cover the place."""
    keys = ["national"]
    district = None
    if place.kind == "postcode":
        district = db.session.scalar(
            select(Postcode.district_code).where(Postcode.postcode == place.label)
        )
    if place.outcode:
        keys.append(f"outcode:{place.outcode.replace(' ', '').upper()}")
        if district is None:
            district = db.session.scalar(
                select(Postcode.district_code)
                .where(Postcode.outcode == place.outcode, Postcode.district_code.is_not(None))
                .group_by(Postcode.district_code)
                .order_by(func.count().desc())
                .limit(1)
            )
    if district:
        keys.append(f"la:{district.upper()}")
    return tuple(keys)


def _search_text(
    searcher: Searcher,
    table: SearchTable,
    request: SearchRequest,
    text: str,
    where: _Where | None,
    page: int,
    per_page: int,
) -> _Outcome:
    candidates = _candidates(table, request, where)
    query = text_query(text)
    outcome = _search(searcher, table, request, query, candidates, page, per_page)
    if outcome.total == 0 and isinstance(query, Q.And):
        # No service has every word: fall back to services with any of them.
        outcome = _search(
            searcher,
            table,
            request,
            text_query(text, match_all_words=False),
            candidates,
            page,
            per_page,
        )
    return outcome


@dataclass(frozen=True)
class _Candidates:
    """Documents passing the place and every filter (a mask), with their distances."""

    docs: np.ndarray
    distances: np.ndarray | None  # km, infinity when not within the radius; None: no place
    covers: np.ndarray | None
    where: _Where | None


def _candidates(table: SearchTable, request: SearchRequest, where: _Where | None) -> _Candidates:
    """Apply place, attribute and opening-time filters on the in-memory table."""
    distances = covers = None
    if where is not None:
        lat, lon = where.place.latitude, where.place.longitude
        distances = table.near(lat, lon, where.radius_km, bounding_box(lat, lon, where.radius_km))
        within = np.isfinite(distances)
        covers = table.remote & table.lookup("areas", where.area_keys) & table.alive & ~within
        docs = within | covers
    else:
        docs = table.alive.copy()
    for wanted in _set_filters(table, request):
        docs &= wanted
    low, high = request.min_age, request.max_age
    if request.age is not None:
        low = high = request.age
    if high is not None:
        docs &= table.age_lo <= max(0, int(high))
    if low is not None:
        docs &= table.age_hi >= max(0, int(low))
    window = time_window(request)
    if window.active:
        docs &= table.open_in(window)
    return _Candidates(docs, distances, covers, where)


def _set_filters(table: SearchTable, request: SearchRequest) -> list[np.ndarray]:
    """The filters that are plain sets of documents."""
    masks: list[np.ndarray] = []
    term_ids = tuple(t for t in request.term_ids if t)
    if term_ids:
        masks.append(table.lookup("terms", term_ids, with_slugs=True))
    audiences = tuple(a for a in (*request.audience_ids, *request.audiences) if a)
    if audiences:
        masks.append(table.lookup("audience", audiences, with_slugs=True))
    if request.free_only:
        masks.append(table.free)
    modes = tuple(m for m in request.modes if m)
    if modes:
        masks.append(table.lookup("modes", modes))
    for feature in request.accessibility:
        if feature:
            masks.append(table.lookup("access", (feature,)))
    return masks


def _search(
    searcher: Searcher,
    table: SearchTable,
    request: SearchRequest,
    query: Q.Query | None,
    cands: _Candidates,
    page: int,
    per_page: int,
) -> _Outcome:
    scores: np.ndarray | None = None
    if query is None:
        matched = cands.docs
    else:
        within = np.flatnonzero(cands.docs)
        few = len(within) * NARROW_SHARE < table.size
        scores = (
            evaluate(searcher, query, table.size, within if few else None) if len(within) else None
        )
        if scores is None:
            empty = np.zeros(table.size, bool)
            return _Outcome([], 0, table.facets(empty) if request.with_facets else {})
        matched = cands.docs & (scores > 0)
    docs = np.flatnonzero(matched)
    total = len(docs)
    facets = table.facets(matched) if request.with_facets else {}
    if not total:
        return _Outcome([], 0, facets)
    start = (page - 1) * per_page
    closed = table.closed[docs]
    distances, covers = cands.distances, cands.covers
    score = scores[docs] if scores is not None else None
    if distances is None or covers is None:
        if score is not None:
            order = np.lexsort((table.id_rank[docs], -score, closed))
            ranked = score
        else:
            order = np.lexsort((table.name_rank[docs], closed))
            ranked = np.ones(total)
        top = order[start : start + per_page]
        hits = [SearchHit(table.ids[docs[i]], round(float(ranked[i]), 6), None, False) for i in top]
        return _Outcome(hits, total, facets, docs[order])
    if score is not None:
        # Square root: two services that both clearly match (a library named "Library X" and
        # one named just "X", both filed under Libraries) should be told apart by distance.
        relevance = np.sqrt(score / (float(score.max()) or 1.0))
    else:
        relevance = np.ones(total)
    km = distances[docs]
    near_km = np.where(np.isfinite(km), km, COVERS_AREA_KM)
    blended = relevance / (1.0 + near_km / DISTANCE_SCALE_KM)
    ids = table.id_rank[docs]
    if request.sort == SORT_DISTANCE:
        order = np.lexsort((ids, -blended, km, covers[docs], closed))
    else:
        order = np.lexsort((ids, km, -blended, closed))
    top = order[start : start + per_page]
    hits = [
        SearchHit(
            table.ids[docs[i]],
            round(float(blended[i]), 6),
            None if not math.isfinite(km[i]) else round(float(km[i]), 3),
            bool(covers[docs[i]]),
        )
        for i in top
    ]
    return _Outcome(hits, total, facets, docs[order], distances)
