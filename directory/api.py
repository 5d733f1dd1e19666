"""The Open Referral UK 3.0 API under /api: open, read-only JSON, no key needed.

Only public records (approved and active or temporarily closed) are served. Bad parameters
answer 400 with a JSON body naming the parameter and why; unknown ids answer 404 in JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from directory import operations, oruk
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
    try:
        sal = operations.public_service_at_location(sal_id)
    except operations.NotFound:
        raise RecordNotFound("service at location", sal_id) from None
    return jsonify(oruk.service_at_location_full(sal))


@bp.get("/taxonomies")
@public
def taxonomies() -> Response:
    paging = parse_paging(request.args)
    rows, total = operations.taxonomies_page(paging.offset, paging.per_page)
    return jsonify(page_body([oruk.taxonomy_record(t) for t in rows], total, paging))


@bp.get("/taxonomies/<taxonomy_id>")
@public
def taxonomy(taxonomy_id: str) -> Response:
    try:
        found = operations.get_taxonomy(taxonomy_id)
    except operations.NotFound:
        raise RecordNotFound("taxonomy", taxonomy_id) from None
    return jsonify(oruk.taxonomy_record(found, with_terms=True))


@bp.get("/taxonomy_terms")
@public
def taxonomy_terms() -> Response:
    paging = parse_paging(request.args)
    rows, total = operations.taxonomy_terms_page(
        paging.offset, paging.per_page, taxonomy_id=request.args.get("taxonomy_id") or None
    )
    return jsonify(page_body([oruk.taxonomy_term_record(t) for t in rows], total, paging))


@bp.get("/taxonomy_terms/<term_id>")
@public
def taxonomy_term(term_id: str) -> Response:
    try:
        found = operations.get_taxonomy_term(term_id)
    except operations.NotFound:
        raise RecordNotFound("taxonomy term", term_id) from None
    return jsonify(oruk.taxonomy_term_record(found))


@bp.get("/organizations")
@public
def organizations() -> Response:
    paging = parse_paging(request.args)
    rows, total = operations.organizations_page(paging.offset, paging.per_page)
    return jsonify(page_body([oruk.organization_record(o) for o in rows], total, paging))


@bp.get("/organizations/<org_id>")
@public
def organization(org_id: str) -> Response:
    try:
        found, services = operations.public_organization(org_id)
    except operations.NotFound:
        raise RecordNotFound("organization", org_id) from None
    return jsonify(oruk.organization_full_record(found, services))
