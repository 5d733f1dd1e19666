"""ORUK / HSDS 3.0 full-service records turned into plain table rows (nothing touches the session).

`build(record)` checks a record and returns a `Built`: one dict per row it will become, keyed by
column name, so a batch of new services can be written with a few bulk INSERTs. `to_service`
turns a `Built` into transient models, for the slower path that compares with or updates an
existing service (and for the "has anything changed?" check, which compares ORUK records).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from directory.importers.common import RecordRejected
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
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceDeliveryMode,
    ServiceStatus,
)
from search_index.geo import normalise_outcode
from signpost.types import new_id

Row = dict[str, Any]
DAY_CODES = {code: i for i, code in enumerate(Schedule.BYDAY)}
SERVICE_FIELDS = (
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
    "alert",
    "assured_date",
    "assurer_email",
    "last_modified",
)
LOCATION_FIELDS = (
    "location_type",
    "name",
    "alternate_name",
    "description",
    "transportation",
    "latitude",
    "longitude",
    "external_identifier",
    "external_identifier_type",
    "organization_id",
)
VOLATILE_KEYS = {
    "id",
    "service_id",
    "location_id",
    "link_id",
    "service_at_location_id",
    "organization_id",
    "last_modified",
    "organization",
}
SHORT_TEXT = {"name": 255, "alternate_name": 255, "email": 255, "assurer_email": 255, "url": 500}


# --- reading values -------------------------------------------------------------------------


def text(
    data: dict[str, Any],
    key: str,
    limit: int | None = None,
    *,
    required: bool = False,
    what: str = "",
) -> str | None:
    """The stripped text at `key`, None if blank; rejects a missing required or too long value."""
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
    clock = str(value).strip().upper().removesuffix("Z")
    if len(clock) > 5 and clock[-6] in "+-" and clock[-3] == ":":
        clock = clock[:-6]
    try:
        parts = [int(p) for p in clock.split(":")]
        return time(*parts[:3]) if len(parts) >= 2 else None
    except (TypeError, ValueError):
        raise RecordRejected(f"'{value}' is not a time like 09:30.") from None


def record_id(data: dict[str, Any]) -> str:
    """The record's own id when it fits our id column, else a fresh one."""
    value = data.get("id")
    return str(value) if value and len(str(value)) <= 36 else new_id()


def canonical(value: Any) -> Any:
    """The record without ids and timestamps, lists sorted: equal means nothing changed."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


# --- records to rows ------------------------------------------------------------------------


@dataclass
class BuiltLocation:
    """A location's row and its children; `source_id` is its id in the feed."""

    source_id: str
    row: Row
    addresses: list[Row]
    accessibility: list[Row]


@dataclass
class Built:
    """Every row one record becomes (service ids and links not yet filled in by the saver)."""

    service: Row
    modes: list[DeliveryMode]
    links: list[tuple[Row, BuiltLocation]] = field(default_factory=list)
    children: dict[str, list[Row]] = field(default_factory=dict)


CHILD_TABLES = (
    "schedules",
    "service_areas",
    "cost_options",
    "languages",
    "contacts",
    "phones",
    "fundings",
)


def _location(data: dict[str, Any]) -> BuiltLocation:
    row: Row = {"id": record_id(data)}
    for key in LOCATION_FIELDS:
        row[key] = _float(data, key) if key in ("latitude", "longitude") else text(data, key, 500)
    row["location_type"] = row["location_type"] or "physical"
    addresses = [
        {
            "id": record_id(a),
            "attention": text(a, "attention", 255),
            "address_1": text(a, "address_1", 255) or "",
            "address_2": text(a, "address_2", 255),
            "city": text(a, "city", 100) or "",
            "region": text(a, "region", 100),
            "state_province": text(a, "state_province", 100) or "",
            "postal_code": text(a, "postal_code", 10, what="The address") or "",
            "country": (text(a, "country") or "GB")[:2].upper(),
            "address_type": text(a, "address_type", 20) or "physical",
        }
        for a in data.get("addresses") or []
    ]
    accessibility = []
    for a in data.get("accessibility") or []:
        code = a.get("accessibility")
        accessibility.append(
            {
                "id": record_id(a),
                "description": text(a, "description"),
                "feature": AccessibilityFeature(code)
                if code in AccessibilityFeature._value2member_map_
                else None,
                "details": text(a, "details"),
                "url": text(a, "url", 500),
            }
        )
    return BuiltLocation(row["id"], row, addresses, accessibility)


