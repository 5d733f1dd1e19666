"""ORUK JSON and HSDS CSV import, export, and the round trip between them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from directory.exporters import export_csv, export_oruk_json
from directory.import_cli import run_import
from directory.models import Location, Organization, Service, TaxonomyTerm
from signpost.extensions import db
from tests.conftest import empty_all_tables
from tests.oruk_helpers import STANDARDS, assert_valid

HSDS_CSV = STANDARDS / "hsds-3.0" / "examples" / "csv"


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_export_is_a_list_of_full_records_like_the_api(
    client: FlaskClient, rich_service: Service, tmp_path: Path
) -> None:
    path = tmp_path / "out.json"
    assert export_oruk_json(path) == 1
    records = json.loads(path.read_text())
    assert records[0] == client.get(f"/api/services/{rich_service.id}").get_json()
    assert_valid("service", records[0])


def test_round_trip_export_import_into_empty_database_export_is_identical(
    rich_service: Service,
    make_service: Callable[..., Service],
    tmp_path: Path,
) -> None:
    make_service(
        name="Phone befriending",
        with_location=False,
        phone="01632 960 123",
        areas=["PE31"],
        minimum_age=18,
        maximum_age=99,
    )
    # A service's record carries only its own terms: a parent term travels when it is used too.
    rich_service.taxonomy_terms.append(rich_service.taxonomy_terms[0].parent)
    db.session.commit()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    export_oruk_json(first)
    db.session.remove()
    empty_all_tables()
    summary = run_import(first, "oruk-json")
    assert (summary.created, summary.rejected) == (2, 0)
    export_oruk_json(second)
    assert second.read_text() == first.read_text()


def test_reimport_changes_nothing_and_an_edit_updates_in_place(tmp_path: Path, app: Any) -> None:
    record = json.loads((STANDARDS / "oruk-3.0" / "examples" / "service_full.json").read_text())
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([record]))
    assert run_import(path, "oruk-json").created == 1
    again = run_import(path, "oruk-json")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    service = db.session.scalar(select(Service))
    assert service.name == record["name"]
    before = service.last_modified
    record["name"] = "Community Counselling (evenings)"
    record["schedules"][0]["byday"] = "MO"
    path.write_text(json.dumps({"total_items": 1, "contents": [record]}))  # a saved API page
    changed = run_import(path, "oruk-json")
    assert (changed.created, changed.updated) == (0, 1)
    db.session.expire_all()
    assert count(Service) == 1
    service = db.session.scalar(select(Service))
    assert service.name == "Community Counselling (evenings)"
    assert [s.byday for s in service.schedules] == ["MO"]
    assert service.last_modified >= before


def test_one_bad_record_is_rejected_with_its_reason_and_the_rest_import(
    tmp_path: Path, runner: FlaskCliRunner
) -> None:
    records = [
        {"id": "a1", "name": "Good one", "organization": {"id": "o1", "name": "Org"}},
        {"id": "a2", "name": "", "organization": {"id": "o1", "name": "Org"}},
        {"id": "a3", "name": "Bad status", "status": "open", "organization": {"name": "Org"}},
        {"id": "a4", "name": "Bad age", "minimum_age": "young", "organization": {"name": "O"}},
        {"name": "No id"},
        {
            "id": "a5",
            "name": "Also good",
            "organization": {"id": "o1", "name": "Org"},
            "schedules": [{"byday": "TU,TH", "opens_at": "10:00", "closes_at": "12:00"}],
        },
    ]
    path, report = tmp_path / "feed.json", tmp_path / "rejected.csv"
    path.write_text(json.dumps(records))
    result = runner.invoke(
        args=["directory", "import", str(path), "--format", "oruk-json", "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert "created 2, updated 0, unchanged 0, rejected 4" in result.output
    text = report.read_text()
    assert "has no name" in text and "status 'open'" in text and "'young' is not a number" in text
    assert "has no id" in text
    assert sorted(db.session.scalars(select(Service.name))) == ["Also good", "Good one"]
    assert count(Organization) == 1
    also = db.session.scalar(select(Service).where(Service.name == "Also good"))
    assert sorted(s.byday for s in also.schedules) == ["TH", "TU"]


def test_dry_run_counts_but_saves_nothing(tmp_path: Path, runner: FlaskCliRunner) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"id": "x", "name": "Only a test", "organization": {"name": "O"}}]))
    result = runner.invoke(
        args=["directory", "import", str(path), "--format", "oruk-json", "--dry-run"]
    )
    assert "Dry run, nothing saved: would have created 1" in result.output
    assert count(Service) == 0 and count(Organization) == 0


def test_unreadable_file_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, runner: FlaskCliRunner
) -> None:
    path = tmp_path / "feed.json"
    path.write_text("{not json")
    result = runner.invoke(args=["directory", "import", str(path), "--format", "oruk-json"])
    assert result.exit_code != 0
    assert "is not a readable JSON file" in result.output
    assert count(Service) == 0


def test_hsds_csv_example_package_imports_and_serves_valid_oruk(client: FlaskClient) -> None:
    summary = run_import(HSDS_CSV, "hsds-csv")
    assert (summary.created, summary.rejected) == (1, 0)
    service = db.session.scalar(select(Service))
    assert service.name == "Community Counselling"
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.organization.name == "Example Organization Inc."
    assert service.locations[0].name == "MyCity Civic Center"
    assert sorted(s.byday for s in service.schedules) == ["FR", "TH"]
    assert [lang.name for lang in service.languages] == ["Urdu"]
    assert service.cost_options[0].amount == 35
    body = client.get(f"/api/services/{service.id}").get_json()
    assert_valid("service", body)
    assert run_import(HSDS_CSV, "hsds-csv").unchanged == 1


def test_csv_export_round_trips_through_the_hsds_importer(
    rich_service: Service, tmp_path: Path
) -> None:
    first = tmp_path / "first.json"
    export_oruk_json(first)
    export_csv(tmp_path / "package")
    assert (tmp_path / "package" / "services.csv").read_text().count("Friday Lunch Club") == 1
    db.session.remove()
    empty_all_tables()
    assert run_import(tmp_path / "package", "hsds-csv").created == 1
    second = tmp_path / "second.json"
    export_oruk_json(second)
    assert json.loads(second.read_text()) == json.loads(first.read_text())


@pytest.mark.parametrize("model", [Location, TaxonomyTerm])
def test_shared_records_are_not_duplicated_across_services(
    model: type, tmp_path: Path, app: Any
) -> None:
    location = {
        "id": "loc-1",
        "name": "Hall",
        "addresses": [{"address_1": "1 Road", "city": "Town", "postal_code": "PE30 1EX"}],
    }
    attribute = {"taxonomy_term": {"id": "t-1", "name": "Food", "taxonomy": "Topics"}}
    records = [
        {
            "id": f"s{n}",
            "name": f"Service {n}",
            "organization": {"name": "Org"},
            "service_at_locations": [{"id": f"sal{n}", "location": location}],
            "attributes": [attribute],
        }
        for n in (1, 2)
    ]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(records))
    assert run_import(path, "oruk-json").created == 2
    assert count(model) == 1
