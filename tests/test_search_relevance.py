"""Relevance over realistic data: the demo area and the real UK public libraries list."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from directory.models import Service
from search_index.store import close_cached_searchers
from signpost.extensions import db
from tests.search_helpers import find

REPO = Path(__file__).resolve().parent.parent
LIBRARIES_CSV = REPO.parent / "shared" / "data" / "directory" / "uk_public_libraries.csv"
OUTCODES_CSV = REPO.parent / "shared" / "data" / "geo" / "outcodes.csv"


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


def names(result) -> list[str]:  # noqa: ANN001
    by_id = dict(db.session.execute(db.select(Service.id, Service.name)).all())
    return [by_id[h.service_id] for h in result.hits]


@pytest.fixture
def demo(app):  # noqa: ANN001, ANN201
    from directory.demo import seed_demo

    seed_demo()
    db.session.commit()  # as `flask seed-demo` does; the index follows the commit


def test_demo_everyday_words_find_the_right_services_nearby(demo):
    lunch = find(text="lunch club", where="PE30", radius_miles=10)
    top = names(lunch)[:3]
    assert all("Lunch" in n for n in top), top
    assert lunch.hits[0].distance_km < 2
    assert [h.distance_km for h in lunch.hits[:3]] == sorted(h.distance_km for h in lunch.hits[:3])

    memory = names(find(text="memory problems", where="PE30"))
    assert memory[0] == "King's Lynn Memory Café"

    lonely = names(find(text="lonely", where="PE30", per_page=10))
    assert any("Lunch Club" in n for n in lonely[:3])
    assert any("Befriend" in n for n in lonely)


def test_demo_typos_are_corrected_and_phone_services_cover_the_area(demo):
    befriending = find(text="befreinding", where="PE30")
    assert befriending.corrected and befriending.suggestion == "befriending"
    assert befriending.total > 0
    assert all("befriend" in n.lower() or "visit" in n.lower() for n in names(befriending)[:3])
    dementia = find(text="demensia")
    assert dementia.corrected and all("Caf" in n for n in names(dementia)[:3])
    near = find(where="PE30", radius_miles=3, per_page=100)
    covering = [h for h in near.hits if h.covers_area]
    assert covering and all(h.distance_km is None for h in covering)
    torbay = find(text="dementia", where="TQ1", radius_miles=5)
    assert names(torbay) and all("Lynn" not in n and "Hunstanton" not in n for n in names(torbay))


def _subset(tmp_path: Path, authorities: set[str]) -> Path:
    """The real libraries file cut down to a few councils, written to a temporary file."""
    out = tmp_path / "libraries.csv"
    with (
        LIBRARIES_CSV.open(newline="", encoding="utf-8-sig") as src,
        out.open("w", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["Local authority"] in authorities:
                writer.writerow(row)
    return out


@pytest.fixture
def libraries(app, tmp_path):  # noqa: ANN001, ANN201
    if not LIBRARIES_CSV.exists() or not OUTCODES_CSV.exists():
        pytest.skip("shared library and outcode data not present")
    from directory.import_cli import run_import
    from search_index.geo_models import Outcode

    with OUTCODES_CSV.open(newline="", encoding="utf-8") as fh:
        db.session.add_all(
            Outcode(
                outcode=r["postcode"],
                latitude=float(r["latitude"]),
                longitude=float(r["longitude"]),
                town=r["town"],
            )
            for r in csv.DictReader(fh)
            if r["latitude"]
        )
    db.session.commit()
    path = _subset(tmp_path, {"Norfolk County Council", "Suffolk County Council"})
    run_import(path, "uk-libraries")


def test_library_in_the_named_town_comes_first(libraries):
    for town, outcode in (("Hunstanton", "PE36"), ("Thetford", "IP24"), ("Lowestoft", "NR32")):
        by_name = find(text=f"library {town}")
        assert town in names(by_name)[0], (town, names(by_name)[:3])
        nearby = find(text="library", where=outcode, radius_miles=15)
        assert nearby.total > 1, town
        assert town in names(nearby)[0], (town, names(nearby)[:3])


def test_saturday_filter_drops_libraries_closed_on_saturdays(libraries):
    everything = find(text="library", per_page=100)
    saturday = find(text="library", day=5, per_page=100)
    assert 0 < saturday.total < everything.total
    open_ids = {h.service_id for h in saturday.hits}
    services = db.session.scalars(
        db.select(Service).where(Service.id.in_([h.service_id for h in everything.hits]))
    ).all()
    for service in services:
        opens_saturday = any(
            s.weekday == 5 or (s.weekday == 4 and s.crosses_midnight) for s in service.schedules
        )
        assert (service.id in open_ids) == opens_saturday, service.name
