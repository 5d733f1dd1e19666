"""The search contract: what callers ask for (`SearchRequest`) and what they get back (`SearchResult`).

Pages, the ORUK API, the phone-line screens and the benchmarks all build a `SearchRequest` and call
`search_index.search_services`. Keep these shapes stable: add fields with defaults, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TYPE_CHECKING

from signpost.paging import total_pages

if TYPE_CHECKING:
    from search_index.geo import ResolvedPlace

SORT_RELEVANCE = "relevance"
SORT_DISTANCE = "distance"
METRES_PER_MILE = 1609.344
DEFAULT_RADIUS_MILES = 10.0
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class SearchRequest:
    """One search. Every filter is optional; filters combine with AND."""

    text: str = ""
    """What the person typed. Searched as plain words (no query syntax); may be empty."""
    where: str = ""
    """A full postcode, an outcode (``PE30``) or a town or village name; empty for anywhere."""
    radius_miles: float | None = None
    """How far from `where` to look, in miles (pages). Default 10 miles when `where` is given."""
    radius_metres: float | None = None
    """The same in metres (the ORUK API's ``proximity``). Used when `radius_miles` is not given."""
    term_ids: tuple[str, ...] = ()
    """Taxonomy term ids (or slugs); a service matches when it has the term or any child of it."""
    audience_ids: tuple[str, ...] = ()
    """Who it is for: ids, slugs or codes of terms in the "Audience" taxonomy (any one matches)."""
    audiences: tuple[str, ...] = ()
    """Alias of `audience_ids`; both are combined."""
    min_age: int | None = None
    """Lowest age of the people in question; services whose age range overlaps match."""
    max_age: int | None = None
    """Highest age of the people in question; services whose age range overlaps match."""
    age: int | None = None
    """A single age: shorthand for ``min_age = max_age = age``."""
    free_only: bool = False
    """Only services that are free to use."""
    day: int | None = None
    """Only services open on this weekday (0 = Monday ... 6 = Sunday)."""
    at_time: time | None = None
    """Only services open at this local (Europe/London) time; on `day` if given, else on any day."""
    open_now: bool = False
    """Only services open at `now` (local time), including spans running past midnight."""
    now: datetime | None = None
    """The moment `open_now` means; default the current time (tests pass a fixed one)."""
    modes: tuple[str, ...] = ()
    """Delivery modes (``in_person``, ``phone``, ``online``, ``home_visit``); any one matches."""
    accessibility: tuple[str, ...] = ()
    """Accessibility features (``wheelchair``, ``hearing_loop``...); a location must have all."""
    sort: str = SORT_RELEVANCE
    """``relevance`` (text relevance blended with distance) or ``distance`` (nearest first)."""
    page: int = 1
    """Page number, counting from 1. A page past the end gives no hits and the right total."""
    per_page: int = 20
    """Hits per page (1 to 100)."""
    with_facets: bool = True
    """Count facets for the result (the pages' filters show them); the API has no use for them."""
    with_suggestion: bool = True
    """Look for a "did you mean" suggestion even when the words matched (pages show it). When
    False, a suggestion is only looked for to retry a search that found nothing."""
    include_inactive: bool = False
    """Ignored by the public index (it holds only public services); kept for callers' symmetry."""

    @property
    def radius_km(self) -> float:
        """The radius asked for, in kilometres (default 10 miles)."""
        if self.radius_miles is not None:
            return float(self.radius_miles) * METRES_PER_MILE / 1000
        if self.radius_metres is not None:
            return float(self.radius_metres) / 1000
        return DEFAULT_RADIUS_MILES * METRES_PER_MILE / 1000


@dataclass(frozen=True)
class SearchHit:
    """One service found, in rank order."""

    service_id: str
    """The service's id; load the services with one ``select ... where id in (...)``."""
    score: float
    """The blended ranking score (higher is better); only meaningful within one result."""
    distance_km: float | None
    """Distance from the searched place to the service's nearest location, or None."""
    covers_area: bool = False
    """True when the service is here because it covers the area (phone, online, home visits)."""


@dataclass(frozen=True)
class SearchResult:
    """One page of hits plus what a page needs around them."""

    hits: list[SearchHit]
    """This page's hits, best first."""
    total: int
    """How many services matched in all (every page)."""
    page: int
    """The page these hits are from (from 1)."""
    per_page: int
    """The page size used."""
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    """Counts for the current query: 'category' (term id), 'audience' (term id), 'mode',
    'accessibility', 'free' ('free' / 'paid')."""
    suggestion: str | None = None
    """"Did you mean" text built from the index vocabulary, or None."""
    corrected: bool = False
    """True when nothing matched as typed and the hits are for `suggestion` instead."""
    location: ResolvedPlace | None = None
    """Where `where` was understood to be, or None."""
    location_error: str | None = None
    """A plain-English message when `where` was not recognised (then no hits are returned)."""

    @property
    def total_pages(self) -> int:
        """How many pages the total makes (at least 1)."""
        return total_pages(self.total, self.per_page)
