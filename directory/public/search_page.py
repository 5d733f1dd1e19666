"""From the validated search form to a SearchRequest, and from the SearchResult to what the
results and map pages show. The view stays thin; the engine lives in search_index."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from directory.models import (
    AccessibilityFeature,
    DeliveryMode,
    TaxonomyTerm,
)
from directory.public.display import ContactWay, contact_ways, cost_label, opening_summary
from directory.public.forms import SearchForm
from directory.public.result_lines import result_services
from search_index.search_types import SORT_DISTANCE, SORT_RELEVANCE, SearchRequest, SearchResult
from signpost.extensions import db

PER_PAGE = 20
KM_PER_MILE = 1.609344


def build_request(form: SearchForm, *, per_page: int = PER_PAGE) -> SearchRequest:
    """The engine's request for a validated form."""
    return SearchRequest(
        text=(form.q.data or "").strip(),
        where=(form.where.data or "").strip(),
        radius_miles=form.radius_miles if (form.where.data or "").strip() else None,
        term_ids=(form.category.data,) if form.category.data else (),
        age=form.age.data,
        free_only=bool(form.free.data),
        day=int(form.day.data) if form.day.data else None,
        open_now=bool(form.open_now.data),
        modes=tuple(form.mode.data or ()),
        accessibility=tuple(form.access.data or ()),
        sort=SORT_DISTANCE if form.sort.data == "nearest" else SORT_RELEVANCE,
        page=form.page.data or 1,
        per_page=per_page,
    )


def filters_for_usage(form: SearchForm) -> dict[str, Any]:
    """The filters in use, for the usage record (no place, no free text)."""
    return {
        "category": form.category.data or None,
        "free": bool(form.free.data),
        "open_now": bool(form.open_now.data),
        "day": form.day.data or None,
        "modes": list(form.mode.data or []) or None,
        "access": list(form.access.data or []) or None,
        "age": form.age.data,
        "radius": form.radius.data if form.where.data else None,
        "sort": form.sort.data if form.sort.data != "best" else None,
    }


@dataclass(frozen=True)
class ResultRow:
    """One line of the results list."""

    service: Any  # a `result_services` record: the Service columns and what a line shows
    distance_miles: float | None
    covers_area: bool
    opening: str
    cost: str
    contacts: list[ContactWay]
    points: list[tuple[float, float, str]] = field(default_factory=list)  # lat, lon, place name

    @property
    def where_label(self) -> str:
        if self.distance_miles is not None:
            if self.distance_miles < 0.1:
                return "Less than 0.1 miles away"
            return f"{self.distance_miles:.1f} miles away"
        if self.covers_area:
            return "Covers your area"
        return ""


def load_rows(result: SearchResult, *, now: datetime, timezone: str) -> list[ResultRow]:
    """The page's services in rank order, with everything a result line shows, in few queries."""
    services = result_services([hit.service_id for hit in result.hits])
    by_id = {s.id: s for s in services}
    rows = []
    for hit in result.hits:
        service = by_id.get(hit.service_id)
        if service is None:  # unpublished since the index last heard: skip, never an error
            continue
        points = [
            (loc.latitude, loc.longitude, loc.name or service.name)
            for loc in service.locations
            if loc.latitude is not None and loc.longitude is not None
        ]
        rows.append(
            ResultRow(
                service=service,
                distance_miles=None if hit.distance_km is None else hit.distance_km / KM_PER_MILE,
                covers_area=hit.covers_area,
                opening=opening_summary(service.schedules, now, timezone),
                cost=cost_label(service),
                contacts=contact_ways(service)[:2],
                points=points,
            )
        )
    return rows


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


def facet_options(result: SearchResult, form: SearchForm) -> dict[str, list[FacetOption]]:
    """Filter choices with counts for the current query, chosen ones kept even at zero."""
    facets = result.facets or {}
    category_counts = facets.get("category", {})
    chosen = form.category.data or ""
    term_ids = set(category_counts) | ({chosen} if chosen else set())
    terms = (
        db.session.scalars(
            select(TaxonomyTerm).where(
                TaxonomyTerm.id.in_(term_ids) | TaxonomyTerm.slug.in_(term_ids)
            )
        ).all()
        if term_ids
        else []
    )
    categories = sorted(
        (
            FacetOption(t.id, t.name, category_counts.get(t.id, 0), chosen in (t.id, t.slug))
            for t in terms
            if category_counts.get(t.id) or chosen in (t.id, t.slug)
        ),
        key=lambda o: (-o.count, o.label),
    )[:15]
    modes = facets.get("mode", {})
    access = facets.get("accessibility", {})
    return {
        "category": categories,
        "mode": [
            FacetOption(m.value, m.label, modes.get(m.value, 0), m.value in (form.mode.data or []))
            for m in DeliveryMode
        ],
        "access": [
            FacetOption(
                f.value, f.label, access.get(f.value, 0), f.value in (form.access.data or [])
            )
            for f in AccessibilityFeature
            if access.get(f.value) or f.value in (form.access.data or [])
        ],
        "free": [
            FacetOption(
                "1", "Free only", facets.get("free", {}).get("free", 0), bool(form.free.data)
            )
        ],
    }


def summary_text(result: SearchResult, form: SearchForm) -> str:
    """'23 services for "lunch club" within 5 miles of PE30 1EX'."""
    total = result.total
    words = f"{total:,} {'service' if total == 1 else 'services'}"
    text = (form.q.data or "").strip()
    if result.corrected and result.suggestion:
        words += f" for ‘{result.suggestion}’"
    elif text:
        words += f" for ‘{text}’"
    if result.location is not None:
        radius = form.radius_miles
        miles = f"{radius:g} {'mile' if radius == 1 else 'miles'}"
        words += f" within {miles} of {result.location.label}"
    return words


def zero_result_advice(result: SearchResult, form: SearchForm) -> list[str]:
    """Plain suggestions for a search that found nothing."""
    advice = []
    if result.suggestion and not result.corrected:
        advice.append(f"Check the spelling, or try ‘{result.suggestion}’.")
    elif (form.q.data or "").strip():
        advice.append(
            "Check the spelling, or use fewer or more general words (for example "
            "‘lunch club’ instead of ‘Tuesday lunch club for over 60s’)."
        )
    if (form.where.data or "").strip() and form.radius_miles < 50:
        advice.append("Search a wider area: choose a bigger distance.")
    chosen = [
        form.category.data,
        form.free.data,
        form.open_now.data,
        form.day.data,
        form.mode.data,
        form.access.data,
        form.age.data not in (None, ""),
    ]
    if any(chosen):
        advice.append("Remove one or more filters.")
    advice.append("Browse services by category instead.")
    return advice