def _service_row(record: dict[str, Any]) -> Row:
    row: Row = {"id": record_id(record)}
    for key in SERVICE_FIELDS:
        if key in ("minimum_age", "maximum_age"):
            row[key] = _int(record, key)
        elif key == "assured_date":
            row[key] = _date(record, key)
        elif key == "last_modified":
            row[key] = _datetime(record, key)
        elif key == "status":
            raw = (record.get("status") or "active").strip().lower()
            if raw not in ServiceStatus._value2member_map_:
                raise RecordRejected(
                    f"status '{raw}' is not one of active, inactive, defunct or temporarily closed."
                )
            row[key] = ServiceStatus(raw)
        elif key == "description":
            row[key] = text(record, key) or ""
        else:
            row[key] = text(
                record, key, SHORT_TEXT.get(key), required=key == "name", what="The service"
            )
    return row


def _schedules(record: dict[str, Any], sal_ids: dict[str, str]) -> list[Row]:
    rows = []
    for s in record.get("schedules") or []:
        opens, closes = parse_clock(s.get("opens_at")), parse_clock(s.get("closes_at"))
        days = [d.strip().upper()[-2:] for d in str(s.get("byday") or "").split(",") if d.strip()]
        if opens is None or closes is None or not days:
            continue  # a description-only schedule has no weekly span we can hold
        note = text(s, "notes") or text(s, "description")
        if (s.get("freq") or "WEEKLY").upper() == "MONTHLY":
            note = f"Monthly ({s.get('byday')}). " + (note or "")
        valid_from, valid_to = _date(s, "valid_from"), _date(s, "valid_to")
        for n, day in enumerate(d for d in days if d in DAY_CODES):
            rows.append(
                {
                    "id": record_id(s) if n == 0 else new_id(),
                    "weekday": DAY_CODES[day],
                    "opens_at": opens,
                    "closes_at": closes,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "notes": note,
                    "service_at_location_id": sal_ids.get(str(s.get("service_at_location_id"))),
                }
            )
    return rows


def _areas(record: dict[str, Any]) -> list[Row]:
    rows = []
    for a in record.get("service_areas") or []:
        extent = (text(a, "extent", 20) or text(a, "service_area", 20) or "").upper()
        outcode = normalise_outcode(extent)
        area_type, code = (
            ("outcode", outcode)
            if outcode
            else ("local_authority", extent)
            if len(extent) == 9 and extent[1:].isdigit()
            else ("national", "")
        )
        rows.append(
            {
                "id": record_id(a),
                "name": text(a, "name", 255) or "",
                "description": text(a, "description"),
                "area_type": area_type,
                "code": code,
                "uri": text(a, "uri", 500),
            }
        )
    return rows


def _costs(record: dict[str, Any]) -> list[Row]:
    rows = []
    for c in record.get("cost_options") or []:
        try:
            amount = Decimal(str(c["amount"])) if c.get("amount") not in (None, "") else None
        except InvalidOperation:
            raise RecordRejected(f"cost amount '{c.get('amount')}' is not a number.") from None
        rows.append(
            {
                "id": record_id(c),
                "option": text(c, "option", 255),
                "amount": amount,
                "currency": (text(c, "currency") or "GBP")[:3].upper(),
                "amount_description": text(c, "amount_description"),
                "valid_from": _date(c, "valid_from"),
                "valid_to": _date(c, "valid_to"),
            }
        )
    return rows


def _phone(p: dict[str, Any], contact_id: str | None) -> Row:
    return {
        "id": record_id(p),
        "contact_id": contact_id,
        "number": text(p, "number", 50) or "",
        "extension": text(p, "extension", 20),
        "type": text(p, "type", 20),
        "description": text(p, "description"),
    }


