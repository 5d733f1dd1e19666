"""Load place-name gazetteers (GeoNames, OS Open Names) and the outcode gazetteer.

Accepted files, recognised from their first line:
- GeoNames CSV with a header (``geonameid, name, latitude, longitude, feature_code, ...,
  admin2_name, population``), e.g. ``gb_places_cities500.csv``;
- OS Open Names "ranked" TSV without a header (``name, district, type, lat, lon``; type c city,
  t town, v village, h hamlet, s/a suburb, o other; best-known places first);
- an outcode gazetteer CSV (``postcode, latitude, longitude, town, ...``), e.g. ``outcodes.csv``,
  which gives outcodes a town name and a centre when no full postcodes are loaded.

Re-importing a gazetteer file replaces the places that came from a file of the same name.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from search_index.geo import KIND_WEIGHTS, normalise_outcode, place_name_key
from search_index.geo_import import (
    GeoImportError,
    ImportReport,
    Progress,
    column_index,
    first_row,
    open_table,
    parse_point,
)
from search_index.geo_models import Place
from signpost.extensions import db

RANK_STEP = 100_000_000  # kind weight first, then population (or the gazetteer's own order)
OS_TYPES = {
    "c": "city",
    "t": "town",
    "v": "village",
    "h": "hamlet",
    "s": "suburb",
    "a": "suburb",
    "o": "other",
}


@dataclass(frozen=True)
class GazetteerLayout:
    kind: str  # 'geonames' | 'os-open-names' | 'outcodes'
    delimiter: str
    columns: dict[str, int]
    has_header: bool


def gazetteer_layout(path: str) -> GazetteerLayout:
    """Recognise the gazetteer from its first line, or explain what was expected."""
    name = os.path.basename(path)
    tab_row = first_row(path, delimiter="\t")
    if len(tab_row) == 5 and _is_number(tab_row[3]) and _is_number(tab_row[4]):
        return GazetteerLayout(
            "os-open-names",
            "\t",
            {"name": 0, "county": 1, "type": 2, "latitude": 3, "longitude": 4},
            has_header=False,
        )
    cols = column_index(first_row(path))
    if {"name", "latitude", "longitude"} <= cols.keys():
        wanted = {
            "name": cols["name"],
            "latitude": cols["latitude"],
            "longitude": cols["longitude"],
        }
        for key, source in (
            ("county", "admin2_name"),
            ("region", "admin1_name"),
            ("feature", "feature_code"),
            ("population", "population"),
        ):
            if source in cols:
                wanted[key] = cols[source]
        return GazetteerLayout("geonames", ",", wanted, has_header=True)
    if {"postcode", "latitude", "longitude", "town"} <= cols.keys():
        wanted = {k: cols[k] for k in ("postcode", "latitude", "longitude", "town")}
        if "region" in cols:  # outcodes.csv leaves town blank in cities; region names the city
            wanted["region"] = cols["region"]
        return GazetteerLayout("outcodes", ",", wanted, has_header=True)
    hint = (
        " It looks like a postcode file: use flask import-postcodes for that."
        if {"postcode", "latitude", "longitude"} <= cols.keys()
        else ""
    )
    raise GeoImportError(
        f"{name} does not look like a gazetteer, so nothing was changed. Expected either a CSV whose "
        "first line names the columns name, latitude and longitude (GeoNames), an OS Open Names "
        "file with five tab-separated columns (name, district, type, lat, lon), or an outcode CSV "
        f"with the columns postcode, latitude, longitude and town.{hint}"
    )


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _rows(
    path: str,
    layout: GazetteerLayout,
    progress: Progress | None,
) -> Iterator[tuple[int, list[str]]]:
    with open_table(path) as (stream, raw):
        reader = csv.reader(stream, delimiter=layout.delimiter)
        if layout.has_header:
            next(reader, None)
        last = 0
        for row in reader:
            yield reader.line_num, row
            if progress is not None and reader.line_num % 5000 == 0:
                progress(raw.tell() - last)
                last = raw.tell()
        if progress is not None:
            progress(raw.tell() - last)


def _geonames_kind(feature: str, population: int) -> str:
    if feature == "PPLX":
        return "suburb"
    if feature == "PPLC" or population >= 100_000:
        return "city"
    if population >= 5_000 or feature.startswith("PPLA"):
        return "town"
    return "village"


def read_places(
    path: str, layout: GazetteerLayout, report: ImportReport, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """The usable places in one gazetteer file, as rows for the ``place`` table."""
    source = os.path.basename(path)
    cols = layout.columns
    width = max(cols.values()) + 1
    places: list[dict[str, Any]] = []
    for line, row in _rows(path, layout, progress):
        where = f"{source}:{line}"
        if len(row) < width:
            report.skip("blank" if not "".join(row).strip() else "short", where)
            continue
        name = row[cols["name"]].strip()
        key = place_name_key(name)
        if not key:
            report.skip("blank" if not "".join(row).strip() else "name", where)
            continue
        point = parse_point(row[cols["latitude"]], row[cols["longitude"]])
        if isinstance(point, str):
            report.skip(point, where)
            continue
        if layout.kind == "os-open-names":
            code = row[cols["type"]].strip().lower()
            if not code and normalise_outcode(name):
                report.skip("district_row", where)
                continue
            kind = OS_TYPES.get(code, "other")
            secondary = max(0, RANK_STEP - 1 - line)  # the file lists the best-known first
        else:
            population = _whole_number(row[cols["population"]]) if "population" in cols else 0
            kind = _geonames_kind(
                row[cols["feature"]].strip() if "feature" in cols else "", population
            )
            secondary = min(population, RANK_STEP - 1)
        county = (row[cols["county"]].strip() if "county" in cols else "") or None
        places.append(
            {
                "name": name[:120],
                "name_key": key[:120],
                "county": county and county[:120],
                "kind": kind,
                "latitude": point[0],
                "longitude": point[1],
                "rank": KIND_WEIGHTS[kind] * RANK_STEP + secondary,
                "source": source[:120],
            }
        )
    return places


def _whole_number(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except ValueError:
        return 0


def read_outcodes(
    path: str, layout: GazetteerLayout, report: ImportReport, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """The usable outcodes in an outcode gazetteer, as rows for the ``outcode`` table."""
    source = os.path.basename(path)
    cols = layout.columns
    width = max(cols.values()) + 1
    found: list[dict[str, Any]] = []
    for line, row in _rows(path, layout, progress):
        where = f"{source}:{line}"
        if len(row) < width:
            report.skip("blank" if not "".join(row).strip() else "short", where)
            continue
        outcode = normalise_outcode(row[cols["postcode"]])
        if outcode is None:
            report.skip("postcode", where)
            continue
        point = parse_point(row[cols["latitude"]], row[cols["longitude"]])
        if isinstance(point, str):
            report.skip(point, where)
            continue
        found.append(
            {
                "outcode": outcode,
                "latitude": point[0],
                "longitude": point[1],
                "town": _town(row, cols),
            }
        )
    return found


def _town(row: list[str], cols: dict[str, int]) -> str | None:
    town = row[cols["town"]].strip() or (row[cols["region"]].strip() if "region" in cols else "")
    return town[:100] or None


def import_places(paths: Sequence[str], *, progress: Progress | None = None) -> ImportReport:
    """Load gazetteer files in one transaction; each file replaces its earlier import.

    Raises:
        GeoImportError: a file is not a recognised gazetteer, cannot be read, or has no usable rows.
    """
    if not paths:
        raise GeoImportError("Give at least one gazetteer file to import.")
    layouts = [gazetteer_layout(p) for p in paths]
    report = ImportReport("places")
    started = time.perf_counter()
    with db.engine.begin() as conn:
        for path, layout in zip(paths, layouts, strict=True):
            if layout.kind == "outcodes":
                outcodes = read_outcodes(path, layout, report, progress)
                report.outcodes += _upsert_outcodes(conn, outcodes)
                continue
            places = read_places(path, layout, report, progress)
            conn.execute(
                text("DELETE FROM place WHERE source = :source"),
                {"source": os.path.basename(path)[:120]},
            )
            if places:
                conn.execute(insert(Place), places)
            report.imported += len(places)
        if report.imported == 0 and report.outcodes == 0:
            raise GeoImportError(
                "No usable places were found, so nothing was changed.\n"
                + "\n".join(report.lines()[1:])
            )
    report.seconds = time.perf_counter() - started
    return report


def _upsert_outcodes(conn: Connection, outcodes: list[dict[str, Any]]) -> int:
    """Add outcodes; give known ones a town. Centres derived from live postcodes are kept."""
    if not outcodes:
        return 0
    conn.execute(
        text(
            "INSERT INTO outcode (outcode, latitude, longitude, town, postcode_count) "
            "VALUES (:outcode, :latitude, :longitude, :town, 0) ON CONFLICT (outcode) DO UPDATE SET "
            "town = excluded.town, "
            "latitude = CASE WHEN outcode.postcode_count > 0 THEN outcode.latitude "
            "ELSE excluded.latitude END, "
            "longitude = CASE WHEN outcode.postcode_count > 0 THEN outcode.longitude "
            "ELSE excluded.longitude END"
        ),
        outcodes,
    )
    return len(outcodes)
