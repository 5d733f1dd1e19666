"""Directory operations: plain arguments in, models out, no request or session here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from directory.models import (
    Location,
    ModerationState,
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
