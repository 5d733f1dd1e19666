"""An HSDS 3.0 CSV data package (a folder of services.csv, locations.csv, ...) as full records.

The tables are joined back into the ORUK full-service shape, then saved like ORUK JSON.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from directory.importers.common import RecordRejected, Rejection, SourceRecord

Row = dict[str, Any]


def _read(folder: Path, name: str) -> list[Row]:
    path = folder / name
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            {k: (v if v != "" else None) for k, v in row.items() if k}
            for row in csv.DictReader(handle)
        ]


def _by(rows: list[Row], key: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            grouped[row[key]].append(row)
    return grouped


def read_package(folder: Path, saver: Any = None) -> Iterator[SourceRecord | Rejection]:
    """Full service records assembled from the package's tables.

    With a saver, every taxonomy term of the package is made first, so that parents which no
    service uses directly still hold their children.
    """
    if not folder.is_dir() or not (folder / "services.csv").exists():
        raise RecordRejected(f"{folder} is not a folder holding an HSDS services.csv.")
    organizations = {r["id"]: r for r in _read(folder, "organizations.csv") if r.get("id")}
    locations = {r["id"]: r for r in _read(folder, "locations.csv") if r.get("id")}
    addresses = _by(_read(folder, "addresses.csv"), "location_id")
    accessibility = _by(_read(folder, "accessibility.csv"), "location_id")
    links = _by(_read(folder, "service_at_location.csv"), "service_id")
    schedules = _by(_read(folder, "schedules.csv"), "service_id")
    areas = _by(_read(folder, "service_areas.csv"), "service_id")
    costs = _by(_read(folder, "cost_options.csv"), "service_id")
    languages = _by(_read(folder, "languages.csv"), "service_id")
    contacts = _by(_read(folder, "contacts.csv"), "service_id")
    phones = _read(folder, "phones.csv")
    contact_phones = _by([p for p in phones if p.get("contact_id")], "contact_id")
    service_phones = _by([p for p in phones if not p.get("contact_id")], "service_id")
    funding = _by(_read(folder, "funding.csv"), "service_id")
    taxonomies = {r["id"]: r for r in _read(folder, "taxonomies.csv") if r.get("id")}
    terms = {r["id"]: r for r in _read(folder, "taxonomy_terms.csv") if r.get("id")}
    attributes = _by(_read(folder, "attributes.csv"), "link_id")

    def term(term_id: str) -> Row | None:
        row = terms.get(term_id)
        if row is None:
            return None
        taxonomy = taxonomies.get(row.get("taxonomy_id") or "")
        return row | {"taxonomy": (taxonomy or {}).get("name") or row.get("taxonomy")}

    def location(location_id: str) -> Row | None:
        row = locations.get(location_id)
        if row is None:
            return None
        return row | {
            "addresses": addresses.get(location_id, []),
            "accessibility": accessibility.get(location_id, []),
        }

    if saver is not None:
        for term_id in terms:
            saver.term_from({"taxonomy_term": term(term_id)})
    for n, service in enumerate(_read(folder, "services.csv"), start=2):
        sid = service.get("id")
        if not sid:
            yield Rejection(f"services.csv line {n}", "The service has no id.")
            continue
        record = dict(service)
        record["organization"] = organizations.get(service.get("organization_id") or "")
        record["service_at_locations"] = [
            link | {"location": location(link.get("location_id") or "")}
            for link in links.get(sid, [])
        ]
        record["schedules"] = schedules.get(sid, [])
        record["service_areas"] = areas.get(sid, [])
        record["cost_options"] = costs.get(sid, [])
        record["languages"] = languages.get(sid, [])
        record["contacts"] = [
            c | {"phones": contact_phones.get(c.get("id") or "", [])} for c in contacts.get(sid, [])
        ]
        record["phones"] = service_phones.get(sid, [])
        record["funding"] = funding.get(sid, [])
        record["attributes"] = [
            a | {"taxonomy_term": term(a.get("taxonomy_term_id") or "")}
            for a in attributes.get(sid, [])
            if term(a.get("taxonomy_term_id") or "")
        ]
        yield SourceRecord(record, sid[:200], f"services.csv line {n} ({service.get('name')})")
