"""search_services: text + place + filters -> ranked, paged hits with facets and suggestions."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from whoosh import query as Q
from whoosh.searching import Searcher

from search_index.filters import (
    TimeWindow,
    attribute_filters,
    cell_terms,
    open_in_window_stored,
    slot_query,
    time_window,
)
from search_index.geo import PlaceNotFound, ResolvedPlace, bounding_box, distance_km, resolve_place
from search_index.geo_models import Postcode
from search_index.query_text import suggest_spelling, text_query, words_of
from search_index.schema import META_ID, decode_points
from search_index.search_types import (
    MAX_PER_PAGE,
    SORT_DISTANCE,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from search_index.store import cached_searcher
from signpost.extensions import db

# Ranking: relevance (square root of the score relative to the best match, 0..1) divided by
# (1 + distance / scale). With an 8 km scale, a best match 2 miles away (0.71) beats a match
# scoring a quarter as well next door (0.50), and among equal matches the nearer wins.
DISTANCE_SCALE_KM = 8.0
# A service that covers the area (phone, online, home visits) ranks as if this far away.
COVERS_AREA_KM = 5.0
MASK = Q.Term("id", META_ID)
FACET_FIELDS = {"category": "terms", "audience": "audience", "mode": "modes",
                "accessibility": "access", "free": "free"}


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
    outcome = _search_text(searcher, request, request.text, where, page, per_page)
    suggestion = suggest_spelling(searcher, request.text) if words_of(request.text) else None
    corrected = False
    if outcome.total == 0 and suggestion:
        retry = _search_text(searcher, request, suggestion, where, page, per_page)
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


def _search_text(searcher: Searcher, request: SearchRequest, text: str, where: _Where | None,
                 page: int, per_page: int) -> _Outcome:
    query = text_query(text)
    outcome = _search(searcher, request, query, where, page, per_page)
    if outcome.total == 0 and isinstance(query, Q.And):
        # No service has every word: fall back to services with any of them.
        outcome = _search(searcher, request, text_query(text, match_all_words=False), where,
                          page, per_page)
    return outcome


def _filter_query(request: SearchRequest, window: TimeWindow, where: _Where | None
                  ) -> Q.Query | None:
    parts = attribute_filters(request)
    slots = slot_query(window)
    if slots is not None:
        parts.append(slots)
    if where is not None:
        box = bounding_box(where.place.latitude, where.place.longitude, where.radius_km)
        near = Q.Or([Q.Term("cells", c) for c in cell_terms(box)])
        covers = Q.And([Q.Term("remote", "y"),
                        Q.Or([Q.Term("areas", k) for k in where.area_keys])])
        parts.append(Q.Or([near, covers]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _search(searcher: Searcher, request: SearchRequest, query: Q.Query | None,
            where: _Where | None, page: int, per_page: int) -> _Outcome:
    window = time_window(request)
    filt = _filter_query(request, window, where)
    scored = query is not None
    query = query if query is not None else Q.Every()
    if where is None and not window.needs_exact_check:
        return _search_fast(searcher, query, filt, scored, page, per_page)
    results = searcher.search(query, filter=filt, mask=MASK, limit=None, scored=scored)
    covers_docs: frozenset[int] = frozenset()
    if where is not None:
        covers_docs = frozenset(searcher.docs_for_query(Q.And([
            Q.Term("remote", "y"), Q.Or([Q.Term("areas", k) for k in where.area_keys])])))
    rows = []
    for docnum, score in results.items():
        stored = searcher.stored_fields(docnum)
        if window.needs_exact_check and not open_in_window_stored(stored.get("spans"), window):
            continue
        distance, covers = None, False
        if where is not None:
            points = decode_points(stored.get("locs"))
            lat, lon = where.place.latitude, where.place.longitude
            nearest = min((distance_km(lat, lon, a, b) for a, b in points), default=None)
            if nearest is not None and nearest <= where.radius_km:
                distance = nearest
            elif docnum in covers_docs:
                covers = True
            else:
                continue
        rows.append((docnum, stored["id"], score or 0.0, distance, covers,
                     stored.get("status")))
    best = max((r[2] for r in rows), default=0.0) or 1.0

    def blended(row: tuple) -> float:
        # Square root: two services that both clearly match (a library named "Library X" and
        # one named just "X", both filed under Libraries) should be told apart by distance.
        relevance = math.sqrt(row[2] / best) if scored else 1.0
        if where is None:
            return relevance
        km = row[3] if row[3] is not None else COVERS_AREA_KM
        return relevance / (1.0 + km / DISTANCE_SCALE_KM)

    if request.sort == SORT_DISTANCE and where is not None:
        def key(row: tuple) -> tuple:
            return (row[5] == "closed", row[4], row[3] if row[3] is not None else math.inf,
                    -blended(row), row[1])
    else:
        def key(row: tuple) -> tuple:
            return (row[5] == "closed", -blended(row),
                    row[3] if row[3] is not None else math.inf, row[1])
    rows.sort(key=key)
    start = (page - 1) * per_page
    hits = [SearchHit(r[1], round(blended(r), 6), None if r[3] is None else round(r[3], 3), r[4])
            for r in rows[start:start + per_page]]
    return _Outcome(hits, len(rows), facet_counts(searcher, (r[0] for r in rows)))


def _search_fast(searcher: Searcher, query: Q.Query, filt: Q.Query | None, scored: bool,
                 page: int, per_page: int) -> _Outcome:
    """No place and no exact time check: let Whoosh rank the top of the list directly."""
    combined = query if filt is None else Q.And([query, filt])
    matched = set(searcher.docs_for_query(combined)) - _hidden_docs(searcher)
    closed = matched & _postings(searcher, "status").get("closed", frozenset())
    open_count = len(matched) - len(closed)
    start, stop = (page - 1) * per_page, page * per_page
    hits: list[SearchHit] = []
    sortedby = None if scored else "sortname"
    for status, count, offset in (("open", open_count, 0), ("closed", len(closed), open_count)):
        lo, hi = max(start - offset, 0), min(stop - offset, count)
        if lo >= hi:
            continue
        status_filter = Q.Term("status", status)
        f = status_filter if filt is None else Q.And([filt, status_filter])
        results = searcher.search(query, filter=f, mask=MASK, limit=hi, scored=scored,
                                  sortedby=sortedby)
        for hit in list(results)[lo:hi]:
            score = float(hit.score or 0.0) if scored else 1.0
            hits.append(SearchHit(hit["id"], round(score, 6), None, False))
    return _Outcome(hits, len(matched), facet_counts(searcher, matched))


def _hidden_docs(searcher: Searcher) -> frozenset[int]:
    """Deleted documents (raw postings still list them) and the meta document, per searcher."""
    cache = searcher.__dict__
    if "_signpost_hidden" not in cache:
        reader = searcher.reader()
        hidden = set(searcher.docs_for_query(MASK))
        if reader.has_deletions():
            hidden |= set(range(reader.doc_count_all())) - set(reader.all_doc_ids())
        cache["_signpost_hidden"] = frozenset(hidden)
    return cache["_signpost_hidden"]


def _postings(searcher: Searcher, fieldname: str) -> dict[str, frozenset[int]]:
    """Every term of a small-vocabulary field -> its documents, cached per searcher."""
    cache: dict[str, dict[str, frozenset[int]]] = searcher.__dict__.setdefault(
        "_signpost_postings", {})
    if fieldname not in cache:
        reader = searcher.reader()
        table: dict[str, frozenset[int]] = {}
        for term in reader.field_terms(fieldname):
            if term.startswith("slug:"):
                continue
            table[term] = frozenset(reader.postings(fieldname, term).all_ids())
        cache[fieldname] = table
    return cache[fieldname]


def facet_counts(searcher: Searcher, docnums: Iterable[int]) -> dict[str, dict[str, int]]:
    """Counts per facet value among the matched documents."""
    matched = docnums if isinstance(docnums, set | frozenset) else set(docnums)
    facets: dict[str, dict[str, int]] = {}
    for name, fieldname in FACET_FIELDS.items():
        counts: dict[str, int] = {}
        for term, docs in _postings(searcher, fieldname).items():
            n = len(matched & docs) if len(matched) < len(docs) else len(docs & matched)
            if n:
                key = {"y": "free", "n": "paid"}.get(term, term) if name == "free" else term
                counts[key] = n
        facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return facets
