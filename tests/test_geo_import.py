"""Importing postcodes and gazetteers: real file slices, ONSPD layout, bad input, the CLI."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select

from search_index.geo import normalise_postcode, resolve_place
from search_index.geo_import import GeoImportError, import_postcodes
from search_index.geo_models import Outcode, Place, Postcode
from search_index.geo_places_import import import_places
from signpost.extensions import db

GEO_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "geo"
PE_FILE = GEO_DATA / "codepoint-2014" / "pe_latlon.csv"
CODEPOINT_HEADER = (
    "postcode,latitude,longitude,Positional_quality_indicator,Eastings,Northings,"
    "Country_code,NHS_regional_HA_code,NHS_HA_code,Admin_county_code,"
    "Admin_district_code,Admin_ward_code"
)
ONSPD_HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,oslaua,osward,lat,long,ctry"


def _head(path: Path, lines: int) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [next(f) for _ in range(lines)]


@pytest.fixture
def pe_slice(tmp_path: Path) -> Path:
    """The first 2,000 postcodes of the real PE file."""
    path = tmp_path / "pe_slice.csv"
    path.write_text("".join(_head(PE_FILE, 2001)), encoding="utf-8")
    return path


@pytest.fixture
def pe_slice_gz(tmp_path: Path, pe_slice: Path) -> Path:
    path = tmp_path / "pe_slice.csv.gz"
    path.write_bytes(gzip.compress(pe_slice.read_bytes()))
    return path


def _table(model: type) -> dict[str, tuple]:
    key = model.__table__.primary_key.columns.values()[0].name
    rows = db.session.execute(select(model.__table__)).mappings().all()
    return {row[key]: tuple(row.values()) for row in rows}


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _expected(path: Path) -> dict[str, tuple[float, float]]:
    with path.open(newline="") as f:
        # Code-Point writes 7-character postcodes: "PE1 1AB" but "PE101AA".
        return {
            normalise_postcode(r["postcode"]): (float(r["latitude"]), float(r["longitude"]))
            for r in csv.DictReader(f)
            if r["latitude"]
        }


def test_codepoint_slice_loads_every_postcode_and_derives_outcode_centres(app, pe_slice) -> None:  # noqa: ANN001
    expected = _expected(pe_slice)
    report = import_postcodes([str(pe_slice)])
    assert report.imported == len(expected) == 2000
    assert _count(Postcode) == 2000
    first = db.session.get(Postcode, "PE1 1AB")
    assert (first.outcode, first.latitude, first.longitude, first.district_code) == (
        "PE1",
        52.572609,
        -0.245578,
        "E06000031",
    )
    # Each outcode's centre is the mean of its postcodes.
    for outcode in {pc.split()[0] for pc in expected}:
        points = [p for pc, p in expected.items() if pc.split()[0] == outcode]
        row = db.session.get(Outcode, outcode)
        assert row.postcode_count == len(points)
        assert row.latitude == pytest.approx(sum(p[0] for p in points) / len(points))
        assert row.longitude == pytest.approx(sum(p[1] for p in points) / len(points))
    assert resolve_place("pe1 1ab").latitude == 52.572609
    assert resolve_place("PE10 0AY").latitude == 52.768386


def test_gzipped_file_gives_the_same_result_and_reimport_is_idempotent(
    app, pe_slice, pe_slice_gz
) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    plain_postcodes, plain_outcodes = _table(Postcode), _table(Outcode)
    import_postcodes([str(pe_slice_gz)])
    import_postcodes([str(pe_slice_gz)])
    assert _table(Postcode) == plain_postcodes
    assert _table(Outcode) == plain_outcodes


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def onspd_sample(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "ONSPD_sample.csv",
        [
            ONSPD_HEADER,
            '"PE301EX","PE30 1EX","PE30 1EX","198001","","E10000020","E07000146","E05005555",52.756683,0.397196,"E92000001"',
            '"PE301AA","PE30 1AA","PE30 1AA","198001","","E10000020","E07000146","E05005555",52.754000,0.399000,"E92000001"',
            '"PE1 1AB","PE1  1AB","PE1 1AB","198001","201101","E10000020","E06000031","E05002172",52.572609,-0.245578,"E92000001"',
            '"PE309ZY","PE30 9ZY","PE30 9ZY","201901","","E10000020","E07000146","E05005555",99.999999,0.000000,"E92000001"',
        ],
    )


def test_onspd_layout_skips_terminated_and_unlocated_postcodes(app, pe_slice, onspd_sample) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    assert db.session.get(Postcode, "PE1 1AB") is not None
    report = import_postcodes([str(onspd_sample)])
    assert report.imported == 2
    assert report.skipped == {"terminated": 1, "no_coordinates": 1}
    assert report.problems == 0
    # The terminated postcode (loaded earlier from Code-Point) is gone; the live ones are in.
    assert db.session.get(Postcode, "PE1 1AB") is None
    assert report.removed == 1
    live = db.session.get(Postcode, "PE30 1EX")
    assert (live.latitude, live.longitude, live.district_code) == (52.756683, 0.397196, "E07000146")
    assert db.session.get(Postcode, "PE30 9ZY") is None
    assert db.session.get(Outcode, "PE30").postcode_count == 2
    text = str(report)
    assert "1 for terminated postcodes (expected) (line 4 of ONSPD_sample.csv)" in text
    assert "1 for postcodes with no coordinates (expected) (line 5 of ONSPD_sample.csv)" in text


def test_replace_removes_postcodes_missing_from_the_new_files(app, pe_slice, onspd_sample) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    import_postcodes([str(onspd_sample)], replace=True)
    assert sorted(_table(Postcode)) == ["PE30 1AA", "PE30 1EX"]
    assert db.session.get(Outcode, "PE1").postcode_count == 0


def test_wrong_columns_name_the_expected_ones_and_change_nothing(app, pe_slice, tmp_path) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    before = _table(Postcode), _table(Outcode)
    wrong = _write(tmp_path / "wrong.csv", ["code,lat_deg,lon_deg", "PE30 1EX,52.7,0.4"])
    with pytest.raises(GeoImportError) as caught:
        import_postcodes([str(pe_slice), str(wrong)], replace=True)
    message = str(caught.value)
    assert "wrong.csv does not look like a postcode file, so nothing was changed" in message
    assert "pcds (or pcd), doterm, lat and long" in message
    assert "postcode, latitude and longitude" in message
    assert "It starts with: code, lat_deg, lon_deg." in message
    assert (_table(Postcode), _table(Outcode)) == before


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "messy.csv",
        [
            CODEPOINT_HEADER,
            "PE30 1EX,52.756683,0.397196,10,,,,,,,E07000146,",
            "PE30 1AA,fifty-two,0.399,10,,,,,,,E07000146,",
            "",
            "PE30 1AB,52.75,0.39,10,,,,,,,E07000146,",
            "NOT A CODE,52.75,0.39,10,,,,,,,E07000146,",
            "PE30 1AD,152.0,0.39,10,,,,,,,E07000146,",
            ",,,,,,,,,,,",
            "PE30 1AE,52.75",
        ],
    )


def test_bad_rows_are_skipped_and_reported_with_line_numbers_and_counts(app, messy) -> None:  # noqa: ANN001
    report = import_postcodes([str(messy)])
    assert sorted(_table(Postcode)) == ["PE30 1AB", "PE30 1EX"]
    assert report.skipped == {"number": 1, "blank": 2, "postcode": 1, "outside": 1, "short": 1}
    text = str(report)
    assert "Imported 2 postcodes" in text
    assert "Skipped 6 rows:" in text
    assert "2 blank (lines 4, 8 of messy.csv)" in text
    assert "1 with a latitude or longitude that is not a number (line 3 of messy.csv)" in text
    assert "1 with something that is not a postcode (line 6 of messy.csv)" in text
    assert "1 with a latitude or longitude outside the UK (line 7 of messy.csv)" in text
    assert "1 with too few columns (line 9 of messy.csv)" in text


def test_strict_import_refuses_bad_rows_and_changes_nothing(app, pe_slice, messy) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    before = _table(Postcode), _table(Outcode)
    with pytest.raises(GeoImportError) as caught:
        import_postcodes([str(messy)], strict=True)
    assert "6 rows have problems, so nothing was changed" in str(caught.value)
    assert "line 3 of messy.csv" in str(caught.value)
    assert (_table(Postcode), _table(Outcode)) == before


def test_a_file_with_no_usable_rows_changes_nothing(app, pe_slice, tmp_path) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    before = _table(Postcode)
    empty = _write(tmp_path / "empty.csv", [CODEPOINT_HEADER, "", "PE30 1AA,x,y,10,,,,,,,,"])
    with pytest.raises(
        GeoImportError, match="No usable postcodes were found, so nothing was changed"
    ):
        import_postcodes([str(empty)], replace=True)
    assert _table(Postcode) == before


def test_failure_part_way_leaves_no_half_imported_table(
    app, pe_slice, pe_slice_gz, tmp_path
) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    before = _table(Postcode), _table(Outcode)
    data = gzip.compress(("".join(_head(PE_FILE, 20001))).encode())
    truncated = tmp_path / "truncated.csv.gz"
    truncated.write_bytes(data[: len(data) // 2])  # the header reads; the stream ends early
    with pytest.raises(
        GeoImportError, match="Could not read .*truncated.csv.gz.*Nothing was changed"
    ):
        import_postcodes([str(pe_slice_gz), str(truncated)], replace=True)
    assert (_table(Postcode), _table(Outcode)) == before


def test_import_postcodes_command(runner, pe_slice, tmp_path) -> None:  # noqa: ANN001
    result = runner.invoke(args=["import-postcodes", str(pe_slice)])
    assert result.exit_code == 0, result.output
    assert "Imported 2,000 postcodes" in result.output
    assert _count(Postcode) == 2000
    wrong = _write(tmp_path / "wrong.csv", ["a,b,c", "1,2,3"])
    result = runner.invoke(args=["import-postcodes", "--replace", str(wrong)])
    assert result.exit_code == 1
    assert "wrong.csv does not look like a postcode file, so nothing was changed" in result.output
    assert _count(Postcode) == 2000
    result = runner.invoke(args=["import-postcodes", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


# --- Gazetteers ---------------------------------------------------------------------------------


@pytest.fixture
def gazetteers(tmp_path: Path) -> dict[str, Path]:
    geonames = tmp_path / "gb_places_cities500.csv"
    geonames.write_text(
        "".join(_head(GEO_DATA / "places" / "gb_places_cities500.csv", 400)), encoding="utf-8"
    )
    ranked = tmp_path / "ranked-k.tsv"
    ranked.write_text(
        "".join(_head(GEO_DATA / "places" / "os-open-names" / "ranked-k.tsv", 300)),
        encoding="utf-8",
    )
    outcodes = tmp_path / "outcodes.csv"
    lines = _head(GEO_DATA / "outcodes.csv", 1)
    with (GEO_DATA / "outcodes.csv").open(encoding="utf-8") as f:
        lines += [line for line in f if line.startswith(("PE", "TQ"))]
    outcodes.write_text("".join(lines), encoding="utf-8")
    return {"geonames": geonames, "ranked": ranked, "outcodes": outcodes}


def test_gazetteers_load_and_resolve_towns(app, gazetteers) -> None:  # noqa: ANN001
    report = import_places([str(p) for p in gazetteers.values()])
    assert report.imported == _count(Place) > 600
    assert report.outcodes > 10
    lynn = resolve_place("kings lynn")
    assert (lynn.label, lynn.kind, lynn.outcode) == ("King's Lynn", "place", "PE30")
    assert db.session.get(Outcode, "PE30").town == "King's Lynn"
    assert resolve_place("KINGS LYNN") == lynn


def test_reimporting_a_gazetteer_replaces_its_own_rows_only(app, gazetteers) -> None:  # noqa: ANN001
    import_places([str(gazetteers["geonames"]), str(gazetteers["ranked"])])
    before = _count(Place)
    import_places([str(gazetteers["ranked"])])
    assert _count(Place) == before
    sources = db.session.execute(select(Place.source, func.count()).group_by(Place.source)).all()
    assert {s for s, _n in sources} == {"gb_places_cities500.csv", "ranked-k.tsv"}


def test_outcode_gazetteer_keeps_centres_derived_from_postcodes(app, pe_slice, gazetteers) -> None:  # noqa: ANN001
    import_postcodes([str(pe_slice)])
    derived = db.session.get(Outcode, "PE1")
    derived_point = (derived.latitude, derived.longitude)
    import_places([str(gazetteers["outcodes"])])
    db.session.expire_all()
    pe1 = db.session.get(Outcode, "PE1")
    assert (pe1.latitude, pe1.longitude) == derived_point
    assert pe1.town == "Peterborough"
    tq1 = db.session.get(Outcode, "TQ1")  # no postcodes loaded: the gazetteer's centre is used
    assert (tq1.town, tq1.postcode_count) == ("Torquay", 0)
    assert resolve_place("TQ1 9ZZ").approximate is True


def test_unrecognised_gazetteer_says_what_was_expected_and_changes_nothing(
    app, gazetteers, pe_slice
) -> None:  # noqa: ANN001
    import_places([str(gazetteers["geonames"])])
    before = _table(Place)
    with pytest.raises(GeoImportError) as caught:
        import_places([str(gazetteers["ranked"]), str(pe_slice)])
    assert "pe_slice.csv does not look like a gazetteer, so nothing was changed" in str(
        caught.value
    )
    assert "use flask import-postcodes" in str(caught.value)
    assert _table(Place) == before


def test_import_places_command_reports_skipped_rows(runner, tmp_path) -> None:  # noqa: ANN001
    path = _write(
        tmp_path / "ranked-x.tsv",
        [
            "Kings Lynn\tKing's Lynn and West Norfolk\tt\t52.752\t0.3954",
            "PE30\tKing's Lynn and West Norfolk\t\t52.75\t0.41",
            "Nowhere\tSomewhere\tv\tabc\t0.1",
        ],
    )
    result = runner.invoke(args=["import-places", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 places" in result.output
    assert (
        "1 with a latitude or longitude that is not a number (line 3 of ranked-x.tsv)"
        in result.output
    )
    assert (
        "1 for postcode districts, not places (expected) (line 2 of ranked-x.tsv)" in result.output
    )
    assert resolve_place("King's Lynn").latitude == 52.752
