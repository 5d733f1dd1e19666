"""Public directory pages: search results, the map of them, categories and a service's page."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from directory import operations
from directory.public import search_page, usage
from directory.public.display import contact_ways, cost_label, opening_rows, opening_summary
from directory.public.forms import DAY_CHOICES, RADIUS_CHOICES, SORT_CHOICES, SearchForm
from directory.public.views import current_channel
from signpost.access import public
from signpost.paging import page_number, total_pages
from signpost.types import utcnow

bp = Blueprint("directory", __name__)

PER_PAGE = 20
MAP_PER_PAGE = 100


def _run_search(per_page: int) -> dict[str, object]:
    """Validate the GET form, search, count the search; everything both result pages show."""
    form = SearchForm(formdata=request.args or MultiDict())
    context: dict[str, object] = {
        "form": form,
        "result": None,
        "rows": [],
        "facets": {},
        "notice": None,
        "radius_choices": RADIUS_CHOICES,
        "day_choices": DAY_CHOICES,
        "sort_choices": SORT_CHOICES,
        "searched": bool(request.args),
    }
    if not request.args:
        return context
    if not form.validate():
        return context
    from search_index import search_services

    search = search_page.build_request(form, per_page=per_page)
    result = search_services(search)
    if result.total and not result.hits and result.page > result.total_pages:
        # Past the last page (an old link, a typed URL): show the last page and say so.
        context["notice"] = (
            f"There {'is' if result.total_pages == 1 else 'are'} only "
            f"{result.total_pages} {'page' if result.total_pages == 1 else 'pages'}"
            " of results, so here is the last one."
        )
        form.page.data = result.total_pages
        result = search_services(search_page.build_request(form, per_page=per_page))
    context.update(
        result=result,
        rows=search_page.load_rows(result, now=utcnow(), timezone=current_app.config["TIMEZONE"]),
        facets=search_page.facet_options(result, form),
        summary=search_page.summary_text(result, form),
        advice=search_page.zero_result_advice(result, form) if result.total == 0 else [],
    )
    # Counted last, after the reads: on SQLite the count's INSERT takes the write lock, which
    # the request then holds only while the page renders, until its one commit.
    usage.record_search(
        query=search.text,
        where=(result.location.outcode or result.location.label) if result.location else "",
        filters=search_page.filters_for_usage(form),
        result_count=result.total,
        channel=current_channel(),
    )
    return context


def page_url(endpoint: str, **changes: object) -> str:
    """The current search's URL with some parameters changed (pagination, sort, map/list)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(endpoint, **args)


@bp.app_template_global()
def search_url(endpoint: str = "directory.search", **changes: object) -> str:
    return page_url(endpoint, **changes)


@bp.get("/search")
@public
def search() -> tuple[str, int] | str:
    context = _run_search(PER_PAGE)
    form = context["form"]
    status = 400 if form.errors else 200  # type: ignore[attr-defined]
    return render_template("directory/search.html", **context), status


@bp.get("/search/map")
@public
def search_map() -> tuple[str, int] | str:
    context = _run_search(MAP_PER_PAGE)
    form = context["form"]
    status = 400 if form.errors else 200  # type: ignore[attr-defined]
    return render_template("directory/map.html", **context), status


@bp.get("/categories")
@public
def categories() -> str:
    return render_template(
        "directory/categories.html", categories=operations.top_level_categories()
    )


@bp.get("/categories/<slug>")
@public
def category(slug: str) -> str:
    try:
        term = operations.get_category(slug)
    except operations.NotFound:
        abort(404)
    page = page_number(request.args.get("page"))
    services, total = operations.services_in_category(term, page=page, per_page=PER_PAGE)
    pages = total_pages(total, PER_PAGE)
    return render_template(
        "directory/category.html",
        term=term,
        services=services,
        total=total,
        page=min(page, pages),
        pages=pages,
        page_url=partial(url_for, "directory.category", slug=term.slug),
    )


@bp.get("/services/<service_id>")
@public
def service(service_id: str) -> str:
    try:
        found = operations.get_public_service(service_id)
    except operations.NotFound:
        abort(404)
    usage.record_service_view(found.id, channel=current_channel())
    now = utcnow()
    timezone = current_app.config["TIMEZONE"]
    locations = []
    for sal in found.service_at_locations:
        own = [s for s in found.schedules if s.service_at_location_id == sal.id]
        locations.append((sal.location, opening_rows(own)))
    general = [s for s in found.schedules if s.service_at_location_id is None]
    return render_template(
        "directory/service.html",
        service=found,
        locations=locations,
        general_hours=opening_rows(general),
        opening=opening_summary(found.schedules, now, timezone),
        contacts=contact_ways(found),
        cost=cost_label(found),
        back_to_results=request.referrer if _is_our_search(request.referrer) else None,
    )


def _is_our_search(referrer: str | None) -> bool:
    if not referrer:
        return False
    return referrer.startswith(request.host_url.rstrip("/") + url_for("directory.search"))
