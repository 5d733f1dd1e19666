"""Public pages around the search: shortlist, tell us, channel, and the map library's files.

Staff-only lists (usage, feedback) live in staff_views.py.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse
from xstatic.pkg import leaflet

from directory import operations
from directory.models import Service
from directory.public import feedback, shortlist
from directory.public.display import contact_ways, cost_label, opening_rows
from directory.public.forms import EmailShortlistForm, ReportProblemForm, SuggestServiceForm
from directory.public.usage import CHANNELS, Channel
from signpost.access import public
from signpost.extensions import limiter
from signpost.messaging import InvalidMessage, queue_email

bp = Blueprint("public", __name__)

KIOSK_CHANNELS = {"access_point", "popup"}
SHORTLIST_COOKIE_DAYS = 30


# --- channel and shortlist, read on every request -------------------------------------------


@bp.before_app_request
def _read_channel_and_shortlist() -> None:
    flag = request.args.get("channel")
    if flag in CHANNELS:
        if flag == "web":
            session.pop("channel", None)
        else:
            session["channel"] = flag
    g.channel = session.get("channel") or current_app.config["DEFAULT_CHANNEL"]
    g.shortlist_written = False
    g.shortlist = shortlist.load_shortlist(
        request.cookies.get(shortlist.COOKIE_NAME), current_app.config["SECRET_KEY"]
    )


@bp.after_app_request
def _forget_tampered_shortlist(response: Response) -> Response:
    if (
        getattr(g, "shortlist", None) is not None
        and g.shortlist.was_tampered
        and not getattr(g, "shortlist_written", False)
    ):
        response.delete_cookie(shortlist.COOKIE_NAME)
    return response


@bp.app_context_processor
def _public_context() -> dict[str, object]:
    channel = getattr(g, "channel", "web")
    known = Channel.parse(channel)
    return {
        "channel": channel,
        "channel_label": known.label.lower() if known else channel,
        "kiosk": channel in KIOSK_CHANNELS,
        "shortlist": getattr(g, "shortlist", shortlist.Shortlist()),
    }


def current_channel() -> str:
    return getattr(g, "channel", "web")


def _write_shortlist(response: BaseResponse, items: shortlist.Shortlist) -> BaseResponse:
    g.shortlist_written = True
    if not items.ids:
        response.delete_cookie(shortlist.COOKIE_NAME)
        return response
    response.set_cookie(
        shortlist.COOKIE_NAME,
        shortlist.dump_shortlist(items, current_app.config["SECRET_KEY"]),
        max_age=SHORTLIST_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["PREFERRED_URL_SCHEME"] == "https",
    )
    return response


def _safe_next(default: str) -> str:
    target = request.form.get("next", "")
    # Only a path on this site: never an absolute URL (an open redirect).
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


# --- shortlist -------------------------------------------------------------------------------


@bp.get("/shortlist")
@public
def shortlist_page() -> str:
    services = operations.public_services_in_order(g.shortlist.ids)
    return render_template(
        "public/shortlist.html",
        services=services,
        contact_ways=contact_ways,
        cost_label=cost_label,
        opening_rows=opening_rows,
        share_url=_share_url(services),
        form=EmailShortlistForm(),
    )


@bp.get("/shortlist/print")
@public
def shortlist_print() -> str:
    services = operations.public_services_in_order(g.shortlist.ids)
    return render_template(
        "public/shortlist_print.html",
        services=services,
        contact_ways=contact_ways,
        cost_label=cost_label,
        opening_rows=opening_rows,
        share_url=_share_url(services),
    )


def _share_url(services: list[Service]) -> str | None:
    if not services:
        return None
    return url_for("public.shortlist_shared", ids=",".join(s.id for s in services), _external=True)


@bp.post("/shortlist/add")
@public
def shortlist_add() -> BaseResponse:
    service_id = request.form.get("service_id", "")
    try:
        service = operations.get_public_service(service_id)
    except operations.NotFound:
        flash("Sorry, we could not find that service. It may have been removed.", "error")
        return redirect(_safe_next(url_for("public.shortlist_page")))
    updated = g.shortlist.with_added(service.id)
    if service.id in updated:
        flash(f"{service.name} is on your shortlist.", "success")
    else:
        flash(
            f"Your shortlist is full ({shortlist.MAX_ITEMS} services). Remove one to add another.",
            "error",
        )
    return _write_shortlist(redirect(_safe_next(url_for("public.shortlist_page"))), updated)


@bp.post("/shortlist/remove")
@public
def shortlist_remove() -> BaseResponse:
    service_id = request.form.get("service_id", "")
    updated = g.shortlist.without(service_id)
    if len(updated) < len(g.shortlist):
        flash("Removed from your shortlist.", "success")
    return _write_shortlist(redirect(_safe_next(url_for("public.shortlist_page"))), updated)


@bp.get("/shortlist/shared")
@public
def shortlist_shared() -> str:
    """A shared link: shows the listed services and offers to keep them as your shortlist."""
    ids = shortlist.parse_shared_ids(request.args.get("ids", ""))
    services = operations.public_services_in_order(ids)
    return render_template(
        "public/shortlist_shared.html",
        services=services,
        ids=",".join(s.id for s in services),
        contact_ways=contact_ways,
        cost_label=cost_label,
        asked=bool(request.args.get("ids")),
    )


@bp.post("/shortlist/shared")
@public
def shortlist_keep_shared() -> BaseResponse:
    ids = shortlist.parse_shared_ids(request.form.get("ids", ""))
    kept = [s.id for s in operations.public_services_in_order(ids)]
    merged = g.shortlist if not g.shortlist.was_tampered else shortlist.Shortlist()
    for service_id in kept:
        merged = merged.with_added(service_id)
    flash(
        f"{len(kept)} {'service' if len(kept) == 1 else 'services'} added to your shortlist.",
        "success",
    )
    return _write_shortlist(redirect(url_for("public.shortlist_page")), merged)


@bp.post("/shortlist/email")
@public
@limiter.limit("5 per hour", methods=["POST"])
def shortlist_email() -> BaseResponse | tuple[str, int]:
    form = EmailShortlistForm()
    services = operations.public_services_in_order(g.shortlist.ids)
    if not services:
        flash("Your shortlist is empty, so there is nothing to send yet.", "error")
        return redirect(url_for("public.shortlist_page"))
    if not form.validate_on_submit():
        return render_template(
            "public/shortlist.html",
            services=services,
            contact_ways=contact_ways,
            cost_label=cost_label,
            opening_rows=opening_rows,
            share_url=_share_url(services),
            form=form,
        ), 400
    context = {
        "services": services,
        "contact_ways": contact_ways,
        "cost_label": cost_label,
        "opening_rows": opening_rows,
        "share_url": _share_url(services),
    }
    try:
        queue_email(
            form.email.data.strip(),
            f"Your shortlist from {current_app.config['SITE_NAME']}",
            render_template("public/email/shortlist.txt", **context),
            render_template("public/email/shortlist.html", **context),
            purpose="shortlist",
        )
    except InvalidMessage:
        form.email.errors = [*form.email.errors, "Enter an email address like name@example.com."]
        return render_template("public/shortlist.html", form=form, **context), 400
    flash(
        f"We will send your shortlist to {form.email.data.strip()} in the next few minutes.",
        "success",
    )
    return redirect(url_for("public.shortlist_page"))


# --- tell us ---------------------------------------------------------------------------------


def _is_robot(form: ReportProblemForm | SuggestServiceForm) -> bool:
    return form.website.tripped


@bp.route("/services/<service_id>/report", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def report_problem(service_id: str) -> BaseResponse | str | tuple[str, int]:
    try:
        service = operations.get_public_service(service_id)
    except operations.NotFound:
        abort(404)
    form = ReportProblemForm()
    if form.validate_on_submit():
        if not _is_robot(form):  # a robot is thanked the same way, and nothing is stored
            feedback.report_problem(
                service,
                form.problem.data,
                reply_email=form.reply_email.data,
                channel=current_channel(),
            )
        return redirect(url_for("public.thanks", kind="report", service_id=service.id))
    status = 400 if form.errors else 200
    return render_template("public/report.html", service=service, form=form), status


@bp.route("/suggest", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def suggest_service() -> BaseResponse | str | tuple[str, int]:
    form = SuggestServiceForm()
    if form.validate_on_submit():
        if not _is_robot(form):
            feedback.suggest_service(
                name=form.name.data,
                description=form.description.data,
                organisation=form.organisation.data,
                where=form.where.data,
                how_to_contact=form.how_to_contact.data,
                reply_email=form.reply_email.data,
                channel=current_channel(),
            )
        return redirect(url_for("public.thanks", kind="suggestion"))
    status = 400 if form.errors else 200
    return render_template("public/suggest.html", form=form), status


@bp.get("/thank-you")
@public
def thanks() -> str:
    kind = request.args.get("kind", "report")
    service_id = request.args.get("service_id", "")
    back = (
        url_for("directory.service", service_id=service_id)
        if shortlist.is_valid_id(service_id)
        else url_for("core.home")
    )
    return render_template("public/thanks.html", kind=kind, back=back)


# --- the map library, served by us (no CDN) --------------------------------------------------


@bp.get("/assets/leaflet/<path:filename>")
@public
def leaflet_asset(filename: str) -> Response:
    if filename not in {"leaflet.js", "leaflet.css"} and not filename.startswith("images/"):
        abort(404)
    response = send_from_directory(leaflet.BASE_DIR, filename, max_age=7 * 86400)
    return response


def leaflet_version() -> str:
    return leaflet.VERSION


@bp.app_template_global()
def leaflet_url(filename: str) -> str:
    return url_for("public.leaflet_asset", filename=filename, v=leaflet.VERSION)
