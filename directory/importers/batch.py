"""Saving a batch of records quickly: new services by bulk INSERTs, the rest through the ORM.

A record whose service is new, and whose locations are new too, becomes plain rows written with
one executemany per table for the whole batch, with its `index_outbox` row in the same
transaction (bulk INSERTs bypass the session events that would otherwise add it). Everything
else (a service imported before, a location shared with one) takes `RecordSaver`'s ORM path,
which compares and updates. Existing services, organisations and locations of a batch are
looked up in one query each.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from directory.importers.common import CREATED, RecordRejected, SourceRecord
from directory.importers.oruk_json import ORG_FIELDS, RecordSaver
from directory.importers.records import CHILD_TABLES, Built, build, record_id, text
from directory.models import (
    Accessibility,
    Address,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceDeliveryMode,
    service_taxonomy_term,
)
from search_index.events import PENDING_KEY
from search_index.models import OP_UPSERT, IndexOutbox
from signpost.extensions import db
from signpost.types import new_id, utcnow

# Parents before children, so foreign keys hold at every INSERT.
TABLES: tuple[tuple[str, Any], ...] = (
    ("organization", Organization.__table__),
    ("location", Location.__table__),
    ("address", Address.__table__),
    ("accessibility", Accessibility.__table__),
    ("service", Service.__table__),
    ("modes", ServiceDeliveryMode.__table__),
    ("service_at_locations", ServiceAtLocation.__table__),
    ("schedules", Schedule.__table__),
    ("service_areas", ServiceArea.__table__),
    ("cost_options", CostOption.__table__),
    ("languages", Language.__table__),
    ("contacts", Contact.__table__),
    ("phones", Phone.__table__),
    ("fundings", Funding.__table__),
    ("terms", service_taxonomy_term),
    ("outbox", IndexOutbox.__table__),
)
Rows = dict[str, list[dict[str, Any]]]


def _taken(model: Any, ids: list[str]) -> set[str]:
    """Which of `ids` the table already uses, in a few queries."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        found.update(
            db.session.scalars(select(model.id).where(model.id.in_(ids[start : start + 500])))
        )
    return found


