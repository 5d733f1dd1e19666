"""Full ORUK service records read with plain SQL, for GET /api/services/{id}.

A full record touches a dozen tables. Loading them through the ORM's eager loaders cost about a
millisecond per table in loader machinery alone; here each table is one plain query, and the rows
become light objects shaped like the models (as the importer's ``to_plain`` does), so the one
builder, ``oruk.service_full_record``, still makes every full record the API, exporter and
importer show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, select

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
    Taxonomy,
    TaxonomyTerm,
    service_taxonomy_term,
)
from directory.operations import public_services_filter
from signpost.extensions import db

# Collections read straight from one table by service_id: attribute name -> model.
SIMPLE_CHILDREN: dict[str, Any] = {
    "service_areas": ServiceArea,
    "cost_options": CostOption,
    "languages": Language,
    "fundings": Funding,
    "phones": Phone,
}


def _execute(statement: Select[Any]) -> Any:
    # Plain Core on the session's connection: these rows become light objects, so the ORM's
    # statement handling (a large share of a page's time) has nothing to add.
    return db.session.connection().execute(statement)


def rows_as_objects(statement: Select[Any]) -> list[SimpleNamespace]:
    result = _execute(statement)
    names = list(result.keys())
    return [SimpleNamespace(**dict(zip(names, row, strict=True))) for row in result]


def rows_with_joined(statement: Select[Any], table: Any, attribute: str) -> list[SimpleNamespace]:
    """Rows of a query that also selects ``table``'s columns (outer-joined); each object gets
    the joined row as ``attribute`` (None if absent)."""
    own = [c.key for c in statement.selected_columns]
    joined = [c.name for c in table.c]
    first = len(own)
    key = first + joined.index("id")
    found = []
    for row in _execute(statement.add_columns(*table.c)):
        item = SimpleNamespace(**dict(zip(own, row[:first], strict=True)))
        setattr(
            item,
            attribute,
            SimpleNamespace(**dict(zip(joined, row[first:], strict=True)))
            if row[key] is not None
            else None,
        )
        found.append(item)
    return found


def group_by(objects: Iterable[SimpleNamespace], key: str) -> dict[Any, list[SimpleNamespace]]:
    grouped: dict[Any, list[SimpleNamespace]] = defaultdict(list)
    for obj in objects:
        grouped[getattr(obj, key)].append(obj)
    return grouped


def load_public_services(service_ids: list[str]) -> list[SimpleNamespace]:
    """Public services by id, in the order given, each with every record its full ORUK record
    shows, in a fixed number of queries (one per table) however many ids are asked for."""
    services = {
        s.id: s
        for s in rows_with_joined(
            select(Service.__table__)
            .outerjoin(Organization.__table__)
            .where(Service.id.in_(service_ids), public_services_filter()),
            Organization.__table__,
            "organization",
        )
    }
    if not services:
        return []
    ids = list(services)
    links = rows_with_joined(
        select(ServiceAtLocation.__table__)
        .join(Location.__table__)
        .where(ServiceAtLocation.service_id.in_(ids)),
        Location.__table__,
        "location",
    )
    locations = {link.location.id: link.location for link in links}
    addresses = (
        group_by(
            rows_as_objects(
                select(Address.__table__).where(Address.location_id.in_(list(locations)))
            ),
            "location_id",
        )
        if locations
        else {}
    )
    access = (
        group_by(
            rows_as_objects(
                select(Accessibility.__table__).where(
                    Accessibility.location_id.in_(list(locations))
                )
            ),
            "location_id",
        )
        if locations
        else {}
    )
    for link in links:  # one object per location, shared by the links to it
        link.location = locations[link.location_id]
        link.location.addresses = addresses.get(link.location_id, [])
        link.location.accessibility = access.get(link.location_id, [])
    schedules = rows_as_objects(
        select(Schedule.__table__)
        .where(Schedule.service_id.in_(ids))
        .order_by(Schedule.service_id, Schedule.weekday, Schedule.opens_at)
    )
    for schedule in schedules:
        schedule.byday = Schedule.BYDAY[schedule.weekday]
    children = {
        name: group_by(
            rows_as_objects(select(model.__table__).where(model.service_id.in_(ids))), "service_id"
        )
        for name, model in SIMPLE_CHILDREN.items()
    }
    contacts = rows_as_objects(select(Contact.__table__).where(Contact.service_id.in_(ids)))
    contact_phones = (
        group_by(
            rows_as_objects(
                select(Phone.__table__).where(Phone.contact_id.in_([c.id for c in contacts]))
            ),
            "contact_id",
        )
        if contacts
        else {}
    )
    for contact in contacts:
        contact.phones = contact_phones.get(contact.id, [])
    terms = group_by(
        rows_as_objects(
            select(
                service_taxonomy_term.c.service_id.label("linked_service_id"),
                *TaxonomyTerm.__table__.c,
                Taxonomy.name.label("taxonomy_name"),
            )
            .join(TaxonomyTerm, TaxonomyTerm.id == service_taxonomy_term.c.taxonomy_term_id)
            .outerjoin(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(service_taxonomy_term.c.service_id.in_(ids))
        ),
        "linked_service_id",
    )
    for term_list in terms.values():
        for term in term_list:
            term.taxonomy = (
                SimpleNamespace(name=term.taxonomy_name) if term.taxonomy_id is not None else None
            )
    links_by, schedules_by, contacts_by = (
        group_by(links, "service_id"),
        group_by(schedules, "service_id"),
        group_by(contacts, "service_id"),
    )
    for sid, service in services.items():
        service.service_at_locations = links_by.get(sid, [])
        service.schedules = schedules_by.get(sid, [])
        service.contacts = contacts_by.get(sid, [])
        service.taxonomy_terms = terms.get(sid, [])
        for name in SIMPLE_CHILDREN:
            setattr(service, name, children[name].get(sid, []))
    return [services[i] for i in service_ids if i in services]


def load_summaries(service_ids: list[str]) -> list[SimpleNamespace]:
    """Public services by id, in the order given, with their organisation: what a /services
    page item shows, in one query."""
    if not service_ids:
        return []
    found = {
        s.id: s
        for s in rows_with_joined(
            select(Service.__table__)
            .outerjoin(Organization.__table__)
            .where(Service.id.in_(service_ids), public_services_filter()),
            Organization.__table__,
            "organization",
        )
    }
    return [found[i] for i in service_ids if i in found]


def load_links(link_ids: list[str]) -> list[SimpleNamespace]:
    """Service-at-location links of public services by id, in the order given, each with its
    location (addresses, accessibility) and its service with the organisation: what a
    /service_at_locations page item shows, in four queries however many are asked for."""
    if not link_ids:
        return []
    links = rows_with_joined(
        select(ServiceAtLocation.__table__)
        .join(Location.__table__)
        .where(ServiceAtLocation.id.in_(link_ids)),
        Location.__table__,
        "location",
    )
    services = {s.id: s for s in load_summaries(sorted({link.service_id for link in links}))}
    locations = {link.location.id: link.location for link in links}
    addresses = group_by(
        rows_as_objects(select(Address.__table__).where(Address.location_id.in_(list(locations)))),
        "location_id",
    )
    access = group_by(
        rows_as_objects(
            select(Accessibility.__table__).where(Accessibility.location_id.in_(list(locations)))
        ),
        "location_id",
    )
    found = {}
    for link in links:
        if link.service_id not in services:
            continue  # no longer public
        link.location = locations[link.location_id]
        link.location.addresses = addresses.get(link.location_id, [])
        link.location.accessibility = access.get(link.location_id, [])
        link.service = services[link.service_id]
        found[link.id] = link
    return [found[i] for i in link_ids if i in found]
