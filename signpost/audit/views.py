"""The admin page for searching the audit log."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from signpost.access import requires_permission
from signpost.audit.forms import AuditSearchForm
from signpost.audit.operations import AuditQuery, known_actions, record_event, search_events
from signpost.paging import page_number
from signpost.permissions import AUDIT_VIEW

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PER_PAGE = 50


@bp.get("/")
@requires_permission(AUDIT_VIEW)
def search() -> tuple[str, int] | str:
    """Search events by user, action, record and date range; newest first."""
    form = AuditSearchForm(request.args)
    if request.args and not form.validate():
        return render_template(
            "admin/audit.html", form=form, results=None, actions=known_actions()
        ), 400
    query = AuditQuery(
        actor_id=int(form.actor.data) if form.actor.data else None,
        action=form.action.data or None,
        subject_type=form.subject_type.data or None,
        subject_id=form.subject_id.data or None,
        since=form.since.data,
        until=form.until.data,
    )
    results = search_events(query, page=page_number(request.args.get("page")), per_page=PER_PAGE)
    # Reading the trail is itself recorded: it names who looked at whose activity.
    record_event(
        "audit.search",
        actor_id=current_user.id,
        detail={k: v for k, v in request.args.items() if k != "page" and v},
    )
    pager_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/audit.html",
        form=form,
        results=results,
        actions=known_actions(),
        page_url=partial(url_for, "audit.search", **pager_args),
    )