class BatchSaver(RecordSaver):
    """A RecordSaver that writes the new services of a batch with bulk INSERTs."""

    def save_batch(self, batch: list[SourceRecord]) -> list[tuple[SourceRecord, str]]:
        """Save a batch; returns each record with its outcome ("rejected:<reason>" if refused)."""
        outcomes: dict[int, str] = {}
        built: list[tuple[int, SourceRecord, Built]] = []
        for n, item in enumerate(batch):
            try:
                built.append((n, item, build(item.record)))
            except RecordRejected as error:
                outcomes[n] = "rejected:" + str(error)
        self.prepare([item.source_id for _, item, _ in built])
        self._prepare_locations([loc.source_id for *_, b in built for _, loc in b.links])
        self._prepare_orgs([item.record for _, item, _ in built])
        taken_services = (
            set() if self.fresh_services else _taken(Service, [b.service["id"] for *_, b in built])
        )
        rows: Rows = defaultdict(list)
        slow: list[tuple[int, SourceRecord]] = []
        seen: set[str] = set()
        for n, item, b in built:
            if (
                item.source_id in self.services
                or item.source_id in self.bulk_services
                or item.source_id in seen
                or any(loc.source_id in self.known_locations for _, loc in b.links)
            ):
                slow.append((n, item))
                continue
            try:
                terms = {
                    t.id
                    for t in (
                        self._term(a)
                        for a in item.record.get("attributes") or []
                        if isinstance(a, dict)
                    )
                    if t is not None
                }
                org_id = self._bulk_org(item.record, rows)
            except RecordRejected as error:
                outcomes[n] = "rejected:" + str(error)
                continue
            if b.service["id"] in taken_services:
                b.service["id"] = new_id()
            taken_services.add(b.service["id"])
            self._add_rows(rows, item, b, org_id, terms)
            seen.add(item.source_id)
            outcomes[n] = CREATED
        db.session.flush()  # new terms and taxonomies, changed organisations
        for name, table in TABLES:
            if rows.get(name):
                db.session.execute(table.insert(), rows[name])
        if rows.get("outbox"):
            db.session.info[PENDING_KEY] = True
        self.bulk_services |= seen
        for n, item in slow:
            try:
                outcomes[n] = self.save(item)
            except RecordRejected as error:
                outcomes[n] = "rejected:" + str(error)
        return [(item, outcomes[n]) for n, item in enumerate(batch)]

    # -- lookups for a whole batch --
    def _prepare_locations(self, source_ids: list[str]) -> None:
        wanted = [
            s
            for s in dict.fromkeys(source_ids)
            if s not in self.location_ids and s not in self.known_locations
        ]
        self.known_locations.update(s for s in wanted if s in self.locations)
        if self.fresh_locations or not wanted:
            return
        for start in range(0, len(wanted), 500):
            self.known_locations.update(
                db.session.scalars(
                    select(Location.source_id).where(
                        Location.source == self.source,
                        Location.source_id.in_(wanted[start : start + 500]),
                    )
                )
            )
        self.taken_locations |= _taken(
            Location, [s for s in wanted if s not in self.known_locations]
        )

    @staticmethod
    def _org_source_id(record: dict[str, Any]) -> str:
        data = record.get("organization") or {}
        source_id = str(data.get("id") or record.get("organization_id") or "")
        if not source_id and not data.get("name"):
            raise RecordRejected("The service has no organization.")
        return source_id or "name:" + str(data["name"])

    def _prepare_orgs(self, records: list[dict[str, Any]]) -> None:
        wanted = []
        for record in records:
            try:
                source_id = self._org_source_id(record)
            except RecordRejected:
                continue
            if source_id not in self.orgs and source_id not in self.org_ids:
                wanted.append(source_id)
        wanted = list(dict.fromkeys(wanted))
        for start in range(0, len(wanted), 500):
            for org in db.session.scalars(
                select(Organization).where(
                    Organization.source == self.source,
                    Organization.source_id.in_(wanted[start : start + 500]),
                )
            ):
                self.orgs[org.source_id] = org
        self.taken_orgs |= _taken(
            Organization, [record_id(r.get("organization") or {}) for r in records]
        )

    # -- rows --
    def _bulk_org(self, record: dict[str, Any], rows: Rows) -> str:
        """The id of the service's organisation: found, updated, or a new row."""
        data = record.get("organization") or {}
        source_id = self._org_source_id(record)
        if source_id in self.org_ids:
            return self.org_ids[source_id]
        if source_id in self.orgs:
            org = self.orgs[source_id]
            if data.get("name"):
                for key in ORG_FIELDS:
                    value = (
                        (text(data, key) or "") if key == "description" else text(data, key, 500)
                    )
                    if key != "name" or value:
                        setattr(org, key, value)
            return org.id
        row = {
            "id": record_id(data),
            "name": text(data, "name", 255, required=True, what="The organization"),
            "source": self.source,
            "source_id": source_id,
        }
        for key in ORG_FIELDS[1:]:
            row[key] = (text(data, key) or "") if key == "description" else text(data, key, 500)
        if row["id"] in self.taken_orgs:
            row["id"] = new_id()
        self.taken_orgs.add(row["id"])
        rows["organization"].append(row)
        self.org_ids[source_id] = row["id"]
        return row["id"]

    def _add_rows(
        self, rows: Rows, item: SourceRecord, b: Built, org_id: str, terms: set[str]
    ) -> None:
        now = utcnow()
        sid = b.service["id"]
        b.service.update(
            organization_id=org_id,
            source=self.source,
            source_id=item.source_id,
            last_modified=b.service["last_modified"] or now,
        )
        rows["service"].append(b.service)
        for link, loc in b.links:
            location_id = self.location_ids.get(loc.source_id)
            if location_id is None:
                location_id = loc.row["id"]
                if location_id in self.taken_locations:
                    location_id = loc.row["id"] = new_id()
                self.taken_locations.add(location_id)
                rows["location"].append(
                    loc.row
                    | {
                        "organization_id": org_id if loc.row["organization_id"] else None,
                        "source": self.source,
                        "source_id": loc.source_id,
                    }
                )
                rows["address"] += [a | {"location_id": location_id} for a in loc.addresses]
                rows["accessibility"] += [
                    a | {"location_id": location_id} for a in loc.accessibility
                ]
                self.location_ids[loc.source_id] = location_id
            rows["service_at_locations"].append(
                link | {"service_id": sid, "location_id": location_id}
            )
        for name in CHILD_TABLES:
            rows[name] += [row | {"service_id": sid} for row in b.children[name]]
        rows["modes"] += [{"service_id": sid, "mode": mode} for mode in b.modes]
        rows["terms"] += [{"service_id": sid, "taxonomy_term_id": t} for t in sorted(terms)]
        rows["outbox"].append({"service_id": sid, "op": OP_UPSERT, "created_at": now})

    def reset(self) -> None:
        super().reset()
        self.taken_locations: set[str] = set()
        self.taken_orgs: set[str] = set()
