"""Open Referral UK 3.0 shapes: our directory models turned into the standard's JSON.

One set of functions builds every ORUK object, so the API, the exporter and the importer's
"has anything changed?" check all agree. What is ours (summary, moderation, review dates,
delivery modes, referral route) stays out, as the standard has no field for it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import selectinload

from directory.models import (
    Contact,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

API_VERSION = "HSDS-UK-3.0"
PROFILE_URI = "https://openreferraluk.org/"
# Attribute rows are implied by the service <-> term link; their ids are derived, so stable.
ATTRIBUTE_NAMESPACE = uuid.UUID("6b1e7d2a-3f0c-4a57-9d59-0f5a3c0e4b11")
NATIONAL_EXTENT = "GB"

JSON = dict[str, Any]


def format_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds, as the standard's example: 2023-03-15T10:30:45.123Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def format_time(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _number(value: Decimal | int | float | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _clean(record: JSON) -> JSON:
    """Drop keys whose value is None: the schemas type them as strings or numbers, not null."""
    return {k: v for k, v in record.items() if v is not None}


def attribute_id(link_id: str, term_id: str) -> str:
    """The stable id of the attribute linking a record to a taxonomy term."""
    return str(uuid.uuid5(ATTRIBUTE_NAMESPACE, f"{link_id}:{term_id}"))


# --- loading --------------------------------------------------------------------------------


def full_service_options() -> list[Any]:
    """selectinload options that load everything a full service record shows, in a few queries."""
    sal_location = selectinload(Service.service_at_locations).selectinload(
        ServiceAtLocation.location
    )
    return [
        selectinload(Service.organization),
        sal_location.selectinload(Location.addresses),
        sal_location.selectinload(Location.accessibility),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.cost_options),
        selectinload(Service.languages),
        selectinload(Service.contacts).selectinload(Contact.phones),
        selectinload(Service.phones),
        selectinload(Service.fundings),
        selectinload(Service.taxonomy_terms).selectinload(TaxonomyTerm.taxonomy),
    ]


def summary_service_options() -> list[Any]:
    return [selectinload(Service.organization)]


# --- taxonomy -------------------------------------------------------------------------------


def taxonomy_term_record(term: TaxonomyTerm) -> JSON:
    return _clean(
        {
            "id": term.id,
            "code": term.code,
            "name": term.name,
            "description": term.description or "",
            "parent_id": term.parent_id,
            "taxonomy": term.taxonomy.name if term.taxonomy else None,
            "taxonomy_id": term.taxonomy_id,
            "term_uri": term.term_uri,
            "term": term.name,
        }
    )


def taxonomy_record(taxonomy: Taxonomy, *, with_terms: bool = False) -> JSON:
    record = _clean(
        {
            "id": taxonomy.id,
            "name": taxonomy.name,
            "description": taxonomy.description or "",
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }
    )
    if with_terms:
        record["taxonomy_terms"] = [
            taxonomy_term_record(t) for t in sorted(taxonomy.terms, key=lambda t: (t.name, t.id))
        ]
    return record


def attribute_records(link_id: str, link_type: str, terms: list[TaxonomyTerm]) -> list[JSON]:
    return [
        {
            "id": attribute_id(link_id, term.id),
            "link_id": link_id,
            "link_type": link_type,
            "link_entity": link_type,
            "taxonomy_term_id": term.id,
            "taxonomy_term": taxonomy_term_record(term),
        }
        for term in sorted(terms, key=lambda t: t.id)
    ]


# --- organisation ---------------------------------------------------------------------------


def organization_record(org: Organization) -> JSON:
    return _clean(
        {
            "id": org.id,
            "name": org.name,
            "alternate_name": org.alternate_name,
            "description": org.description or "",
            "email": org.email,
            "website": org.website,
            "legal_status": org.legal_status,
            "uri": org.uri,
        }
    )


def organization_full_record(org: Organization, services: list[Service]) -> JSON:
    record = organization_record(org)
    record["organization_identifiers"] = []
    if org.registration_number:
        record["organization_identifiers"].append(
            {
                "id": str(uuid.uuid5(ATTRIBUTE_NAMESPACE, f"{org.id}:registration")),
                "organization_id": org.id,
                "identifier_type": "registration_number",
                "identifier": org.registration_number,
            }
        )
    record["services"] = [service_summary_record(s, with_organization=False) for s in services]
    return record


# --- location -------------------------------------------------------------------------------


def location_record(location: Location) -> JSON:
    record = _clean(
        {
            "id": location.id,
            "organization_id": location.organization_id,
            "location_type": location.location_type or "physical",
            "name": location.name,
            "alternate_name": location.alternate_name,
            "description": location.description,
            "transportation": location.transportation,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "external_identifier": location.external_identifier,
            "external_identifier_type": location.external_identifier_type,
        }
    )
    record["addresses"] = [
        _clean(
            {
                "id": a.id,
                "location_id": location.id,
                "attention": a.attention,
                "address_1": a.address_1 or "",
                "address_2": a.address_2,
                "city": a.city or "",
                "region": a.region,
                "state_province": a.state_province or "",
                "postal_code": a.postal_code or "",
                "country": a.country or "GB",
                "address_type": a.address_type or "physical",
            }
        )
        for a in sorted(location.addresses, key=lambda a: a.id)
    ]
    record["accessibility"] = [
        _clean(
            {
                "id": a.id,
                "location_id": location.id,
                "description": a.description,
                "details": a.details,
                "url": a.url,
                "accessibility": a.feature.value if a.feature else None,
            }
        )
        for a in sorted(location.accessibility, key=lambda a: a.id)
    ]
    return record


# --- service --------------------------------------------------------------------------------


def service_summary_record(service: Service, *, with_organization: bool = True) -> JSON:
    """The one-to-one fields of a service (an item of a /services page)."""
    record = _clean(
        {
            "id": service.id,
            "organization_id": service.organization_id,
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description or "",
            "url": service.url,
            "email": service.email,
            "status": service.status.value,
            "interpretation_services": service.interpretation_services,
            "application_process": service.application_process,
            "fees_description": service.fees_description,
            "accreditations": service.accreditations,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": format_date(service.assured_date),
            "assurer_email": service.assurer_email,
            "alert": service.alert,
            "last_modified": format_datetime(service.last_modified),
        }
    )
    if with_organization and service.organization is not None:
        record["organization"] = organization_record(service.organization)
    return record


def schedule_record(schedule: Schedule) -> JSON:
    return _clean(
        {
            "id": schedule.id,
            "service_id": schedule.service_id,
            "service_at_location_id": schedule.service_at_location_id,
            "valid_from": format_date(schedule.valid_from),
            "valid_to": format_date(schedule.valid_to),
            "freq": "WEEKLY",
            "interval": 1,
            "byday": schedule.byday,
            "opens_at": format_time(schedule.opens_at),
            "closes_at": format_time(schedule.closes_at),
            "notes": schedule.notes,
        }
    )


def service_area_record(area: ServiceArea) -> JSON:
    extent = area.code if area.area_type != "national" else NATIONAL_EXTENT
    return _clean(
        {
            "id": area.id,
            "service_id": area.service_id,
            "name": area.name or extent,
            "description": area.description,
            "extent": extent,
            "extent_type": "text",
            "uri": area.uri,
        }
    )


def _phone(phone: Any) -> JSON:
    return _clean(
        {
            "id": phone.id,
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
        }
    )


def service_full_record(service: Service) -> JSON:
    """A fully nested service, as GET /services/{id} returns it and the exporter writes it."""
    record = service_summary_record(service)
    sid = service.id
    record["service_at_locations"] = [
        _clean(
            {
                "id": sal.id,
                "service_id": sid,
                "location_id": sal.location_id,
                "description": sal.description,
                "location": location_record(sal.location),
            }
        )
        for sal in sorted(service.service_at_locations, key=lambda s: s.id)
    ]
    record["schedules"] = [schedule_record(s) for s in service.schedules]
    record["service_areas"] = [
        service_area_record(a) for a in sorted(service.service_areas, key=lambda a: a.id)
    ]
    record["cost_options"] = [
        _clean(
            {
                "id": c.id,
                "service_id": sid,
                "valid_from": format_date(c.valid_from),
                "valid_to": format_date(c.valid_to),
                "option": c.option,
                "currency": c.currency,
                "amount": _number(c.amount),
                "amount_description": c.amount_description,
            }
        )
        for c in sorted(service.cost_options, key=lambda c: c.id)
    ]
    record["languages"] = [
        _clean(
            {
                "id": lang.id,
                "service_id": sid,
                "name": lang.name,
                "code": lang.code,
                "note": lang.note,
            }
        )
        for lang in sorted(service.languages, key=lambda x: x.id)
    ]
    record["contacts"] = [
        _clean(
            {
                "id": c.id,
                "service_id": sid,
                "name": c.name,
                "title": c.title,
                "department": c.department,
                "email": c.email,
            }
        )
        | {"phones": [_phone(p) for p in sorted(c.phones, key=lambda p: p.id)]}
        for c in sorted(service.contacts, key=lambda c: c.id)
    ]
    contact_phones = {id(p) for c in service.contacts for p in c.phones}
    record["phones"] = [
        _phone(p) | {"service_id": sid}
        for p in sorted(service.phones, key=lambda p: p.id)
        if p.contact_id is None and id(p) not in contact_phones
    ]
    record["funding"] = [
        {"id": f.id, "service_id": sid, "source": f.source}
        for f in sorted(service.fundings, key=lambda f: f.id)
    ]
    record["attributes"] = attribute_records(sid, "service", list(service.taxonomy_terms))
    return record


def _service_at_location(sal: ServiceAtLocation, service: JSON) -> JSON:
    link = {
        "id": sal.id,
        "service_id": sal.service_id,
        "location_id": sal.location_id,
        "description": sal.description,
    }
    return _clean(link) | {"location": location_record(sal.location), "service": service}


def service_at_location_summary(sal: ServiceAtLocation) -> JSON:
    """An item of a /service_at_locations page: the link, its location and the service's fields."""
    return _service_at_location(sal, service_summary_record(sal.service))


def service_at_location_full(sal: ServiceAtLocation) -> JSON:
    """GET /service_at_locations/{id}: the link with its location and the full service."""
    return _service_at_location(sal, service_full_record(sal.service))
