"""Public directory pages: browse by category and a service's own page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from directory import operations
from signpost.access import public

bp = Blueprint("directory", __name__)

PER_PAGE = 20


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@bp.get("/categories")
@public
def categories() -> str:
    return render_template("directory/categories.html",
                           categories=operations.top_level_categories())


@bp.get("/categories/<slug>")
@public
def category(slug: str) -> str:
    try:
        term = operations.get_category(slug)
    except operations.NotFound:
        abort(404)
    page = _page_number()
    services, total = operations.services_in_category(term, page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template("directory/category.html", term=term, services=services, total=total,
                           page=min(page, pages), pages=pages)


@bp.get("/services/<service_id>")
@public
def service(service_id: str) -> str:
    try:
        found = operations.get_public_service(service_id)
    except operations.NotFound:
        abort(404)
    return render_template("directory/service.html", service=found)
