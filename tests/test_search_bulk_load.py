"""Rebuilds read documents with plain column queries; they must equal the ORM-built ones."""

from __future__ import annotations

from typing import Any

from directory.models import ServiceArea, ServiceStatus
from search_index.bulk_load import TermTree, load_documents
from search_index.schema import load_services, service_document
from signpost.extensions import db


def _normal(doc: dict[str, Any]) -> dict[str, Any]:
    """Order-free view: word bags for text, sorted points and spans."""
    out = {
        k: sorted(v.split()) if isinstance(v, str) and k != "id" else v
        for k, v in doc.items()
        if k != "attrs"
    }
    attrs = dict(doc["attrs"])
    attrs["links"] = sorted(attrs["links"])
    attrs["spans"] = sorted(attrs["spans"])
    return {**out, "attrs": attrs}


def test_bulk_documents_equal_orm_documents(
    make_service, make_location, make_taxonomy_term, make_organization
):
    parent = make_taxonomy_term("Food", slug="food")
    child = make_taxonomy_term("Lunch clubs", parent=parent, slug="lunch-clubs")
    carers = make_taxonomy_term("Carers", taxonomy_name="Audience", slug="carers")
    hall = make_location(name="Village Hall", accessibility=("wheelchair", "hearing_loop"))
    library = make_location(
        name=None,
        postcode="PE36 5AA",
        latitude=52.939,
        longitude=0.492,
        city="Hunstanton",
        address_1="Cliff Parade",
    )
    nowhere = make_location(name="Online", latitude=None, longitude=None)
    services = [
        make_service(
            name="Lunch Club",
            alternate_name="Dinners",
            summary="Hot meals",
            description="Company and food.",
            eligibility_description="Over 60s",
            terms=[child, carers],
            locations=[hall, library],
            schedules=[(1, "11:30", "14:00"), (5, "22:00", "02:00")],
            modes=["in_person", "phone"],
            areas=["PE30", "pe 36"],
            minimum_age=60,
            is_free=False,
            organization=make_organization(name="Age Friendly"),
        ),
        make_service(
            name="Helpline",
            locations=[nowhere],
            modes=["phone", "online"],
            status=ServiceStatus.TEMPORARILY_CLOSED,
            maximum_age=25,
        ),
        make_service(name="No place", with_location=False, modes=[], terms=[parent]),
    ]
    services[2].service_areas.append(ServiceArea(area_type="national", code="", name="UK"))
    services[1].service_areas.append(
        ServiceArea(area_type="local_authority", code="E07000146", name="West Norfolk")
    )
    db.session.commit()
    ids = sorted(s.id for s in services)
    db.session.expire_all()
    orm = {s.id: service_document(s) for s in load_services(db.session, ids)}
    bulk = load_documents(db.session, ids, TermTree(db.session))
    assert [d["id"] for d in bulk] == ids
    for doc in bulk:
        assert _normal(doc) == _normal(orm[doc["id"]])
    lunch = next(d for d in bulk if d["id"] == services[0].id)
    assert set(lunch["attrs"]["terms"]) >= {child.id, parent.id, "slug:food", "slug:lunch-clubs"}
    assert carers.id in lunch["attrs"]["audience"] and lunch["attrs"]["ages"] == (60, 150)
    assert load_documents(db.session, [], TermTree(db.session)) == []
