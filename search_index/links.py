"""Searching service-at-location links: a service's places, found and ordered by the engine.

The ORUK ``/service_at_locations`` listing pages links, not services: nearest first for a
postcode, else in the services' rank order. The search table knows every link of every service
with its point, so one page of link ids (with their distances) comes straight from it and only
those rows are read from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from search_index.geo import bounding_box
from search_index.search_types import SearchRequest


@dataclass(frozen=True)
class LinkHit:
    service_id: str
    link_id: str
    """The service-at-location id."""
    distance_km: float | None
    """From the searched place to the link's location, or None without a place."""


@dataclass(frozen=True)
class LinkResult:
    links: list[LinkHit]
    total: int
    """Links in all pages."""
    location_error: str | None = None


def search_links(request: SearchRequest, offset: int, limit: int) -> LinkResult:
    """`limit` links from `offset` of the services `request` finds. With a place, only links
    within the radius, nearest first (ties: the service's rank, then the link id); without,
    every link of each service in rank order, each service's in id order."""
    from search_index.engine import rank_search

    ranking = rank_search(replace(request, page=1, per_page=1, with_facets=False))
    result, table, docs = ranking.result, ranking.table, ranking.docs
    if result.location_error:
        return LinkResult([], 0, result.location_error)
    if not len(docs):
        return LinkResult([], 0)
    if result.location is None:
        counts = table.link_counts[docs]
        ends = np.cumsum(counts)
        total = int(ends[-1])
        first = int(np.searchsorted(ends, offset, side="right"))
        out: list[LinkHit] = []
        skip = offset - (int(ends[first - 1]) if first else 0)
        for doc in docs[first:]:
            if len(out) >= limit:
                break
            sid = table.service_id(int(doc))
            for link in table.links_of(int(doc))[skip:]:
                out.append(LinkHit(sid, link, None))
            skip = 0
        return LinkResult(out[:limit], total)
    place = result.location
    radius = request.radius_km
    near_docs, km, links = table.near_points(
        place.latitude,
        place.longitude,
        radius,
        bounding_box(place.latitude, place.longitude, radius),
    )
    position = np.full(table.size, -1, np.int64)
    position[docs] = np.arange(len(docs))
    keep = position[near_docs] >= 0
    near_docs, km, links = near_docs[keep], km[keep], links[keep]
    order = np.lexsort((links, position[near_docs], km))[offset : offset + limit]
    return LinkResult(
        [
            LinkHit(table.service_id(int(near_docs[i])), table.link_id(int(links[i])), float(km[i]))
            for i in order
        ],
        int(len(near_docs)),
    )
