"""The real UK public libraries list: columns mapped, hours parsed, geocoded, closed ones skipped."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from directory.import_cli import run_import
from directory.importers.common import RecordRejected
from directory.importers.uk_libraries import parse_hours
from directory.models import Service
from search_index.geo_models import Postcode
from signpost.extensions import db
from tests.oruk_helpers import REPO, assert_valid

LIBRARIES = REPO.parent / "shared" / "data" / "directory" / "uk_public_libraries.csv"


def test_parse_hours_reads_single_split_and_blank_days() -> None:
    assert parse_hours("09:00-17:00", "Monday") == [("09:00", "17:00")]
    assert parse_hours("10:00-13:00,14:00-17:00", "Saturday") == [
        ("10:00", "13:00"),
        ("14:00", "17:00"),
    ]
    assert parse_hours("", "Sunday") == [] and parse_hours(None, "Sunday") == []
    with pytest.raises(RecordRejected, match="Tuesday staffed hours '00:00' is not a span"):
        parse_hours("00:00", "Tuesday staffed hours")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The first Aberdeen rows of the real file, plus a closed library and a bad-hours row."""
    with LIBRARIES.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [r for r in reader if r["Local authority"] == "Aberdeen City Council"][:4]
    closed = dict(rows[0], **{"Library name": "Old Branch", "Year closed": "2019"})
    broken = dict(rows[0], **{"Library name": "Odd Hours", "Monday staffed hours": "9am-5pm"})
    path = tmp_path / "libraries.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows([*rows, closed, broken])
    return path


def test_libraries_import_geocoded_scheduled_filed_and_idempotent(
    sample: Path, client: FlaskClient, app: Any
) -> None:
    db.session.add(
        Postcode(postcode="AB15 7RF", outcode="AB15", latitude=57.1279, longitude=-2.1538)
    )
    db.session.commit()
    summary = run_import(sample, "uk-libraries")
    assert (summary.created, summary.skipped, summary.rejected) == (4, 1, 1)
    assert "Monday staffed hours '9am-5pm'" in summary.rejections[0].reason
    airyhall = db.session.scalar(select(Service).where(Service.name == "Airyhall Library"))
    assert airyhall.organization.name == "Aberdeen City Council"
    assert (airyhall.locations[0].latitude, airyhall.locations[0].longitude) == (57.1279, -2.1538)
    assert airyhall.locations[0].postcode == "AB15 7RF"
    saturday = [
        (s.opens_at.strftime("%H:%M"), s.closes_at.strftime("%H:%M"))
        for s in airyhall.schedules
        if s.weekday == 5
    ]
    assert saturday == [("10:00", "13:00"), ("14:00", "17:00")]
    assert [t.name for t in airyhall.taxonomy_terms] == ["Libraries"]
    assert airyhall.email == "AiryhallLibrary@aberdeencity.gov.uk"
    assert_valid("service", client.get(f"/api/services/{airyhall.id}").get_json())
    again = run_import(sample, "uk-libraries")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert db.session.scalar(select(func.count(Service.id))) == 4


def test_whole_real_file_imports_without_aborting(app: Any) -> None:
    summary = run_import(LIBRARIES, "uk-libraries", dry_run=True)
    assert summary.skipped == 478
    assert summary.created + summary.rejected == 4231 - 478
    assert summary.rejected <= 5
    assert db.session.scalar(select(func.count(Service.id))) == 0
