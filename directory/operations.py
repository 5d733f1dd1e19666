"""Directory operations: plain arguments in, models out, no request or session here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import selectinload

from directory.models import (
    Location,
    ModerationState,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    service_taxonomy_term,
)
from signpost.extensions import db

CATEGORY_TAXONOMY = "Signpost categories"
AUDIENCE_TAXONOMY = "Signpost audiences"
PUBLIC_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)


class NotFound(LookupError):
    """The record does not exist, or the public may not see it."""


def public_services_filter() -> ColumnElement[bool]:
    return (Service.moderation_state == ModerationState.APPROVED) & (
        Service.status.in_(PUBLIC_STATUSES)
    )


def top_level_categories() -> list[tuple[TaxonomyTerm, int]]:
    """Root terms of the category taxonomy, each with how many public services sit under it."""
    roots = db.session.scalars(
        select(TaxonomyTerm)
        .join(Taxonomy)
        .where(Taxonomy.name == CATEGORY_TAXONOMY, TaxonomyTerm.parent_id.is_(None))
        .order_by(TaxonomyTerm.name)
    ).all()
    return [(root, count_public_services_under(root)) for root in roots]


def descendant_ids(term: TaxonomyTerm) -> list[str]:
    """The term's id and every id below it."""
    ids, frontier = [term.id], [term.id]
    while frontier:
        frontier = list(
            db.session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.parent_id.in_(frontier)))
        )
        ids.extend(frontier)
    return ids


def count_public_services_under(term: TaxonomyTerm) -> int:
    return (
        db.session.scalar(
            select(func.count(func.distinct(Service.id)))
            .join(service_taxonomy_term, service_taxonomy_term.c.service_id == Service.id)
            .where(
                service_taxonomy_term.c.taxonomy_term_id.in_(descendant_ids(term)),
                public_services_filter(),
            )
        )
        or 0
    )


def get_category(slug: str) -> TaxonomyTerm:
    term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.slug == slug))
    if term is None:
        raise NotFound(slug)
    return term


def services_in_category(
    term: TaxonomyTerm, *, page: int = 1, per_page: int = 20
) -> tuple[list[Service], int]:
    """Public services filed under the term or any term below it, by name, one page at a time."""
    condition = Service.id.in_(
        select(service_taxonomy_term.c.service_id).where(
            service_taxonomy_term.c.taxonomy_term_id.in_(descendant_ids(term))
        )
    )
    total = (
        db.session.scalar(select(func.count(Service.id)).where(condition, public_services_filter()))
        or 0
    )
    services = db.session.scalars(
        select(Service)
        .where(condition, public_services_filter())
        .options(selectinload(Service.organization))
        .order_by(Service.name)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(services), total


def get_public_service(service_id: str) -> Service:
    """A service the public may see, with everything its page shows loaded in a few queries."""
    service = db.session.scalar(
        select(Service)
        .where(Service.id == service_id, public_services_filter())
        .options(
            selectinload(Service.organization),
            selectinload(Service.service_at_locations)
            .selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
            selectinload(Service.service_at_locations)
            .selectinload(ServiceAtLocation.location)
            .selectinload(Location.accessibility),
            selectinload(Service.schedules),
            selectinload(Service.phones),
            selectinload(Service.contacts),
            selectinload(Service.cost_options),
            selectinload(Service.languages),
            selectinload(Service.delivery_modes),
            selectinload(Service.service_areas),
            selectinload(Service.taxonomy_terms),
        )
    )
    if service is None:
        raise NotFound(service_id)
    return service


def public_services_in_order(ids: Sequence[str]) -> list[Service]:
    """The public services among `ids`, in the order given, with what a listing line shows.

    An id that is unknown or no longer public is left out, never an error: search hits and
    shortlists may name a service that has since been unpublished.
    """
    if not ids:
        return []
    found = db.session.scalars(
        select(Service)
        .where(Service.id.in_(ids), public_services_filter())
        .options(
            selectinload(Service.organization),
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.service_at_locations)
            .selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
        )
    ).all()
    by_id = {service.id: service for service in found}
    return [by_id[i] for i in ids if i in by_id]


# --- reads for the ORUK API -------------------------------------------------------------------


def public_service_at_location(link_id: str) -> ServiceAtLocation:
    """A service-at-location link of a public service, with its location and full service."""
    from directory.oruk import full_service_options

    location = selectinload(ServiceAtLocation.location)
    found = db.session.scalar(
        select(ServiceAtLocation)
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .where(ServiceAtLocation.id == link_id, public_services_filter())
        .options(
            location.selectinload(Location.addresses),
            location.selectinload(Location.accessibility),
            selectinload(ServiceAtLocation.service).options(*full_service_options()),
        )
    )
    if found is None:
        raise NotFound(link_id)
    return found


def taxonomies_page(offset: int, limit: int) -> tuple[list[Taxonomy], int]:
    """One page of taxonomies by name, and how many there are."""
    total = db.session.scalar(select(func.count(Taxonomy.id))) or 0
    rows = db.session.scalars(
        select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def get_taxonomy(taxonomy_id: str) -> Taxonomy:
    """A taxonomy with its terms."""
    found = db.session.scalar(
        select(Taxonomy)
        .where(Taxonomy.id == taxonomy_id)
        .options(selectinload(Taxonomy.terms).selectinload(TaxonomyTerm.taxonomy))
    )
    if found is None:
        raise NotFound(taxonomy_id)
    return found


def taxonomy_terms_page(
    offset: int, limit: int, *, taxonomy_id: str | None = None
) -> tuple[list[TaxonomyTerm], int]:
    """One page of taxonomy terms by name (of one taxonomy, if given), and how many there are."""
    conditions = [TaxonomyTerm.taxonomy_id == taxonomy_id] if taxonomy_id else []
    total = db.session.scalar(select(func.count(TaxonomyTerm.id)).where(*conditions)) or 0
    rows = db.session.scalars(
        select(TaxonomyTerm)
        .where(*conditions)
        .options(selectinload(TaxonomyTerm.taxonomy))
        .order_by(TaxonomyTerm.name, TaxonomyTerm.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_taxonomy_term(term_id: str) -> TaxonomyTerm:
    found = db.session.scalar(
        select(TaxonomyTerm)
        .where(TaxonomyTerm.id == term_id)
        .options(selectinload(TaxonomyTerm.taxonomy))
    )
    if found is None:
        raise NotFound(term_id)
    return found


def _has_public_service() -> Any:
    return exists(
        select(Service.id).where(
            Service.organization_id == Organization.id, public_services_filter()
        )
    )


def organizations_page(offset: int, limit: int) -> tuple[list[Organization], int]:
    """One page of organisations with at least one public service, by name, and the count."""
    total = db.session.scalar(select(func.count(Organization.id)).where(_has_public_service()))
    rows = db.session.scalars(
        select(Organization)
        .where(_has_public_service())
        .order_by(Organization.name, Organization.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total or 0


def public_organization(org_id: str) -> tuple[Organization, list[Service]]:
    """An organisation with a public service, and its public services by name."""
    found = db.session.scalar(
        select(Organization).where(Organization.id == org_id, _has_public_service())
    )
    if found is None:
        raise NotFound(org_id)
    services = db.session.scalars(
        select(Service)
        .where(Service.organization_id == org_id, public_services_filter())
        .order_by(Service.name, Service.id)
    ).all()
    return found, list(services)
