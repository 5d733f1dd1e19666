"""Saving ORUK / HSDS 3.0 full-service records through the ORM (used by every importer), and
reading JSON files.

`RecordSaver.save` is the per-record path: it compares a record with the service an earlier
import made from it and updates it, or creates one. `importers.batch.BatchSaver` sends new
services past it with bulk INSERTs; `importers.records` turns records into rows.

Identity: a record is matched to what an earlier import made from it by (source, source_id), so a
re-import updates instead of duplicating. A new record keeps its ids when they are free, so an
export imported into an empty database exports identically.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from directory import oruk
from directory.importers.common import (
    CREATED,
    UNCHANGED,
    UPDATED,
    RecordRejected,
    Rejection,
    SourceRecord,
)
from directory.importers.records import (
    LOCATION_FIELDS,
    SERVICE_FIELDS,
    build,
    canonical,
    record_id,
    text,
    to_plain,
    to_service,
)
from directory.models import (
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceDeliveryMode,
    Taxonomy,
    TaxonomyTerm,
)
from signpost.extensions import db
from signpost.types import new_id, utcnow

ORG_FIELDS = ("name", "alternate_name", "description", "email", "website", "legal_status", "uri")


# --- records to models ----------------------------------------------------------------------


class RecordSaver:
    """Turns full-service records from one source into saved services."""

    def __init__(self, source: str) -> None:
        self.source = source[:40]
        self.reset()
        self.fresh_services = db.session.scalar(select(Service.id).limit(1)) is None
        self.fresh_locations = db.session.scalar(select(Location.id).limit(1)) is None

    def reset(self) -> None:
        """Forget cached objects (after a rollback)."""
        self.orgs: dict[str, Organization] = {}
        self.locations: dict[str, Location] = {}
        self.services: dict[str, Service] = {}
        self.terms: dict[tuple[str, str], TaxonomyTerm] = {}
        self.taxonomies: dict[str, Taxonomy] = {}
        self.orphans: dict[str, list[TaxonomyTerm]] = {}
        self.pending_links: list[tuple[Schedule, str]] = []
        self.prepared: set[str] = set()
        # What the bulk path (importers.batch) wrote in this import, by source id.
        self.org_ids: dict[str, str] = {}
        self.location_ids: dict[str, str] = {}
        self.bulk_services: set[str] = set()
        self.known_locations: set[str] = set()
        self.fresh_services = self.fresh_locations = False

    # -- lookups --
    def prepare(self, source_ids: list[str]) -> None:
        """Load the services an earlier import made for this batch, in a few queries."""
        if self.fresh_services:
            return
        wanted = [i for i in source_ids if i not in self.services]
        for service in db.session.scalars(
            select(Service)
            .where(Service.source == self.source, Service.source_id.in_(wanted))
            .options(*oruk.full_service_options())
        ):
            self.services[service.source_id] = service
        self.prepared.update(wanted)

    def _existing_service(self, source_id: str) -> Service | None:
        if source_id in self.services:
            return self.services[source_id]
        if source_id not in self.bulk_services and (
            self.fresh_services or source_id in self.prepared
        ):
            return None
        return db.session.scalar(
            select(Service)
            .where(Service.source == self.source, Service.source_id == source_id)
            .options(*oruk.full_service_options())
        )

    def _free_id(self, model: type, wanted: str, fresh: bool) -> str:
        if fresh or db.session.get(model, wanted) is None:
            return wanted
        return new_id()

    def _organization(self, data: dict[str, Any] | None, org_id: str | None) -> Organization:
        data = data or {}
        source_id = str(data.get("id") or org_id or "")
        if not source_id and not data.get("name"):
            raise RecordRejected("The service has no organization.")
        source_id = source_id or "name:" + str(data["name"])
        org = self.orgs.get(source_id) or db.session.scalar(
            select(Organization).where(
                Organization.source == self.source, Organization.source_id == source_id
            )
        )
        if org is None:
            name = text(data, "name", 255, required=True, what="The organization")
            org = Organization(
                id=self._free_id(Organization, record_id(data), False),
                name=name,
                source=self.source,
                source_id=source_id,
            )
            db.session.add(org)
        if data.get("name"):
            for key in ORG_FIELDS:
                value = (text(data, key) or "") if key == "description" else text(data, key, 500)
                if key != "name" or value:
                    setattr(org, key, value)
        self.orgs[source_id] = org
        return org

    def _term(self, attribute: dict[str, Any]) -> TaxonomyTerm | None:
        data = attribute.get("taxonomy_term") or {}
        term_id = str(data.get("id") or attribute.get("taxonomy_term_id") or "")
        if term_id and ("id", term_id) in self.terms:
            return self.terms[("id", term_id)]
        term = db.session.get(TaxonomyTerm, term_id) if term_id else None
        if term is None and data.get("name"):
            taxonomy = self._taxonomy(data)
            code = str(data.get("code") or data.get("term") or data["name"])[:100]
            key = (taxonomy.id if taxonomy else "", code)
            term = self.terms.get(key) or db.session.scalar(
                select(TaxonomyTerm).where(
                    TaxonomyTerm.taxonomy_id == (taxonomy.id if taxonomy else None),
                    TaxonomyTerm.code == code,
                )
            )
            if term is None:
                term = TaxonomyTerm(
                    id=term_id or new_id(),
                    code=code,
                    name=str(data["name"])[:255],
                    description=str(data.get("description") or ""),
                    term_uri=data.get("term_uri"),
                    taxonomy=taxonomy,
                )
                db.session.add(term)
                self._link_parent(term, data.get("parent_id"))
            self.terms[key] = term
        if term is not None:
            self.terms[("id", term.id)] = term
        return term

    def term_from(self, attribute: dict[str, Any]) -> TaxonomyTerm | None:
        """The term an attribute names, made (with its taxonomy) if new."""
        with db.session.no_autoflush:
            return self._term(attribute)

    def _link_parent(self, term: TaxonomyTerm, parent_id: str | None) -> None:
        """Link to the parent term; a parent not seen yet is linked when it arrives."""
        for child in self.orphans.pop(term.id, []):
            child.parent = term
        if not parent_id:
            return
        parent = self.terms.get(("id", parent_id)) or db.session.get(TaxonomyTerm, parent_id)
        if parent is not None:
            term.parent = parent
        else:
            self.orphans.setdefault(parent_id, []).append(term)

    def _taxonomy(self, data: dict[str, Any]) -> Taxonomy | None:
        name = data.get("taxonomy")
        taxonomy_id = data.get("taxonomy_id")
        if taxonomy_id and taxonomy_id in self.taxonomies:
            return self.taxonomies[taxonomy_id]
        taxonomy = db.session.get(Taxonomy, taxonomy_id) if taxonomy_id else None
        if taxonomy is None and name:
            taxonomy = self.taxonomies.get(name) or db.session.scalar(
                select(Taxonomy).where(Taxonomy.name == name)
            )
            if taxonomy is None:
                taxonomy = Taxonomy(id=taxonomy_id or new_id(), name=str(name)[:255])
                db.session.add(taxonomy)
            self.taxonomies[name] = taxonomy
        if taxonomy is not None and taxonomy_id:
            self.taxonomies[taxonomy_id] = taxonomy
        return taxonomy

    # -- saving --
    def save(self, item: SourceRecord) -> str:
        """Create, update or leave alone the service for one record; returns the outcome."""
        with db.session.no_autoflush:
            return self._save(item)

    def _save(self, item: SourceRecord) -> str:
        record = item.record
        rows = build(record)
        terms = [
            t
            for t in (self._term(a) for a in record.get("attributes") or [] if isinstance(a, dict))
            if t is not None
        ]
        terms = list({t.id: t for t in terms}.values())
        org = self._organization(record.get("organization"), record.get("organization_id"))
        existing = self._existing_service(item.source_id)
        if (
            existing is not None
            and existing.organization_id == org.id
            and (
                canonical(oruk.service_full_record(existing))
                == canonical(oruk.service_full_record(to_plain(rows, terms)))
            )
        ):
            return UNCHANGED
        built = to_service(rows)
        built.taxonomy_terms = terms
        if existing is not None:
            self._update(existing, built, org)
            return UPDATED
        built.id = self._free_id(Service, built.id, self.fresh_services)
        built.source, built.source_id, built.organization = self.source, item.source_id, org
        built.last_modified = built.last_modified or utcnow()
        self._attach_locations(built.service_at_locations, org)  # before add: see the cascade
        db.session.add(built)
        self._link_schedules_after_flush(built.schedules)
        self.services[item.source_id] = built
        return CREATED

    def _attach_locations(self, links: list[ServiceAtLocation], org: Organization) -> None:
        for link in links:
            incoming = link.location
            source_id = incoming.id
            found = self.locations.get(source_id)
            if found is None and source_id in self.location_ids:
                found = db.session.get(Location, self.location_ids[source_id])
            if found is None and not self.fresh_locations:
                found = db.session.scalar(
                    select(Location).where(
                        Location.source == self.source, Location.source_id == source_id
                    )
                )
            if found is None:
                incoming.id = self._free_id(Location, incoming.id, self.fresh_locations)
                incoming.source, incoming.source_id = self.source, source_id
                incoming.organization = org if incoming.organization_id else None
                found = incoming
            else:
                for key in LOCATION_FIELDS:
                    if key != "organization_id":
                        setattr(found, key, getattr(incoming, key))
                # Fresh ids: the old rows (which may carry the same ids) are being deleted.
                addresses, features = list(incoming.addresses), list(incoming.accessibility)
                incoming.addresses, incoming.accessibility = [], []
                for child in [*addresses, *features]:
                    child.id = new_id()
                found.addresses, found.accessibility = addresses, features
                found.last_modified = utcnow()
            link.location = found
            self.locations[source_id] = found

    CHILDREN = (
        "service_at_locations",
        "schedules",
        "service_areas",
        "cost_options",
        "languages",
        "contacts",
        "phones",
        "fundings",
        "taxonomy_terms",
    )

    def _update(self, existing: Service, built: Service, org: Organization) -> None:
        for key in SERVICE_FIELDS + ("summary", "is_free"):
            setattr(existing, key, getattr(built, key))
        existing.last_modified = built.last_modified or utcnow()
        existing.organization = org
        # Take the children off the transient copy first, so that nothing they point back to
        # (a phone's service, say) drags the copy into the session.
        moved = {name: list(getattr(built, name)) for name in self.CHILDREN}
        for name in self.CHILDREN:
            setattr(built, name, [])
        self._attach_locations(moved["service_at_locations"], org)
        by_location = {sal.location_id: sal for sal in existing.service_at_locations}
        links = []
        for link in moved["service_at_locations"]:
            kept = by_location.get(link.location.id)
            if kept is not None:
                kept.description = link.description
                links.append(kept)
            else:
                links.append(link)
        final_ids = {
            link.id: kept.id
            for link, kept in zip(moved["service_at_locations"], links, strict=True)
        }
        for name in (
            "service_areas",
            "cost_options",
            "languages",
            "contacts",
            "phones",
            "fundings",
        ):
            for child in moved[name]:
                child.id = new_id()
        for sched in moved["schedules"]:
            sched.id = new_id()
            sched.service_at_location_id = final_ids.get(sched.service_at_location_id)
        moved["service_at_locations"] = links
        for name in self.CHILDREN:
            setattr(existing, name, moved[name])
        existing.delivery_modes = [ServiceDeliveryMode(mode=m.mode) for m in built.delivery_modes]
        self._link_schedules_after_flush(moved["schedules"])

    def _link_schedules_after_flush(self, schedules: list[Schedule]) -> None:
        """A schedule may name its service-at-location only once that row is written (there is
        no relationship to order the inserts by): hold the link until the batch is flushed."""
        for schedule in schedules:
            if schedule.service_at_location_id:
                self.pending_links.append((schedule, schedule.service_at_location_id))
                schedule.service_at_location_id = None

    def after_flush(self) -> None:
        """Called by the import run once a batch is flushed: set the held schedule links."""
        links, self.pending_links = self.pending_links, []
        for schedule, link_id in links:
            schedule.service_at_location_id = link_id
        if links:
            db.session.flush()


# --- files ----------------------------------------------------------------------------------


def read_records(path: Path) -> Iterator[SourceRecord | Rejection]:
    """Records from a JSON array of full services, or a saved page ({"contents": [...]})."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordRejected(f"{path} is not a readable JSON file: {error}") from None
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]
    elif isinstance(data, dict) and "id" in data:
        data = [data]
    if not isinstance(data, list):
        raise RecordRejected(f"{path} holds neither a list of services nor a page of them.")
    for n, record in enumerate(data, start=1):
        if not isinstance(record, dict) or not record.get("id"):
            yield Rejection(f"record {n}", "The record has no id.")
            continue
        reference = f"record {n} ({str(record.get('name') or '')[:60]}, id {record['id']})"
        yield SourceRecord(record, str(record["id"])[:200], reference)
