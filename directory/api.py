"""The Open Referral UK 3.0 API under /api: open, read-only JSON, no key needed.

Only public records (approved and active or temporarily closed) are served. Bad parameters
answer 400 with a JSON body naming the parameter and why; unknown ids answer 404 in JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from directory import oruk
from directory.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from directory.operations import public_services_filter
from directory.oruk_load import load_public_services
from directory.oruk_query import (
    BadParameter,
    PageRequest,
    find_service_at_locations,
    find_services,
    parse_paging,
    parse_service_query,
)
from signpost.access import public
from signpost.extensions import db

bp = Blueprint("oruk_api", __name__, url_prefix="/api")


class RecordNotFound(LookupError):
    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"There is no {kind} with the id '{record_id[:100]}'.")
        self.message = str(self.args[0])


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter) -> tuple[Response, int]:
    return jsonify(
        {"error": "bad_parameter", "parameter": error.parameter, "message": error.reason}
    ), 400


@bp.errorhandler(RecordNotFound)
def record_not_found(error: RecordNotFound) -> tuple[Response, int]:
    return jsonify({"error": "not_found", "message": error.message}), 404


def page_body(contents: list[Any], total: int, paging: PageRequest) -> dict[str, Any]:
    """The standard's page wrapper; pages count from 1."""
    total_pages = max(1, -(-total // paging.per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": len(contents) == 0,
        "contents": contents,
    }


@bp.get("/")
@public
def index() -> Response:
    return jsonify(
        {
            "version": oruk.API_VERSION,
            "profile": oruk.PROFILE_URI,
            "openapi_url": url_for("oruk_api.openapi_document", _external=True),
        }
    )


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    from directory.openapi import build_openapi

    return jsonify(build_openapi(request.url_root.rstrip("/") + "/api"))


@bp.get("/services")
@public
def services() -> Response:
    query = parse_service_query(request.args, allow_place=False)
    found = find_services(query)
    contents = [oruk.service_summary_record(s) for s in found.services]
    return jsonify(page_body(contents, found.total, query.paging))


@bp.get("/services/<service_id>")
@public
def service(service_id: str) -> Response:
    found = load_public_services([service_id])
    if not found:
        raise RecordNotFound("service", service_id)
    return jsonify(oruk.service_full_record(found[0]))


@bp.get("/service_at_locations")
@public
def service_at_locations() -> Response:
    query = parse_service_query(request.args, allow_place=True)
    links, total = find_service_at_locations(query)
    return jsonify(
        page_body([oruk.service_at_location_summary(s) for s in links], total, query.paging)
    )


@bp.get("/service_at_locations/<sal_id>")
@public
def service_at_location(sal_id: str) -> Response:
    location = selectinload(ServiceAtLocation.location)
    sal = db.session.scalar(
        select(ServiceAtLocation)
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .where(ServiceAtLocation.id == sal_id, public_services_filter())
        .options(
            location.selectinload(Location.addresses),
            location.selectinload(Location.accessibility),
            selectinload(ServiceAtLocation.service).options(*oruk.full_service_options()),
        )
    )
    if sal is None:
        raise RecordNotFound("service at location", sal_id)
    return jsonify(oruk.service_at_location_full(sal))


@bp.get("/taxonomies")
@public
def taxonomies() -> Response:
    paging = parse_paging(request.args)
    total = db.session.scalar(select(func.count(Taxonomy.id))) or 0
    rows = db.session.scalars(
        select(Taxonomy)
        .order_by(Taxonomy.name, Taxonomy.id)
        .limit(paging.per_page)
        .offset(paging.offset)
    ).all()
    return jsonify(page_body([oruk.taxonomy_record(t) for t in rows], total, paging))


@bp.get("/taxonomies/<taxonomy_id>")
@public
def taxonomy(taxonomy_id: str) -> Response:
    found = db.session.scalar(
        select(Taxonomy)
        .where(Taxonomy.id == taxonomy_id)
        .options(selectinload(Taxonomy.terms).selectinload(TaxonomyTerm.taxonomy))
    )
    if found is None:
        raise RecordNotFound("taxonomy", taxonomy_id)
    return jsonify(oruk.taxonomy_record(found, with_terms=True))


@bp.get("/taxonomy_terms")
@public
def taxonomy_terms() -> Response:
    paging = parse_paging(request.args)
    conditions = []
    if request.args.get("taxonomy_id"):
        conditions.append(TaxonomyTerm.taxonomy_id == request.args["taxonomy_id"])
    total = db.session.scalar(select(func.count(TaxonomyTerm.id)).where(*conditions)) or 0
    rows = db.session.scalars(
        select(TaxonomyTerm)
        .where(*conditions)
        .options(selectinload(TaxonomyTerm.taxonomy))
        .order_by(TaxonomyTerm.name, TaxonomyTerm.id)
        .limit(paging.per_page)
        .offset(paging.offset)
    ).all()
    return jsonify(page_body([oruk.taxonomy_term_record(t) for t in rows], total, paging))


@bp.get("/taxonomy_terms/<term_id>")
@public
def taxonomy_term(term_id: str) -> Response:
    found = db.session.scalar(
        select(TaxonomyTerm)
        .where(TaxonomyTerm.id == term_id)
        .options(selectinload(TaxonomyTerm.taxonomy))
    )
    if found is None:
        raise RecordNotFound("taxonomy term", term_id)
    return jsonify(oruk.taxonomy_term_record(found))


def _has_public_service() -> Any:
    return exists(
        select(Service.id).where(
            Service.organization_id == Organization.id, public_services_filter()
        )
    )


@bp.get("/organizations")
@public
def organizations() -> Response:
    paging = parse_paging(request.args)
    total = db.session.scalar(select(func.count(Organization.id)).where(_has_public_service())) or 0
    rows = db.session.scalars(
        select(Organization)
        .where(_has_public_service())
        .order_by(Organization.name, Organization.id)
        .limit(paging.per_page)
        .offset(paging.offset)
    ).all()
    return jsonify(page_body([oruk.organization_record(o) for o in rows], total, paging))


@bp.get("/organizations/<org_id>")
@public
def organization(org_id: str) -> Response:
    found = db.session.scalar(
        select(Organization).where(Organization.id == org_id, _has_public_service())
    )
    if found is None:
        raise RecordNotFound("organization", org_id)
    services = db.session.scalars(
        select(Service)
        .where(Service.organization_id == org_id, public_services_filter())
        .order_by(Service.name, Service.id)
    ).all()
    return jsonify(oruk.organization_full_record(found, list(services)))
