"""Finding services: the search index, query handling and places (postcodes, outcodes, towns).

Everything calls one function: ``search_services(SearchRequest(...)) -> SearchResult``.
"""

from __future__ import annotations

from search_index.search_types import SearchHit, SearchRequest, SearchResult

__all__ = ["SearchHit", "SearchRequest", "SearchResult", "search_services"]


def search_services(request: SearchRequest) -> SearchResult:
    """Find public services for `request` (text, place, filters), ranked, one page at a time.

    Needs an application context (the index folder and database come from the app).
    Never raises for odd text or an unknown place: see `SearchResult.location_error`.
    """
    from search_index.engine import run_search

    return run_search(request)
