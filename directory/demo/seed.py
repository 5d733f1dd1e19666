"""Save the demo area: create what is missing, correct what differs, leave the rest alone.

Records have fixed ids, so a second run finds the first run's rows and changes nothing.
Dates a person would set (assured_date, review_due) are set when a service is first created and
kept after that, so the demo does not drift each day it is re-run. Postcode, outcode and place
rows are only ever added: a real import may already hold better figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.demo import places
from directory.demo.build import DemoPlan, ServicePlan, build_demo, demo_id
from directory.demo.taxonomy import AUDIENCES, CATEGORIES
from directory.models import (
    Accessibility,
    Address,
    CostOption,
    DeliveryMode,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceDeliveryMode,
    Taxonomy,
    TaxonomyTerm,
)
from directory.operations import AUDIENCE_TAXONOMY, CATEGORY_TAXONOMY
from search_index.geo import KIND_WEIGHTS, place_name_key
from search_index.geo_models import Outcode, Place, Postcode
from signpost.extensions import db
from signpost.types import utcnow
from signpost.unit_of_work import operation

REVIEW_EVERY = timedelta(days=365)
_CHILD_MODELS: dict[str, type[Any]] = {
    "service_areas": ServiceArea,
    "cost_options": CostOption,
    "languages": Language,
    "phones": Phone,
}


def _apply(obj: Any, fields: dict[str, Any]) -> bool:
    """Set each field that differs; say whether anything changed."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _sync_children(
    collection: list[Any], model: type[Any], wanted: Iterable[dict[str, Any]]
) -> bool:
    """Make a child collection hold exactly the wanted rows (matched by id)."""
    existing = {child.id: child for child in collection}
    changed, keep = False, set()
    for fields in wanted:
        keep.add(fields["id"])
        child = existing.get(fields["id"])
        if child is None:
            collection.append(model(**fields))
            changed = True
        elif _apply(child, fields):
            changed = True
    for child_id, child in existing.items():
        if child_id not in keep:
            collection.remove(child)
            changed = True
    return changed


def _seed_taxonomies(counts: Counter[str]) -> dict[str, TaxonomyTerm]:
    """Both taxonomies and their terms; returns every term by slug."""
    terms: dict[str, TaxonomyTerm] = {}
    tree = [
        (CATEGORY_TAXONOMY, "What a service is or does.", CATEGORIES),
        (AUDIENCE_TAXONOMY, "Who a service is for.", tuple((a, ()) for a in AUDIENCES)),
    ]
    for taxonomy_name, about, entries in tree:
        taxonomy = db.session.scalar(select(Taxonomy).where(Taxonomy.name == taxonomy_name))
        if taxonomy is None:
            taxonomy = Taxonomy(
                id=demo_id("taxonomy", taxonomy_name),
                name=taxonomy_name,
                description=about,
                version="1",
            )
            db.session.add(taxonomy)
        for (slug, name, description), children in entries:
            root = _seed_term(taxonomy, None, slug, name, description, counts)
            terms[slug] = root
            for child_slug, child_name, child_description in children:
                terms[child_slug] = _seed_term(
                    taxonomy, root, child_slug, child_name, child_description, counts
                )
    return terms


def _seed_term(
    taxonomy: Taxonomy,
    parent: TaxonomyTerm | None,
    slug: str,
    name: str,
    description: str,
    counts: Counter[str],
) -> TaxonomyTerm:
    term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.slug == slug))
    if term is None:
        term = TaxonomyTerm(id=demo_id("taxonomy-term", slug), slug=slug)
        db.session.add(term)
        counts["terms created"] += 1
    _apply(
        term,
        {
            "taxonomy": taxonomy,
            "parent": parent,
            "code": slug,
            "name": name,
            "description": description,
        },
    )
    return term


def _seed_geo(plan: DemoPlan, counts: Counter[str]) -> None:
    have_outcodes = set(db.session.scalars(select(Outcode.outcode)))
    for code, lat, lon, town in places.OUTCODES:
        if code not in have_outcodes:
            db.session.add(
                Outcode(outcode=code, latitude=lat, longitude=lon, town=town, postcode_count=0)
            )
            counts["outcodes added"] += 1
    wanted = {loc["addresses"][0]["postal_code"]: loc for loc in plan.locations}
    have_postcodes = set(
        db.session.scalars(select(Postcode.postcode).where(Postcode.postcode.in_(list(wanted))))
    )
    towns_by_name = {t.name: t for t in places.TOWNS.values()}
    for postcode, loc in sorted(wanted.items()):
        if postcode not in have_postcodes:
            town = towns_by_name[loc["addresses"][0]["city"]]
            db.session.add(
                Postcode(
                    postcode=postcode,
                    outcode=postcode.split()[0],
                    latitude=loc["latitude"],
                    longitude=loc["longitude"],
                    district_code=town.la_code,
                )
            )
            counts["postcodes added"] += 1
    have_places = set(db.session.scalars(select(Place.name_key)))
    for town in places.TOWNS.values():
        key = place_name_key(town.name)
        if key not in have_places:
            db.session.add(
                Place(
                    name=town.name,
                    name_key=key,
                    county=town.county,
                    kind=town.kind,
                    latitude=town.latitude,
                    longitude=town.longitude,
                    rank=KIND_WEIGHTS.get(town.kind, 0),
                )
            )
            have_places.add(key)
            counts["places added"] += 1


