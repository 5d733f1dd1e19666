"""The services of one page of search results, read with plain queries.

A results line shows a service's name, organisation, summary, opening times, cost, first two
ways to get in touch and its locations' points (the map). Read through the ORM's eager loaders
this took five queries' worth of loader machinery per page, a third of the page's time; here
each table is one plain query for the page's services and the rows become light objects with
the attributes the line's helpers (`directory.public.display`) and templates read.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from sqlalchemy import select

from directory.models import Location, Organization, Phone, Schedule, Service, ServiceAtLocation
from directory.operations import public_services_filter
from directory.oruk_load import group_by, rows_as_objects

# The service's own columns a result line shows (the template, `cost_label`, `contact_ways`).
LINE_COLUMNS = ("id", "name", "summary", "status", "is_free", "fees_description", "email", "url")


class LineSchedule(SimpleNamespace):
    """A schedule row with the model's `crosses_midnight`."""

    @property
    def crosses_midnight(self) -> bool:
        return bool(self.closes_at <= self.opens_at)


def result_services(ids: Sequence[str]) -> list[SimpleNamespace]:
    """The public services among `ids`, in the order given (unknown or unpublished ids are left
    out): the columns a line shows, with ``organization`` (its name), ``phones``, ``schedules``
    and ``locations``."""
    if not ids:
        return []

    services = {}
    for s in rows_as_objects(
        select(*(getattr(Service, name) for name in LINE_COLUMNS), Organization.name.label("org"))
        .outerjoin(Organization, Organization.id == Service.organization_id)
        .where(Service.id.in_(list(ids)), public_services_filter())
    ):
        s.organization = SimpleNamespace(name=s.org)
        services[s.id] = s
    if not services:
        return []
    found = list(services)
    phones = group_by(
        rows_as_objects(select(Phone.__table__).where(Phone.service_id.in_(found))), "service_id"
    )
    schedules = group_by(
        (
            LineSchedule(**vars(s))
            for s in rows_as_objects(
                select(Schedule.__table__)
                .where(Schedule.service_id.in_(found))
                .order_by(Schedule.service_id, Schedule.weekday, Schedule.opens_at)
            )
        ),
        "service_id",
    )
    places = group_by(
        rows_as_objects(
            select(
                ServiceAtLocation.service_id,
                Location.name,
                Location.latitude,
                Location.longitude,
            )
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.service_id.in_(found))
            .order_by(ServiceAtLocation.service_id, ServiceAtLocation.id)
        ),
        "service_id",
    )
    for sid, service in services.items():
        service.phones = phones.get(sid, [])
        service.schedules = schedules.get(sid, [])
        service.locations = places.get(sid, [])
    return [services[i] for i in ids if i in services]
