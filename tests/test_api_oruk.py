"""The ORUK 3.0 API: shapes validate against the standard's schemas, pages, errors, access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from directory import oruk
from directory.models import (
    ModerationState,
    Service,
    ServiceStatus,
)
from directory.oruk_load import load_public_services
from signpost.extensions import db
from tests.oruk_helpers import assert_page, assert_valid


def get_json(client: FlaskClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.is_json
    return response.get_json()


def test_root_names_version_profile_and_a_working_openapi_url(client: FlaskClient) -> None:
    body = get_json(client, "/api/")
    assert body["version"] == "HSDS-UK-3.0"
    assert body["profile"].startswith("https://")
    document = get_json(client, body["openapi_url"].replace("http://localhost", ""))
    assert document["openapi"].startswith("3.")
    for path in (
        "/services",
        "/services/{id}",
        "/service_at_locations",
        "/taxonomies",
        "/taxonomy_terms/{id}",
        "/organizations/{id}",
    ):
        assert path in document["paths"]


def test_full_service_validates_and_carries_its_related_records(
    client: FlaskClient, rich_service: Service
) -> None:
    body = get_json(client, f"/api/services/{rich_service.id}")
    assert_valid("service", body)
    assert body["name"] == "Friday Lunch Club"
    assert body["organization"]["name"] == "Lynn Lunch Trust"
    assert {(s["byday"], s["opens_at"], s["closes_at"]) for s in body["schedules"]} == {
        ("FR", "12:00", "14:00"),
        ("TU", "18:00", "01:00"),
    }
    location = body["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "PE30 1EX"
    assert {a.get("accessibility") for a in location["accessibility"]} == {
        "wheelchair",
        "hearing_loop",
    }
    assert [a["taxonomy_term"]["name"] for a in body["attributes"]] == ["Lunch clubs"]
    assert body["cost_options"][0]["amount"] == 3.5
    assert body["contacts"][0]["phones"][0]["number"] == "01632 960 002"
    assert body["languages"][0]["code"] == "pl"
    assert body["funding"][0]["source"] == "Borough council grant"
    assert body["service_areas"][0]["extent"] == "PE30"
    assert body["assured_date"] == "2024-05-01"
    assert "moderation_state" not in body and "review_due" not in body


def test_full_records_read_with_plain_queries_match_those_built_from_models(
    rich_service: Service, make_service: Callable[..., Service], make_location: Callable[..., Any]
) -> None:
    second = make_service(
        name="Second",
        locations=[make_location(), make_location()],
        schedules=[(0, "13:00", "15:00"), (0, "09:00", "12:00")],
        phone="01632 960 003",
    )
    hidden = make_service(name="Draft", moderation_state=ModerationState.PENDING)
    ids = [rich_service.id, second.id]
    db.session.expire_all()
    from_models = [oruk.service_full_record(db.session.get(Service, i)) for i in ids]
    loaded = load_public_services([second.id, hidden.id, rich_service.id])
    from_rows = [oruk.service_full_record(s) for s in loaded]
    assert from_rows == from_models[::-1]  # in the order asked for; the draft left out
    assert from_rows[1]["contacts"][0]["phones"][0]["number"] == "01632 960 002"
    assert [(s["opens_at"]) for s in from_rows[0]["schedules"]] == ["09:00", "13:00"]
    assert len(from_rows[0]["service_at_locations"]) == 2
    assert load_public_services([hidden.id]) == []


def test_service_pages_first_middle_last_validate(
    client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    # Pages are in name order; services sharing a name are ordered by id, so no page repeats or
    # skips one of them.
    made = [make_service(name=f"Service {letter}") for letter in "GCEACAB"]
    expected = [s.id for s in sorted(made, key=lambda s: (s.name, s.id))]
    seen = []
    for page, size, first, last in ((1, 3, True, False), (2, 3, False, False), (3, 1, False, True)):
        body = get_json(client, f"/api/services?per_page=3&page={page}")
        assert_page(body, "service_list")
        assert (body["total_items"], body["total_pages"], body["page_number"]) == (7, 3, page)
        assert (body["size"], body["first_page"], body["last_page"]) == (size, first, last)
        seen += [s["id"] for s in body["contents"]]
    assert seen == expected
    beyond = get_json(client, "/api/services?per_page=3&page=9")
    assert beyond["empty"] and beyond["contents"] == [] and beyond["total_items"] == 7


def test_only_approved_active_services_are_served(
    client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    shown = make_service(name="Open one")
    paused = make_service(name="Paused one", status=ServiceStatus.TEMPORARILY_CLOSED)
    hidden = [
        make_service(name="Draft one", moderation_state=ModerationState.PENDING),
        make_service(name="Gone one", status=ServiceStatus.DEFUNCT),
        make_service(name="Stopped one", status=ServiceStatus.INACTIVE),
    ]
    listed = {s["id"] for s in get_json(client, "/api/services")["contents"]}
    assert listed == {shown.id, paused.id}
    sal_listed = {
        s["service_id"] for s in get_json(client, "/api/service_at_locations")["contents"]
    }
    assert sal_listed == {shown.id, paused.id}
    for service in hidden:
        body = get_json(client, f"/api/services/{service.id}", 404)
        assert "no service" in body["message"].lower()
        sal_id = service.service_at_locations[0].id
        get_json(client, f"/api/service_at_locations/{sal_id}", 404)
    orgs = {o["id"] for o in get_json(client, "/api/organizations")["contents"]}
    assert orgs == {shown.organization_id, paused.organization_id}
    get_json(client, f"/api/organizations/{hidden[0].organization_id}", 404)


def test_service_at_locations_list_and_one_validate(
    client: FlaskClient, rich_service: Service
) -> None:
    body = get_json(client, "/api/service_at_locations")
    assert_page(body, "service_at_location_list")
    assert body["total_items"] == 1
    sal_id = body["contents"][0]["id"]
    assert body["contents"][0]["service"]["name"] == "Friday Lunch Club"
    one = get_json(client, f"/api/service_at_locations/{sal_id}")
    assert_valid("service_at_location", one)
    assert one["service"]["schedules"] and one["location"]["addresses"]


def test_taxonomies_and_terms_validate(client: FlaskClient, rich_service: Service) -> None:
    taxonomies = get_json(client, "/api/taxonomies")
    assert_page(taxonomies, "taxonomy")
    taxonomy = get_json(client, f"/api/taxonomies/{taxonomies['contents'][0]['id']}")
    assert_valid("taxonomy", taxonomy)
    assert {t["name"] for t in taxonomy["taxonomy_terms"]} == {"Food", "Lunch clubs"}
    terms = get_json(client, "/api/taxonomy_terms?per_page=1&page=2")
    assert_page(terms, "taxonomy_term")
    assert terms["total_items"] == 2 and terms["contents"][0]["name"] == "Lunch clubs"
    term = get_json(client, f"/api/taxonomy_terms/{terms['contents'][0]['id']}")
    assert_valid("taxonomy_term", term)
    assert term["parent_id"] == taxonomy_term_id(taxonomy, "Food")


def taxonomy_term_id(taxonomy: dict[str, Any], name: str) -> str:
    return next(t["id"] for t in taxonomy["taxonomy_terms"] if t["name"] == name)


def test_organizations_validate(client: FlaskClient, rich_service: Service) -> None:
    body = get_json(client, "/api/organizations")
    assert_page(body, "organization_list")
    org = get_json(client, f"/api/organizations/{rich_service.organization_id}")
    assert_valid("organization", org)
    assert [s["name"] for s in org["services"]] == ["Friday Lunch Club"]
    assert org["organization_identifiers"][0]["identifier"] == "1234567"


@pytest.mark.parametrize(
    "kind", ["services", "service_at_locations", "taxonomies", "taxonomy_terms", "organizations"]
)
def test_unknown_ids_answer_404_in_json(client: FlaskClient, kind: str) -> None:
    body = get_json(client, f"/api/{kind}/00000000-0000-4000-8000-000000000000", 404)
    assert body["error"] == "not_found"
    assert "00000000-0000-4000-8000-000000000000" in body["message"]


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("per_page=0", "per_page", "between 1 and 100"),
        ("per_page=1000", "per_page", "between 1 and 100"),
        ("page=-1", "page", "between 1"),
        ("page=two", "page", "whole number"),
        ("day=Funday", "day", "day of the week"),
        ("start_time=25:00", "start_time", "time such as"),
        ("minimum_age=old", "minimum_age", "age in years"),
        ("minimum_age=30&maximum_age=20", "maximum_age", "not be below"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(
    client: FlaskClient, query: str, parameter: str, words: str
) -> None:
    for endpoint in ("services", "service_at_locations"):
        body = get_json(client, f"/api/{endpoint}?{query}", 400)
        assert body["parameter"] == parameter
        assert words in body["message"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("postcode=PE30+1EX&proximity=far", "distance in metres"),
        ("postcode=PE30+1EX&proximity=-5", "above 0"),
        ("proximity=500", "needs a postcode"),
    ],
)
def test_bad_proximity_answers_400(client: FlaskClient, query: str, words: str) -> None:
    body = get_json(client, f"/api/service_at_locations?{query}", 400)
    assert body["parameter"] == "proximity" and words in body["message"]


def test_unknown_postcode_answers_400_and_says_so(
    client: FlaskClient, make_service: Callable[..., Service]
) -> None:
    pytest.importorskip("search_index.engine")
    make_service(name="Somewhere")
    body = get_json(client, "/api/service_at_locations?postcode=ZZ99+9ZZ&proximity=1000", 400)
    assert body["parameter"] == "postcode"
    assert "ZZ99 9ZZ" in body["message"]
