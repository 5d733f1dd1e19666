"""Every ORUK filter means the same through the SQL listing and through the search table.

A listing without words or place is answered in SQL (`directory.oruk_query.service_conditions`);
with words it goes through the engine, whose in-memory table applies the term, age, day and
time filters (and SQL checks the two it cannot). Here the same filters run both ways over a
varied directory, with words every service matches, so the two must find exactly the same
services and links; if either side's meaning drifts, this fails.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import time
from typing import Any

import pytest

from directory import oruk_query
from directory.models import Service
from directory.oruk_query import PageRequest, ServiceQuery
from signpost.extensions import db

WORDS = "community"  # in every service's description below
SPANS = [
    (0, "09:00", "12:00"),
    (0, "13:00", "17:00"),
    (2, "18:00", "21:00"),
    (4, "22:00", "02:00"),  # past midnight into Saturday
    (5, "10:00", "16:00"),
    (6, "23:30", "00:30"),  # Sunday into Monday
    (3, "00:00", "23:59"),
]


@pytest.fixture
def varied(
    make_service: Callable[..., Service],
    make_location: Callable[..., Any],
    make_taxonomy_term: Callable[..., Any],
) -> dict[str, Any]:
    rng = random.Random(21)
    food = make_taxonomy_term("Food")
    lunch = make_taxonomy_term("Lunch clubs", parent=food)
    cafes = make_taxonomy_term("Cafes", parent=food)
    walks = make_taxonomy_term("Walking groups", taxonomy_name="Activities")
    terms = [food, lunch, cafes, walks]
    places = [make_location(), make_location(postcode="NR1 1AA", latitude=52.63, longitude=1.30)]
    for i in range(36):
        low = rng.choice([None, 0, 5, 11, 16, 18, 50, 65])
        high = rng.choice([None, 10, 17, 25, 64, 99])
        if low is not None and high is not None and high < low:
            low, high = high, low
        make_service(
            name=f"Service {i:02d}",
            description=f"A {WORDS} service, number {i}.",
            terms=rng.sample(terms, rng.randint(0, 2)),
            schedules=rng.sample(SPANS, rng.randint(0, 3)),
            locations=rng.sample(places, rng.randint(0, 2)),
            minimum_age=low,
            maximum_age=high,
        )
    return {"food": food, "lunch": lunch, "walks": walks, "taxonomy_id": walks.taxonomy_id}


def _filters(varied: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {},
        {"taxonomy_term_id": varied["food"].id},
        {"taxonomy_term_id": varied["lunch"].id},
        {"taxonomy_id": varied["taxonomy_id"]},
        {"minimum_age": 12},
        {"maximum_age": 8},
        {"minimum_age": 18, "maximum_age": 30},
        {"minimum_age": 70, "maximum_age": 70},
        {"day": 0},
        {"day": 5},
        {"start_time": time(1, 0)},
        {"start_time": time(10, 30)},
        {"day": 5, "start_time": time(1, 0)},
        {"day": 0, "start_time": time(0, 10)},
        {"end_time": time(20, 0)},
        {"start_time": time(9, 30), "end_time": time(11, 0)},
        {"day": 4, "start_time": time(22, 30), "end_time": time(23, 30)},
        {"taxonomy_term_id": varied["food"].id, "minimum_age": 16, "day": 2},
    ]


def _all_services(query: ServiceQuery) -> tuple[set[str], int]:
    page = oruk_query.find_services(query)
    assert len(page.services) == page.total, "one page holds every match here"
    return {s.id for s in page.services}, page.total


def _all_links(query: ServiceQuery) -> tuple[set[str], int]:
    links, total = oruk_query.find_service_at_locations(query)
    assert len(links) == total
    return {link.id for link in links}, total


def test_every_filter_finds_the_same_services_in_sql_and_in_the_search_table(app, varied):
    everything = ServiceQuery(paging=PageRequest(1, 100))
    assert _all_services(everything)[1] == 36
    for filters in _filters(varied):
        sql = ServiceQuery(paging=PageRequest(1, 100), **filters)
        engine = ServiceQuery(paging=PageRequest(1, 100), search=WORDS, **filters)
        assert not sql.uses_engine and engine.uses_engine
        assert _all_services(engine) == _all_services(sql), filters


def test_every_filter_finds_the_same_links_in_sql_and_in_the_search_table(app, varied):
    for filters in _filters(varied):
        sql = ServiceQuery(paging=PageRequest(1, 100), **filters)
        engine = ServiceQuery(paging=PageRequest(1, 100), search=WORDS, **filters)
        assert _all_links(engine) == _all_links(sql), filters


def test_the_search_table_and_sql_agree_after_an_edit(app, varied):
    """An edited service lives in a new segment beside the older ones: the table still agrees."""
    service = db.session.scalar(db.select(Service).where(Service.name == "Service 07"))
    service.minimum_age, service.maximum_age = 40, 45
    db.session.commit()
    for filters in ({"minimum_age": 42}, {"maximum_age": 8}, {}):
        sql = ServiceQuery(paging=PageRequest(1, 100), **filters)
        engine = ServiceQuery(paging=PageRequest(1, 100), search=WORDS, **filters)
        assert _all_services(engine) == _all_services(sql), filters
