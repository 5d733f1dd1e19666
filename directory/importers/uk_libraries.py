"""The UK public libraries list (one row per library) as directory services.

Each open library becomes a service of its local authority at one location, geocoded from its
postcode (the postcode table, else the middle of its postcode district), with its staffed and
unstaffed hours as weekly schedules, filed under a "Libraries" category. Closed libraries (a
"Year closed") are skipped. Ids are derived from the source row, so re-imports are stable.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from directory.importers.batch import BatchSaver
from directory.importers.common import RecordRejected, Rejection, Skipped, SourceRecord
from directory.models import Schedule, Taxonomy, TaxonomyTerm
from directory.operations import CATEGORY_TAXONOMY
from search_index.geo import normalise_postcode, outcode_of
from search_index.geo_models import Outcode, Postcode
from signpost.extensions import db

SOURCE = "uk-libraries"
NAMESPACE = uuid.UUID("0d3f6c1e-5b7a-4e1c-9a51-7c2b9e0f4d21")
SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
LIBRARY_TYPES = {
    "LAL": "run by the local authority",
    "LAL-": "run by the local authority with reduced staffing",
    "CRL": "run by the community with local authority support",
    "CL": "commissioned by the local authority",
    "ICL": "an independent community library",
}


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def parse_hours(text: str | None, column: str) -> list[tuple[str, str]]:
    """'09:00-17:00' or '10:00-13:00,14:00-17:00' -> [('09:00', '17:00')]; blank -> [].

    Raises RecordRejected naming the column when a part is not a span of two times.
    """
    spans = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        match = SPAN.match(part)
        if (
            not match
            or int(match[1]) > 23
            or int(match[3]) > 24
            or int(match[2]) > 59
            or int(match[4]) > 59
        ):
            raise RecordRejected(f"{column} '{text}' is not a span of hours like 09:00-17:00.")
        closes = "23:59" if match[3] == "24" else f"{int(match[3]):02d}:{match[4]}"
        spans.append((f"{int(match[1]):02d}:{match[2]}", closes))
    return spans


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return sum(1 for _ in csv.DictReader(handle))


class LibrarySaver(BatchSaver):
    """Saves library records; knows the postcode points and the "Libraries" term."""

    def __init__(self, source: str = SOURCE) -> None:
        super().__init__(source)
        self.points: dict[str, tuple[float, float]] = {}

    def load_points(self, postcodes: set[str]) -> None:
        """Centroids for the postcodes (and, as a fallback, their districts), in a few queries."""
        wanted = sorted(postcodes)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for row in db.session.execute(
                select(Postcode.postcode, Postcode.latitude, Postcode.longitude).where(
                    Postcode.postcode.in_(chunk)
                )
            ):
                self.points[row.postcode] = (row.latitude, row.longitude)
        outcodes = sorted({outcode_of(p) for p in wanted if p not in self.points})
        for start in range(0, len(outcodes), 500):
            for row in db.session.execute(
                select(Outcode.outcode, Outcode.latitude, Outcode.longitude).where(
                    Outcode.outcode.in_(outcodes[start : start + 500])
                )
            ):
                self.points.setdefault(row.outcode, (row.latitude, row.longitude))

    def point(self, postcode: str) -> tuple[float, float] | None:
        return self.points.get(postcode) or self.points.get(outcode_of(postcode))

    def libraries_term_id(self) -> str:
        """The "Libraries" category term, made if the directory has none yet."""
        term = db.session.scalar(
            select(TaxonomyTerm)
            .join(Taxonomy)
            .where(Taxonomy.name == CATEGORY_TAXONOMY, TaxonomyTerm.name == "Libraries")
        )
        if term is None:
            term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.slug == "libraries"))
        if term is None:
            taxonomy = db.session.scalar(select(Taxonomy).where(Taxonomy.name == CATEGORY_TAXONOMY))
            if taxonomy is None:
                taxonomy = Taxonomy(name=CATEGORY_TAXONOMY)
                db.session.add(taxonomy)
            term = TaxonomyTerm(
                taxonomy=taxonomy,
                code="libraries",
                name="Libraries",
                slug="libraries",
                description="Public libraries: books, "
                "computers and internet, events and local information.",
            )
            db.session.add(term)
            db.session.flush()
        return term.id


def library_record(
    row: dict[str, str], saver: LibrarySaver, term_id: str
) -> tuple[dict[str, Any], str]:
    """The full-service record for one open library, and its source id."""
    authority = (row.get("Local authority") or "").strip()
    name = " ".join((row.get("Library name") or "").split())
    if not authority or not name:
        raise RecordRejected("The row has no local authority or no library name.")
    raw_postcode = (row.get("Postcode") or "").strip()
    postcode = normalise_postcode(raw_postcode)
    if postcode is None:
        raise RecordRejected(f"Postcode '{raw_postcode}' is not a UK postcode.")
    source_id = f"{authority}|{name}|{postcode}"[:200]
    sid, lid, sal_id = (_uuid(k, source_id) for k in ("service", "location", "sal"))
    schedules = []
    for weekday, day in enumerate(Schedule.WEEKDAYS):
        for kind, note in (("staffed", None), ("unstaffed", "Unstaffed: open for self-service.")):
            column = f"{day} {kind} hours"
            for n, (opens, closes) in enumerate(parse_hours(row.get(column), column)):
                schedules.append(
                    {
                        "id": _uuid("schedule", f"{source_id}|{weekday}|{kind}|{n}"),
                        "freq": "WEEKLY",
                        "byday": Schedule.BYDAY[weekday],
                        "opens_at": opens,
                        "closes_at": closes,
                        "notes": note,
                    }
                )
    kind = LIBRARY_TYPES.get((row.get("Type of library") or "").strip(), "")
    description = f"A public library in {authority}" + (f", {kind}" if kind else "") + "."
    if (row.get("Co-located with") or "").strip():
        description += f" Shares its building with {row['Co-located with'].strip()}."
    if (row.get("Notes") or "").strip():
        description += " " + row["Notes"].strip()
    email = (row.get("Email address") or "").strip()
    point = saver.point(postcode)
    address_lines = [(row.get(f"Address {i}") or "").strip() for i in (1, 2, 3)]
    uprn = (row.get("Unique property reference number") or "").strip()
    location = {
        "id": lid,
        "location_type": "physical",
        "name": name,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "external_identifier": uprn or None,
        "external_identifier_type": "UPRN" if uprn else None,
        "addresses": [
            {
                "id": _uuid("address", source_id),
                "address_1": address_lines[0],
                "address_2": address_lines[1] or None,
                "city": address_lines[2],
                "state_province": "",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }
    record = {
        "id": sid,
        "name": name,
        "description": description,
        "status": "active",
        "url": (row.get("URL") or "").strip() or None,
        "email": email if "@" in email and " " not in email else None,
        "organization": {
            "id": _uuid("organization", authority),
            "name": authority,
            "description": f"{authority}: the local authority that provides "
            "these public libraries.",
        },
        "service_at_locations": [{"id": sal_id, "location": location}],
        "schedules": schedules,
        "attributes": [{"taxonomy_term_id": term_id}],
    }
    return record, source_id


def read_libraries(path: Path, saver: LibrarySaver) -> Iterator[SourceRecord | Rejection | Skipped]:
    """Records for every open library in the CSV; closed ones are skipped, bad rows rejected."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RecordRejected(f"{path} is not a readable CSV file: {error}") from None
    if rows and "Library name" not in rows[0]:
        raise RecordRejected(
            f"{path} does not look like the UK public libraries list "
            "(it has no 'Library name' column)."
        )
    saver.load_points({p for p in (normalise_postcode(r.get("Postcode") or "") for r in rows) if p})
    term_id = saver.libraries_term_id()
    for n, row in enumerate(rows, start=2):
        reference = f"line {n} ({(row.get('Library name') or '').strip()[:60]})"
        if (row.get("Year closed") or "").strip():
            yield Skipped(reference, f"closed in {row['Year closed'].strip()}")
            continue
        try:
            record, source_id = library_record(row, saver, term_id)
        except RecordRejected as error:
            yield Rejection(reference, str(error))
            continue
        yield SourceRecord(record, source_id, reference)