def _seed_organisations(plan: DemoPlan, counts: Counter[str]) -> None:
    ids = [row["id"] for row in plan.organisations]
    existing = {
        o.id: o
        for o in db.session.scalars(
            select(Organization)
            .where(Organization.id.in_(ids))
            .options(selectinload(Organization.phones))
        )
    }
    for row in plan.organisations:
        fields = {k: v for k, v in row.items() if k != "phones"}
        org = existing.get(row["id"])
        if org is None:
            org = Organization(**fields)
            db.session.add(org)
            counts["organisations created"] += 1
        changed = _apply(org, fields)
        changed = _sync_children(org.phones, Phone, row["phones"]) or changed
        if changed and row["id"] in existing:
            org.last_modified = utcnow()
            counts["organisations updated"] += 1


def _seed_locations(plan: DemoPlan, counts: Counter[str]) -> None:
    ids = [row["id"] for row in plan.locations]
    existing = {
        loc.id: loc
        for loc in db.session.scalars(
            select(Location)
            .where(Location.id.in_(ids))
            .options(selectinload(Location.addresses), selectinload(Location.accessibility))
        )
    }
    for row in plan.locations:
        fields = {k: v for k, v in row.items() if k not in ("addresses", "accessibility")}
        location = existing.get(row["id"])
        if location is None:
            location = Location(**fields)
            db.session.add(location)
            counts["locations created"] += 1
        changed = _apply(location, fields)
        changed = _sync_children(location.addresses, Address, row["addresses"]) or changed
        changed = (
            _sync_children(location.accessibility, Accessibility, row["accessibility"]) or changed
        )
        if changed and row["id"] in existing:
            location.last_modified = utcnow()
            counts["locations updated"] += 1


def _load_services(ids: list[str]) -> dict[str, Service]:
    return {
        s.id: s
        for s in db.session.scalars(
            select(Service)
            .where(Service.id.in_(ids))
            .options(
                selectinload(Service.delivery_modes),
                selectinload(Service.service_at_locations),
                selectinload(Service.schedules),
                selectinload(Service.service_areas),
                selectinload(Service.cost_options),
                selectinload(Service.languages),
                selectinload(Service.phones),
                selectinload(Service.taxonomy_terms),
            )
        )
    }


def _sync_service(service: Service, spec: ServicePlan, terms: dict[str, TaxonomyTerm]) -> bool:
    changed = _apply(service, spec.fields)
    for name, model in _CHILD_MODELS.items():
        changed = _sync_children(getattr(service, name), model, spec.children[name]) or changed
    changed = _sync_children(service.service_at_locations, ServiceAtLocation, spec.sites) or changed
    wanted_modes = [DeliveryMode(m) for m in spec.modes]
    if {m.mode for m in service.delivery_modes} != set(wanted_modes):
        service.delivery_modes[:] = [m for m in service.delivery_modes if m.mode in wanted_modes]
        have = {m.mode for m in service.delivery_modes}
        service.delivery_modes.extend(
            ServiceDeliveryMode(mode=m) for m in wanted_modes if m not in have
        )
        changed = True
    wanted_terms = [terms[slug] for slug in spec.term_slugs]
    if {t.id for t in service.taxonomy_terms} != {t.id for t in wanted_terms}:
        service.taxonomy_terms[:] = wanted_terms
        changed = True
    return changed


def _seed_services(plan: DemoPlan, terms: dict[str, TaxonomyTerm], counts: Counter[str]) -> None:
    ids = [demo_id("service", spec.key) for spec in plan.services]
    existing = _load_services(ids)
    today = date.today()
    changed_ids: set[str] = set()
    objects: dict[str, Service] = {}
    for service_id, spec in zip(ids, plan.services, strict=True):
        service = existing.get(service_id)
        if service is None:
            assured = today - timedelta(days=spec.assured_days_ago)
            service = Service(
                id=service_id,
                assured_date=assured,
                review_due=assured + REVIEW_EVERY,
                assurer_email="directory-team@example.org",
                schedules=[],
            )
            db.session.add(service)
        objects[service_id] = service
        if _sync_service(service, spec, terms) and service_id in existing:
            changed_ids.add(service_id)
    db.session.flush()  # schedules point at service_at_location rows, so those must exist first
    for service_id, spec in zip(ids, plan.services, strict=True):
        service = objects[service_id]
        if _sync_children(service.schedules, Schedule, spec.schedules) and service_id in existing:
            changed_ids.add(service_id)
    for service_id in changed_ids:
        existing[service_id].last_modified = utcnow()
    counts["services created"] += len(ids) - len(existing)
    counts["services updated"] += len(changed_ids)


@operation
def seed_demo() -> str:
    """Create or refresh the demo area in the current session; return a one-line summary.

    Nothing is committed here: ``flask seed-demo`` commits when it has finished."""
    plan = build_demo()
    counts: Counter[str] = Counter()
    with db.session.no_autoflush:  # flush only when this code says so
        terms = _seed_taxonomies(counts)
        _seed_geo(plan, counts)
        _seed_organisations(plan, counts)
        _seed_locations(plan, counts)
        db.session.flush()
        _seed_services(plan, terms, counts)
    db.session.flush()
    return (
        f"Demo area ready: {len(plan.services)} services ({counts['services created']} created, "
        f"{counts['services updated']} updated) from {len(plan.organisations)} organisations "
        f"({counts['organisations created']} created, {counts['organisations updated']} updated); "
        f"{len(plan.locations)} locations ({counts['locations created']} created, "
        f"{counts['locations updated']} updated); {len(terms)} taxonomy terms "
        f"({counts['terms created']} created); {counts['postcodes added']} postcodes, "
        f"{counts['outcodes added']} outcodes and {counts['places added']} places added."
    )
