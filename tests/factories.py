"""Factory fixtures: each returns a callable that makes a saved record with sensible defaults."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import time
from typing import Any

import pytest

from directory.models import (
    Accessibility,
    Address,
    DeliveryMode,
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
from signpost.extensions import db

_counter = itertools.count(1)


@pytest.fixture
def make_organization(app: Any) -> Callable[..., Organization]:
    def make(**kw: Any) -> Organization:
        n = next(_counter)
        org = Organization(**{"name": f"Test Organisation {n}", "description": "", **kw})
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_taxonomy_term(app: Any) -> Callable[..., TaxonomyTerm]:
    def make(
        name: str | None = None,
        *,
        parent: TaxonomyTerm | None = None,
        taxonomy_name: str = "Signpost categories",
        **kw: Any,
    ) -> TaxonomyTerm:
        taxonomy = db.session.scalar(db.select(Taxonomy).where(Taxonomy.name == taxonomy_name))
        if taxonomy is None:
            taxonomy = Taxonomy(name=taxonomy_name)
            db.session.add(taxonomy)
        n = next(_counter)
        name = name or f"Term {n}"
        slug = kw.pop("slug", name.lower().replace(" ", "-").replace("'", "") + f"-{n}")
        term = TaxonomyTerm(
            name=name, code=kw.pop("code", slug), slug=slug, taxonomy=taxonomy, parent=parent, **kw
        )
        db.session.add(term)
        db.session.commit()
        return term

    return make


@pytest.fixture
def make_location(app: Any) -> Callable[..., Location]:
    def make(
        *,
        postcode: str = "PE30 1EX",
        latitude: float | None = 52.7543,
        longitude: float | None = 0.3979,
        address_1: str = "1 High Street",
        city: str = "King's Lynn",
        accessibility: tuple[str, ...] = (),
        **kw: Any,
    ) -> Location:
        loc = Location(latitude=latitude, longitude=longitude, **{"name": "Community Hall", **kw})
        loc.addresses.append(
            Address(address_1=address_1, city=city, postal_code=postcode, state_province="Norfolk")
        )
        for feature in accessibility:
            loc.accessibility.append(Accessibility(feature=feature))
        db.session.add(loc)
        db.session.commit()
        return loc

    return make


@pytest.fixture
def make_service(
    app: Any, make_organization: Callable[..., Organization], make_location: Callable[..., Location]
) -> Callable[..., Service]:
    """make_service(name=..., locations=[loc], terms=[term], schedules=[(0, "09:00", "12:00")],
    modes=["in_person"], areas=["PE30"], phone="01632 960 001", **service_fields)."""

    def make(
        *,
        organization: Organization | None = None,
        locations: list[Location] | None = None,
        terms: list[TaxonomyTerm] = (),
        schedules: list[tuple[int, str, str]] = (),
        modes: list[str] = ("in_person",),
        areas: list[str] = (),
        phone: str | None = None,
        with_location: bool = True,
        **kw: Any,
    ) -> Service:
        n = next(_counter)
        organization = organization or make_organization()
        if locations is None:
            locations = [make_location()] if with_location else []
        service = Service(
            organization=organization,
            **{"name": f"Test Service {n}", "description": "A test service.", **kw},
        )
        for loc in locations:
            service.service_at_locations.append(ServiceAtLocation(location=loc))
        service.taxonomy_terms.extend(terms)
        for weekday, opens, closes in schedules:
            service.schedules.append(
                Schedule(
                    weekday=weekday,
                    opens_at=time.fromisoformat(opens),
                    closes_at=time.fromisoformat(closes),
                )
            )
        for mode in modes:
            service.delivery_modes.append(ServiceDeliveryMode(mode=DeliveryMode(mode)))
        for code in areas:
            service.service_areas.append(ServiceArea(area_type="outcode", code=code, name=code))
        if phone:
            service.phones.append(Phone(number=phone))
        db.session.add(service)
        db.session.commit()
        return service

    return make
