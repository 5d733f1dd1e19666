"""Each ORUK API filter narrows correctly (the validator's approach: take a real service, ask for
it by its own values, then by a contradicting value), and no query string makes a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import oruk_query
from directory.models import Service
from search_index.geo_models import Outcode, Postcode
from signpost.extensions import db

PARAMETERS = [
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "minimum_age",
    "maximum_age",
    "start_time",
    "end_time",
    "day",
    "postcode",
    "proximity",
]


@pytest.fixture
def directory(
    make_service: Callable[..., Service],
    make_location: Callable[..., Any],
    make_taxonomy_term: Callable[..., Any],
) -> dict[str, Any]:
    db.session.add_all(
        [
            Postcode(postcode="PE30 1EX", outcode="PE30", latitude=52.7543, longitude=0.3979),
            Postcode(postcode="NR1 1AA", outcode="NR1", latitude=52.6286, longitude=1.2967),
            Outcode(outcode="PE30", latitude=52.75, longitude=0.40, postcode_count=1),
            Outcode(outcode="NR1", latitude=52.63, longitude=1.30, postcode_count=1),
        ]
    )
    db.session.commit()
    food = make_taxonomy_term("Food")
    lunch = make_taxonomy_term("Lunch clubs", parent=food)
    walks = make_taxonomy_term("Walking groups", taxonomy_name="Activities")
    lynn = make_location(postcode="PE30 1EX", latitude=52.7543, longitude=0.3979)
    norwich = make_location(postcode="NR1 1AA", latitude=52.6286, longitude=1.2967, city="Norwich")
    club = make_service(
        name="Friday Lunch Club",
        description="Hot dinners for older people.",
        terms=[lunch],
        locations=[lynn],
        minimum_age=60,
        schedules=[(4, "12:00", "14:00")],
    )
    walk = make_service(
        name="Riverside Health Walk",
        description="A gentle walk by the river.",
        terms=[walks],
        locations=[norwich],
        minimum_age=18,
        maximum_age=99,
        schedules=[(1, "10:00", "11:30")],
    )
    youth = make_service(
        name="Youth Drop-in",
        description="Games and advice for teenagers.",
        locations=[lynn],
        minimum_age=11,
        maximum_age=18,
        schedules=[(2, "18:00", "21:00")],
    )
    return {
        "club": club,
        "walk": walk,
        "youth": youth,
        "food": food,
        "lunch": lunch,
        "walks": walks,
    }


@pytest.fixture(params=["look up and sort", "walk the listing"])
def paging_plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Filters are checked both ways a listing page can be found (see oruk_query.SMALL_RESULT)."""
    if request.param == "walk the listing":
        monkeypatch.setattr(oruk_query, "SMALL_RESULT", 0)
    return str(request.param)


def ids(client: FlaskClient, query: str, endpoint: str = "services") -> set[str]:
    response = client.get(f"/api/{endpoint}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    key = "id" if endpoint == "services" else "service_id"
    return {item[key] for item in response.get_json()["contents"]}


def test_taxonomy_term_matches_itself_and_its_parent_not_others(
    client: FlaskClient, directory: dict[str, Any], paging_plan: str
) -> None:
    club = directory["club"].id
    assert ids(client, f"taxonomy_term_id={directory['lunch'].id}") == {club}
    assert ids(client, f"taxonomy_term_id={directory['food'].id}") == {club}
    assert club not in ids(client, f"taxonomy_term_id={directory['walks'].id}")
    assert ids(client, f"taxonomy_id={directory['lunch'].taxonomy_id}") == {club}
    assert ids(client, f"taxonomy_id={directory['walks'].taxonomy_id}") == {directory["walk"].id}


def test_ages_overlap_the_services_range(client: FlaskClient, directory: dict[str, Any]) -> None:
    club, walk, youth = (directory[k].id for k in ("club", "walk", "youth"))
    assert ids(client, "minimum_age=60") == {club, walk}
    assert ids(client, "maximum_age=15") == {youth}
    assert ids(client, "minimum_age=12&maximum_age=17") == {youth}
    assert ids(client, "minimum_age=100") == {club}


def test_day_and_times_narrow_to_open_services(
    client: FlaskClient, directory: dict[str, Any], paging_plan: str
) -> None:
    club, walk, youth = (directory[k].id for k in ("club", "walk", "youth"))
    assert ids(client, "day=Friday") == {club}
    assert ids(client, "day=FR&start_time=12:30") == {club}
    assert ids(client, "day=Friday&start_time=15:00") == set()
    assert ids(client, "start_time=10:15&end_time=11:30") == {walk}
    assert ids(client, "start_time=10:15&end_time=11:45") == set()
    assert ids(client, "end_time=21:00") == {youth}
    assert ids(client, "day=monday") == set()


def test_filtered_pages_are_in_name_then_id_order(
    client: FlaskClient, paging_plan: str, make_service: Callable[..., Service]
) -> None:
    open_monday = [
        make_service(name=f"Club {letter}", schedules=[(0, "09:00", "17:00")]) for letter in "DBDAC"
    ]
    make_service(name="Club A", schedules=[(1, "09:00", "17:00")])  # Tuesdays only
    expected = [s.id for s in sorted(open_monday, key=lambda s: (s.name, s.id))]
    seen = []
    for page in (1, 2, 3):  # forwards from the start, then counted from the end
        body = client.get(f"/api/services?day=Monday&per_page=2&page={page}").get_json()
        assert (body["total_items"], body["total_pages"]) == (5, 3)
        seen += [s["id"] for s in body["contents"]]
    assert seen == expected


def test_search_finds_a_service_by_its_own_words_not_by_others(
    client: FlaskClient, directory: dict[str, Any]
) -> None:
    club = directory["club"].id
    assert club in ids(client, "search=lunch+club")
    assert club not in ids(client, "search=river+walk")
    assert ids(client, f"search=lunch&taxonomy_id={directory['walks'].taxonomy_id}") == set()


def test_postcode_and_proximity_keep_only_nearby_locations(
    client: FlaskClient, directory: dict[str, Any]
) -> None:
    club, walk, youth = (directory[k].id for k in ("club", "walk", "youth"))
    near_lynn = ids(client, "postcode=PE30+1EX&proximity=2000", "service_at_locations")
    assert near_lynn == {club, youth}
    assert ids(client, "postcode=NR1+1AA&proximity=2000", "service_at_locations") == {walk}
    body = client.get("/api/service_at_locations?postcode=NR1+1AA&proximity=100000").get_json()
    assert body["contents"][0]["service_id"] == walk  # nearest first


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(PARAMETERS),
        st.one_of(
            st.text(max_size=30),
            st.integers(-(10**6), 10**6).map(str),
            st.sampled_from(["Monday", "09:00", "PE30 1EX", "0", "1e308", "nan", "-1", "24:00"]),
        ),
        max_size=5,
    ),
    endpoint=st.sampled_from(
        ["services", "service_at_locations", "taxonomies", "taxonomy_terms", "organizations"]
    ),
)
def test_no_query_string_causes_a_server_error(
    client: FlaskClient, directory: dict[str, Any], query: dict[str, str], endpoint: str
) -> None:
    response = client.get(f"/api/{endpoint}", query_string=query)
    assert response.status_code in (200, 400), (query, response.get_data(as_text=True)[:500])
    body = response.get_json()
    if response.status_code == 400:
        assert body["parameter"] in PARAMETERS and body["message"]
    else:
        assert body["size"] == len(body["contents"])
