"""ORUK / HSDS 3.0 full-service records into our models (used by every importer), and JSON files.

Identity: a record is matched to what an earlier import made from it by (source, source_id), so a
re-import updates instead of duplicating. A new record keeps its ids when they are free, so an
export imported into an empty database exports identically.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
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
from directory.models import (
    Accessibility,
    AccessibilityFeature,
    Address,
    Contact,
    CostOption,
    DeliveryMode,
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
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from search_index.geo import normalise_outcode
from signpost.extensions import db
from signpost.types import new_id, utcnow

DAY_CODES = {code: i for i, code in enumerate(Schedule.BYDAY)}
SERVICE_FIELDS = ("name", "alternate_name", "description", "url", "email", "status",
                  "interpretation_services", "application_process", "fees_description",
                  "accreditations", "eligibility_description", "minimum_age", "maximum_age",
                  "alert", "assured_date", "assurer_email", "last_modified")
LOCATION_FIELDS = ("location_type", "name", "alternate_name", "description", "transportation",
                   "latitude", "longitude", "external_identifier", "external_identifier_type",
                   "organization_id")
ORG_FIELDS = ("name", "alternate_name", "description", "email", "website", "legal_status", "uri")
VOLATILE_KEYS = {"id", "service_id", "location_id", "link_id", "service_at_location_id",
                 "organization_id", "last_modified", "organization"}


# --- reading values -------------------------------------------------------------------------

def _text(data: dict[str, Any], key: str, limit: int | None = None, *,
          required: bool = False, what: str = "") -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordRejected(f"{what or 'The record'} has no {key}.")
        return None
    value = str(value).strip()
    if limit and len(value) > limit:
        raise RecordRejected(f"{what or 'The record'}'s {key} is longer than {limit} characters.")
    return value


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise RecordRejected(f"{key} '{value}' is not a number.") from None


def _float(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RecordRejected(f"{key} '{value}' is not a number.") from None


def _date(data: dict[str, Any], key: str) -> date | None:
    value = data.get(key)
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordRejected(f"{key} '{value}' is not a date like 2024-05-01.") from None


def _datetime(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RecordRejected(f"{key} '{value}' is not a date and time.") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_clock(value: Any) -> time | None:
    """'09:00', '09:00:00', '09:00Z' or '09:00+01:00' -> time(9, 0); None if blank."""
    if value in (None, ""):
        return None
    text = str(value).strip().upper().removesuffix("Z")
    if len(text) > 5 and text[-6] in "+-" and text[-3] == ":":
        text = text[:-6]
    try:
        parts = [int(p) for p in text.split(":")]
        return time(*parts[:3]) if len(parts) >= 2 else None
    except (TypeError, ValueError):
        raise RecordRejected(f"'{value}' is not a time like 09:30.") from None


def _id(data: dict[str, Any]) -> str:
    value = data.get("id")
    return str(value) if value and len(str(value)) <= 36 else new_id()


def canonical(value: Any) -> Any:
    """The record without ids and timestamps, lists sorted: equal means nothing changed."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


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
        self.fresh_services = self.fresh_locations = False

    # -- lookups --
    def prepare(self, source_ids: list[str]) -> None:
        """Load the services an earlier import made for this batch, in a few queries."""
        if self.fresh_services:
            return
        wanted = [i for i in source_ids if i not in self.services]
        for service in db.session.scalars(select(Service).where(
                Service.source == self.source, Service.source_id.in_(wanted))
                .options(*oruk.full_service_options())):
            self.services[service.source_id] = service
        self.prepared.update(wanted)

    def _existing_service(self, source_id: str) -> Service | None:
        if source_id in self.services:
            return self.services[source_id]
        if self.fresh_services or source_id in self.prepared:
            return None
        return db.session.scalar(select(Service).where(
            Service.source == self.source, Service.source_id == source_id)
            .options(*oruk.full_service_options()))

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
        org = self.orgs.get(source_id) or db.session.scalar(select(Organization).where(
            Organization.source == self.source, Organization.source_id == source_id))
        if org is None:
            name = _text(data, "name", 255, required=True, what="The organization")
            org = Organization(id=self._free_id(Organization, _id(data), False), name=name,
                               source=self.source, source_id=source_id)
            db.session.add(org)
        if data.get("name"):
            for key in ORG_FIELDS:
                value = (_text(data, key) or "") if key == "description" else _text(data, key, 500)
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
            term = self.terms.get(key) or db.session.scalar(select(TaxonomyTerm).where(
                TaxonomyTerm.taxonomy_id == (taxonomy.id if taxonomy else None),
                TaxonomyTerm.code == code))
            if term is None:
                term = TaxonomyTerm(id=term_id or new_id(), code=code,
                                    name=str(data["name"])[:255],
                                    description=str(data.get("description") or ""),
                                    term_uri=data.get("term_uri"), taxonomy=taxonomy)
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
                select(Taxonomy).where(Taxonomy.name == name))
            if taxonomy is None:
                taxonomy = Taxonomy(id=taxonomy_id or new_id(), name=str(name)[:255])
                db.session.add(taxonomy)
            self.taxonomies[name] = taxonomy
        if taxonomy is not None and taxonomy_id:
            self.taxonomies[taxonomy_id] = taxonomy
        return taxonomy

    # -- building (nothing touches the session here) --
    def _build_location(self, data: dict[str, Any]) -> Location:
        loc = Location(id=_id(data))
        for key in LOCATION_FIELDS:
            value = _float(data, key) if key in ("latitude", "longitude") else _text(data, key, 500)
            setattr(loc, key, value)
        loc.location_type = loc.location_type or "physical"
        for a in data.get("addresses") or []:
            postcode = _text(a, "postal_code", 10, what="The address") or ""
            loc.addresses.append(Address(
                id=_id(a), attention=_text(a, "attention", 255),
                address_1=_text(a, "address_1", 255) or "", address_2=_text(a, "address_2", 255),
                city=_text(a, "city", 100) or "", region=_text(a, "region", 100),
                state_province=_text(a, "state_province", 100) or "", postal_code=postcode,
                country=(_text(a, "country") or "GB")[:2].upper(),
                address_type=_text(a, "address_type", 20) or "physical"))
        for a in data.get("accessibility") or []:
            code = a.get("accessibility")
            feature = AccessibilityFeature(code) if code in AccessibilityFeature._value2member_map_ else None
            loc.accessibility.append(Accessibility(
                id=_id(a), feature=feature, description=_text(a, "description"),
                details=_text(a, "details"), url=_text(a, "url", 500)))
        return loc

    def build(self, record: dict[str, Any]) -> Service:
        """A transient Service from the record (raises RecordRejected if it cannot be used)."""
        if not isinstance(record, dict):
            raise RecordRejected("The record is not a JSON object.")
        service = Service(id=_id(record))
        for key in SERVICE_FIELDS:
            if key in ("minimum_age", "maximum_age"):
                value: Any = _int(record, key)
            elif key == "assured_date":
                value = _date(record, key)
            elif key == "last_modified":
                value = _datetime(record, key)
            elif key == "status":
                raw = (record.get("status") or "active").strip().lower()
                if raw not in ServiceStatus._value2member_map_:
                    raise RecordRejected(f"status '{raw}' is not one of active, inactive, "
                                         "defunct or temporarily closed.")
                value = ServiceStatus(raw)
            elif key == "description":
                value = _text(record, key) or ""
            else:
                value = _text(record, key, 255 if key in ("name", "alternate_name", "email",
                                                          "assurer_email") else 500
                              if key == "url" else None, required=key == "name", what="The service")
            setattr(service, key, value)
        sal_ids: dict[str, str] = {}
        for sal in record.get("service_at_locations") or []:
            if not isinstance(sal.get("location"), dict):
                continue
            link = ServiceAtLocation(id=_id(sal), description=_text(sal, "description"),
                                     location=self._build_location(sal["location"]))
            sal_ids[str(sal.get("id"))] = link.id
            service.service_at_locations.append(link)
        for s in record.get("schedules") or []:
            opens, closes = parse_clock(s.get("opens_at")), parse_clock(s.get("closes_at"))
            days = [d.strip().upper()[-2:] for d in str(s.get("byday") or "").split(",") if d.strip()]
            if opens is None or closes is None or not days:
                continue  # a description-only schedule has no weekly span we can hold
            note = _text(s, "notes") or _text(s, "description")
            if (s.get("freq") or "WEEKLY").upper() == "MONTHLY":
                note = f"Monthly ({s.get('byday')}). " + (note or "")
            for n, day in enumerate(d for d in days if d in DAY_CODES):
                service.schedules.append(Schedule(
                    id=_id(s) if n == 0 else new_id(), weekday=DAY_CODES[day], opens_at=opens,
                    closes_at=closes, valid_from=_date(s, "valid_from"),
                    valid_to=_date(s, "valid_to"), notes=note,
                    service_at_location_id=sal_ids.get(str(s.get("service_at_location_id")))))
        for a in record.get("service_areas") or []:
            extent = (_text(a, "extent", 20) or _text(a, "service_area", 20) or "").upper()
            outcode = normalise_outcode(extent)
            area_type, code = (("outcode", outcode) if outcode else
                               ("local_authority", extent) if len(extent) == 9 and extent[1:].isdigit()
                               else ("national", ""))
            service.service_areas.append(ServiceArea(
                id=_id(a), name=_text(a, "name", 255) or "", description=_text(a, "description"),
                area_type=area_type, code=code, uri=_text(a, "uri", 500)))
        for c in record.get("cost_options") or []:
            try:
                amount = Decimal(str(c["amount"])) if c.get("amount") not in (None, "") else None
            except InvalidOperation:
                raise RecordRejected(f"cost amount '{c.get('amount')}' is not a number.") from None
            service.cost_options.append(CostOption(
                id=_id(c), option=_text(c, "option", 255), amount=amount,
                currency=(_text(c, "currency") or "GBP")[:3].upper(),
                amount_description=_text(c, "amount_description"),
                valid_from=_date(c, "valid_from"), valid_to=_date(c, "valid_to")))
        for lang in record.get("languages") or []:
            if lang.get("name") or lang.get("code"):
                service.languages.append(Language(
                    id=_id(lang), name=_text(lang, "name", 100) or str(lang.get("code")),
                    code=_text(lang, "code", 10), note=_text(lang, "note")))
        for c in record.get("contacts") or []:
            contact = Contact(id=_id(c), name=_text(c, "name", 255), title=_text(c, "title", 255),
                              department=_text(c, "department", 255), email=_text(c, "email", 255))
            for p in c.get("phones") or []:
                if p.get("number"):
                    phone = self._phone(p)
                    contact.phones.append(phone)
                    service.phones.append(phone)
            service.contacts.append(contact)
        for p in record.get("phones") or []:
            if p.get("number"):
                service.phones.append(self._phone(p))
        for f in record.get("funding") or []:
            if f.get("source"):
                service.fundings.append(Funding(id=_id(f), source=str(f["source"])))
        self._set_ours(service)
        return service

    def _phone(self, p: dict[str, Any]) -> Phone:
        return Phone(id=_id(p), number=_text(p, "number", 50) or "", extension=_text(p, "extension", 20),
                     type=_text(p, "type", 20), description=_text(p, "description"))

    @staticmethod
    def _set_ours(service: Service) -> None:
        """Our own fields, derived: one-line summary, free or not, how it is delivered."""
        first = (service.description or "").split(". ")[0].strip()
        service.summary = (first if len(first) <= 300 else first[:297] + "...")
        service.is_free = not any(c.amount and c.amount > 0 for c in service.cost_options)
        modes = set()
        if service.service_at_locations:
            modes.add(DeliveryMode.IN_PERSON)
        if service.phones and not modes:
            modes.add(DeliveryMode.PHONE)
        if service.url and not modes:
            modes.add(DeliveryMode.ONLINE)
        service.delivery_modes = [ServiceDeliveryMode(mode=m) for m in sorted(modes)]

    # -- saving --
    def save(self, item: SourceRecord) -> str:
        """Create, update or leave alone the service for one record; returns the outcome."""
        with db.session.no_autoflush:
            return self._save(item)

    def _save(self, item: SourceRecord) -> str:
        record = item.record
        built = self.build(record)
        terms = [t for t in (self._term(a) for a in record.get("attributes") or []
                             if isinstance(a, dict)) if t is not None]
        built.taxonomy_terms = list({t.id: t for t in terms}.values())
        org = self._organization(record.get("organization"), record.get("organization_id"))
        existing = self._existing_service(item.source_id)
        if existing is not None:
            if (existing.organization_id == org.id and canonical(oruk.service_full_record(existing))
                    == canonical(oruk.service_full_record(built))):
                return UNCHANGED
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
            if found is None and not self.fresh_locations:
                found = db.session.scalar(select(Location).where(
                    Location.source == self.source, Location.source_id == source_id))
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

    CHILDREN = ("service_at_locations", "schedules", "service_areas", "cost_options",
                "languages", "contacts", "phones", "fundings", "taxonomy_terms")

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
        final_ids = {link.id: kept.id for link, kept in zip(moved["service_at_locations"], links,
                                                             strict=True)}
        for name in ("service_areas", "cost_options", "languages", "contacts", "phones",
                     "fundings"):
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
