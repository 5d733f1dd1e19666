"""Simple staff lists: usage counts (managers) and reports and suggestions from the public
(editors). The full reports and moderation screens come in later issues."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from directory.public import feedback, usage
from signpost.access import requires_permission
from signpost.permissions import DIRECTORY_MODERATE, REPORTS_VIEW

bp = Blueprint("public_staff", __name__, url_prefix="/staff")


@bp.get("/usage")
@requires_permission(REPORTS_VIEW)
def usage_page() -> str:
    raw = request.args.get("days", "30")
    days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 366 else 30
    return render_template(
        "public/staff/usage.html",
        summary=usage.usage_summary(days),
        channel_labels=usage.CHANNEL_LABELS,
    )


@bp.get("/feedback")
@requires_permission(DIRECTORY_MODERATE)
def feedback_page() -> str:
    reports, suggestions = feedback.recent_feedback()
    return render_template("public/staff/feedback.html", reports=reports, suggestions=suggestions)
