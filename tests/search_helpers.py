"""Shared bits for the search tests: places to search from and a short `find` helper."""

from __future__ import annotations

from typing import Any

from search_index import SearchRequest, SearchResult, search_services
from search_index.geo import place_name_key
from search_index.geo_models import Outcode, Place, Postcode
from signpost.extensions import db

KINGS_LYNN = (52.7543, 0.3979)
HUNSTANTON = (52.9390, 0.4920)
NORWICH = (52.6280, 1.2970)


def add_places() -> None:
    """A few real West Norfolk points: PE30 (King's Lynn), PE36 (Hunstanton), NR1 (Norwich)."""
    db.session.add_all(
        [
            Outcode(
                outcode="PE30",
                latitude=KINGS_LYNN[0],
                longitude=KINGS_LYNN[1],
                town="King's Lynn",
                postcode_count=1,
            ),
            Outcode(
                outcode="PE36",
                latitude=HUNSTANTON[0],
                longitude=HUNSTANTON[1],
                town="Hunstanton",
                postcode_count=1,
            ),
            Outcode(
                outcode="NR1",
                latitude=NORWICH[0],
                longitude=NORWICH[1],
                town="Norwich",
                postcode_count=1,
            ),
            Postcode(
                postcode="PE30 1EX",
                outcode="PE30",
                latitude=KINGS_LYNN[0],
                longitude=KINGS_LYNN[1],
                district_code="E07000146",
            ),
            Postcode(
                postcode="NR1 1AA",
                outcode="NR1",
                latitude=NORWICH[0],
                longitude=NORWICH[1],
                district_code="E07000148",
            ),
            Place(
                name="King's Lynn",
                name_key=place_name_key("King's Lynn"),
                county="Norfolk",
                kind="town",
                latitude=KINGS_LYNN[0],
                longitude=KINGS_LYNN[1],
                rank=10,
            ),
            Place(
                name="Hunstanton",
                name_key=place_name_key("Hunstanton"),
                county="Norfolk",
                kind="town",
                latitude=HUNSTANTON[0],
                longitude=HUNSTANTON[1],
                rank=10,
            ),
        ]
    )
    db.session.commit()


def find(**kw: Any) -> SearchResult:
    return search_services(SearchRequest(**kw))


def ids(result: SearchResult) -> list[str]:
    return [h.service_id for h in result.hits]