def build(record: Any) -> Built:
    """The rows for one record (raises RecordRejected, saying why, if it cannot be used)."""
    if not isinstance(record, dict):
        raise RecordRejected("The record is not a JSON object.")
    service = _service_row(record)
    built = Built(service, [])
    sal_ids: dict[str, str] = {}
    for sal in record.get("service_at_locations") or []:
        if not isinstance(sal.get("location"), dict):
            continue
        link = {"id": record_id(sal), "description": text(sal, "description")}
        built.links.append((link, _location(sal["location"])))
        sal_ids[str(sal.get("id"))] = link["id"]
    contacts, phones = [], []
    for c in record.get("contacts") or []:
        contact = {
            "id": record_id(c),
            "name": text(c, "name", 255),
            "title": text(c, "title", 255),
            "department": text(c, "department", 255),
            "email": text(c, "email", 255),
        }
        contacts.append(contact)
        phones += [_phone(p, contact["id"]) for p in c.get("phones") or [] if p.get("number")]
    phones += [_phone(p, None) for p in record.get("phones") or [] if p.get("number")]
    costs = _costs(record)
    built.children = {
        "schedules": _schedules(record, sal_ids),
        "service_areas": _areas(record),
        "cost_options": costs,
        "languages": [
            {
                "id": record_id(lang),
                "name": text(lang, "name", 100) or str(lang.get("code")),
                "code": text(lang, "code", 10),
                "note": text(lang, "note"),
            }
            for lang in record.get("languages") or []
            if lang.get("name") or lang.get("code")
        ],
        "contacts": contacts,
        "phones": phones,
        "fundings": [
            {"id": record_id(f), "source": str(f["source"])}
            for f in record.get("funding") or []
            if f.get("source")
        ],
    }
    # Our own fields, derived: one-line summary, free or not, how it is delivered.
    first = (service["description"] or "").split(". ")[0].strip()
    service["summary"] = first if len(first) <= 300 else first[:297] + "..."
    service["is_free"] = not any(c["amount"] and c["amount"] > 0 for c in costs)
    mode = (
        DeliveryMode.IN_PERSON
        if built.links
        else DeliveryMode.PHONE
        if phones
        else DeliveryMode.ONLINE
        if service["url"]
        else None
    )
    built.modes = [mode] if mode else []
    return built


# --- rows to transient models ---------------------------------------------------------------

CHILD_MODELS: dict[str, type] = {
    "schedules": Schedule,
    "service_areas": ServiceArea,
    "cost_options": CostOption,
    "languages": Language,
    "contacts": Contact,
    "fundings": Funding,
}


def to_location(loc: BuiltLocation) -> Location:
    location = Location(**loc.row)
    location.addresses = [Address(**a) for a in loc.addresses]
    location.accessibility = [Accessibility(**a) for a in loc.accessibility]
    return location


def to_service(built: Built) -> Service:
    """Transient models holding the same values as the rows (nothing is added to the session)."""
    service = Service(**built.service)
    service.service_at_locations = [
        ServiceAtLocation(**link, location=to_location(loc)) for link, loc in built.links
    ]
    for name, model in CHILD_MODELS.items():
        setattr(service, name, [model(**row) for row in built.children[name]])
    contacts = {c.id: c for c in service.contacts}
    for row in built.children["phones"]:
        phone = Phone(**{k: v for k, v in row.items() if k != "contact_id"})
        if row["contact_id"]:
            contacts[row["contact_id"]].phones.append(phone)
        service.phones.append(phone)
    service.delivery_modes = [ServiceDeliveryMode(mode=m) for m in built.modes]
    return service


def to_plain(built: Built, terms: list[Any]) -> Any:
    """Plain objects shaped like `to_service`'s, enough for `oruk.service_full_record`.

    Much cheaper than models: the "has anything changed?" check on a re-import uses these.
    """
    ns = SimpleNamespace

    def location(loc: BuiltLocation) -> Any:
        return ns(
            **loc.row,
            addresses=[ns(**a) for a in loc.addresses],
            accessibility=[ns(**a) for a in loc.accessibility],
        )

    kids = {
        name: [ns(**row, service_id=None) for row in built.children[name]] for name in CHILD_MODELS
    }
    for schedule in kids["schedules"]:
        schedule.byday = Schedule.BYDAY[schedule.weekday]
    contacts = {c.id: c for c in kids["contacts"]}
    for contact in kids["contacts"]:
        contact.phones = []
    phones = [ns(**row) for row in built.children["phones"]]
    for phone in phones:
        if phone.contact_id:
            contacts[phone.contact_id].phones.append(phone)
    return ns(
        **built.service,
        organization_id=None,
        organization=None,
        phones=phones,
        service_at_locations=[
            ns(**link, location_id=loc.row["id"], location=location(loc))
            for link, loc in built.links
        ],
        taxonomy_terms=terms,
        **kids,
    )
