"""The bulk path of the importer: new services by bulk INSERTs, with their index outbox rows,
mixed in one batch with services that go through the ORM path (re-imports, shared locations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from directory import import_cli
from directory.import_cli import run_import
from directory.models import Location, Organization, Service
from search_index import SearchRequest, search_services
from search_index.models import IndexOutbox
from signpost.extensions import db


def record(n: int, *, location: str | None = None, **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": f"svc-{n}",
        "name": f"Walking group {n}",
        "description": f"Gentle walks, route {n}.",
        "organization": {"id": "org-1", "name": "Ramblers of Lynn"},
        "schedules": [
            {"id": f"sch-{n}", "byday": "MO,WE", "opens_at": "10:00", "closes_at": "11:30"}
        ],
        "phones": [{"id": f"ph-{n}", "number": "01632 960 000"}],
    }
    if location:
        rec["service_at_locations"] = [
            {
                "id": f"sal-{n}",
                "location": {
                    "id": location,
                    "name": f"Hall {location}",
                    "addresses": [
                        {
                            "id": f"adr-{location}",
                            "address_1": "1 Road",
                            "city": "Town",
                            "postal_code": "PE30 1EX",
                        }
                    ],
                },
            }
        ]
    return rec | extra


def write(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(records))
    return path


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_new_services_are_written_with_their_outbox_rows_and_become_searchable(
    tmp_path: Path, app: Any
) -> None:
    path = write(tmp_path, [record(n, location=f"loc-{n % 3}") for n in range(12)])
    summary = run_import(path, "oruk-json")
    assert (summary.created, summary.rejected) == (12, 0)
    ids = set(db.session.scalars(select(Service.id)))
    assert set(db.session.scalars(select(IndexOutbox.service_id))) == ids
    assert count(Location) == 3 and count(Organization) == 1
    service = db.session.scalar(select(Service).where(Service.source_id == "svc-4"))
    assert service.organization.name == "Ramblers of Lynn"
    assert sorted(s.byday for s in service.schedules) == ["MO", "WE"]
    assert service.locations[0].source_id == "loc-1" and service.phones[0].number
    assert [m.value for m in service.modes] == ["in_person"]
    hits = search_services(SearchRequest(text="walking group")).hits
    assert {h.service_id for h in hits} >= {service.id}


def test_rebuild_path_indexes_a_large_import(
    tmp_path: Path, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_cli, "REBUILD_FROM", 1)
    run_import(write(tmp_path, [record(n) for n in range(5)]), "oruk-json")
    hits = search_services(SearchRequest(text="walking")).hits
    assert len(hits) == 5


def test_reimport_mixes_unchanged_updated_new_and_shared_locations_in_one_batch(
    tmp_path: Path, app: Any
) -> None:
    run_import(write(tmp_path, [record(1, location="hall"), record(2)]), "oruk-json")
    first = db.session.scalar(select(Service).where(Service.source_id == "svc-1"))
    stamp, first_id = first.last_modified, first.id
    outbox_before = count(IndexOutbox)
    feed = [
        record(1, location="hall"),  # unchanged
        record(2, name="Walking group two"),  # updated
        record(3, location="hall"),  # new, at an existing location
        record(4, location="new-hall"),  # new, new location
        record(4, location="new-hall", name="Again 4"),
    ]  # same source id twice
    summary = run_import(write(tmp_path, feed), "oruk-json")
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (2, 2, 1, 0)
    db.session.expire_all()
    assert count(Service) == 4 and count(Location) == 2
    unchanged = db.session.get(Service, first_id)
    assert unchanged.last_modified == stamp
    assert db.session.scalar(select(Service.name).where(Service.source_id == "svc-4")) == "Again 4"
    third = db.session.scalar(select(Service).where(Service.source_id == "svc-3"))
    assert third.locations[0].id == unchanged.locations[0].id
    assert third.id in set(
        db.session.scalars(select(IndexOutbox.service_id).where(IndexOutbox.seq > outbox_before))
    )
    outbox_before = count(IndexOutbox)
    again = run_import(write(tmp_path, feed[:4]), "oruk-json")  # only svc-4 differs now
    assert (again.created, again.updated, again.unchanged) == (0, 1, 3)
    assert db.session.get(Service, first_id).last_modified == stamp
    svc4 = db.session.scalar(select(Service.id).where(Service.source_id == "svc-4"))
    assert set(
        db.session.scalars(select(IndexOutbox.service_id).where(IndexOutbox.seq > outbox_before))
    ) == {svc4}


def test_a_row_the_database_refuses_rejects_only_that_record(tmp_path: Path, app: Any) -> None:
    clash = record(2)
    clash["schedules"][0]["id"] = "sch-1"  # the same schedule id as record 1: a key clash
    summary = run_import(write(tmp_path, [record(1), clash, record(3)]), "oruk-json")
    assert (summary.created, summary.rejected) == (2, 1)
    assert "database refused" in summary.rejections[0].reason
    assert sorted(db.session.scalars(select(Service.source_id))) == ["svc-1", "svc-3"]


def test_dry_run_of_the_bulk_path_leaves_nothing_behind(tmp_path: Path, app: Any) -> None:
    summary = run_import(
        write(tmp_path, [record(n, location="x") for n in range(4)]), "oruk-json", dry_run=True
    )
    assert summary.created == 4 and summary.dry_run
    assert count(Service) == count(Location) == count(IndexOutbox) == count(Organization) == 0
