"""Export every public service: as ORUK JSON (a list of full records) or an HSDS 3.0 CSV package."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory import oruk
from directory.models import Service, Taxonomy, TaxonomyTerm
from directory.operations import public_services_filter
from signpost.extensions import db

CHUNK = 500

# HSDS 3.0 CSV tables we write, and their columns (the standard's order, where we hold the field).
CSV_TABLES: dict[str, list[str]] = {
    "organizations.csv": [
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "legal_status",
        "uri",
    ],
    "services.csv": [
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "accreditations",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "assurer_email",
        "alert",
        "last_modified",
    ],
    "locations.csv": [
        "id",
        "location_type",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "transportation",
        "latitude",
        "longitude",
        "external_identifier",
        "external_identifier_type",
    ],
    "addresses.csv": [
        "id",
        "location_id",
        "attention",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "accessibility.csv": ["id", "location_id", "description", "details", "url", "accessibility"],
    "service_at_location.csv": ["id", "service_id", "location_id", "description"],
    "schedules.csv": [
        "id",
        "service_id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "freq",
        "interval",
        "byday",
        "opens_at",
        "closes_at",
        "notes",
    ],
    "service_areas.csv": [
        "id",
        "service_id",
        "name",
        "description",
        "extent",
        "extent_type",
        "uri",
    ],
    "cost_options.csv": [
        "id",
        "service_id",
        "valid_from",
        "valid_to",
        "option",
        "currency",
        "amount",
        "amount_description",
    ],
    "languages.csv": ["id", "service_id", "name", "code", "note"],
    "contacts.csv": ["id", "service_id", "name", "title", "department", "email"],
    "phones.csv": ["id", "service_id", "contact_id", "number", "extension", "type", "description"],
    "funding.csv": ["id", "service_id", "source"],
    "taxonomies.csv": ["id", "name", "description", "uri", "version"],
    "taxonomy_terms.csv": [
        "id",
        "code",
        "name",
        "description",
        "parent_id",
        "taxonomy",
        "taxonomy_id",
        "term_uri",
    ],
    "attributes.csv": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
}


def public_service_records(
    progress: Callable[[int], None] = lambda n: None,
) -> Iterator[dict[str, Any]]:
    """Full records of every public service, ordered by id, loaded a chunk at a time."""
    ids = list(
        db.session.scalars(select(Service.id).where(public_services_filter()).order_by(Service.id))
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        services = db.session.scalars(
            select(Service)
            .where(Service.id.in_(chunk))
            .options(*oruk.full_service_options())
            .order_by(Service.id)
        ).all()
        for service in services:
            yield oruk.service_full_record(service)
        progress(len(chunk))
        db.session.expunge_all()


def count_public_services() -> int:
    return len(db.session.scalars(select(Service.id).where(public_services_filter())).all())


def export_oruk_json(path: Path, progress: Callable[[int], None] = lambda n: None) -> int:
    """Write a JSON array of full service records; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for record in public_service_records(progress):
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True))
            count += 1
        handle.write("\n]\n")
    return count


def _flatten(record: dict[str, Any], rows: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Spread one full service record over the CSV tables (rows keyed by id, so shared
    organisations, locations and terms are written once)."""

    def put(table: str, row: dict[str, Any]) -> None:
        rows[table].setdefault(row["id"], row)

    organization = record.get("organization")
    if organization:
        put("organizations.csv", organization)
    put("services.csv", record)
    for sal in record["service_at_locations"]:
        location = sal["location"]
        put("locations.csv", location)
        for address in location["addresses"]:
            put("addresses.csv", address)
        for item in location["accessibility"]:
            put("accessibility.csv", item)
        put("service_at_location.csv", sal)
    for table, key in (
        ("schedules.csv", "schedules"),
        ("service_areas.csv", "service_areas"),
        ("cost_options.csv", "cost_options"),
        ("languages.csv", "languages"),
        ("funding.csv", "funding"),
    ):
        for row in record[key]:
            put(table, row)
    for contact in record["contacts"]:
        put("contacts.csv", contact)
        for phone in contact["phones"]:
            put("phones.csv", phone | {"service_id": record["id"], "contact_id": contact["id"]})
    for phone in record["phones"]:
        put("phones.csv", phone)
    for attribute in record["attributes"]:
        put("attributes.csv", attribute)
        term = attribute["taxonomy_term"]
        put("taxonomy_terms.csv", term)
        if term.get("taxonomy_id"):
            put(
                "taxonomies.csv",
                {"id": term["taxonomy_id"], "name": term.get("taxonomy", ""), "description": ""},
            )


def export_csv(folder: Path, progress: Callable[[int], None] = lambda n: None) -> int:
    """Write an HSDS 3.0 CSV package (one file per table) into folder; returns services written."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, dict[str, Any]]] = {table: {} for table in CSV_TABLES}
    count = 0
    for record in public_service_records(progress):
        _flatten(record, rows)
        count += 1
    # The whole taxonomy travels with the package, so parents of the terms used keep their place.
    for term in db.session.scalars(
        select(TaxonomyTerm).options(selectinload(TaxonomyTerm.taxonomy))
    ):
        rows["taxonomy_terms.csv"][term.id] = oruk.taxonomy_term_record(term)
    for taxonomy in db.session.scalars(select(Taxonomy)):
        rows["taxonomies.csv"][taxonomy.id] = oruk.taxonomy_record(taxonomy)
    for table, columns in CSV_TABLES.items():
        with (folder / table).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for key in sorted(rows[table]):
                writer.writerow({c: _cell(rows[table][key].get(c)) for c in columns})
    return count


def _cell(value: Any) -> Any:
    return "" if value is None else value
