"""Social prescribing pages: the three doors in, the referrer's list, worklists and figures.

The case page and everything done on it are in `prescribing.case_views` (a nested blueprint).
Views stay thin: parse the form, call one operation, render or redirect.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from prescribing.case_views import bp as case_bp
from prescribing.forms import FiguresForm, ReferralForm, SelfReferralForm
from prescribing.loading import referral_or_404
from prescribing.operations import (
    PersonDetails,
    PrescribingError,
    ReferralDetails,
    create_referral,
    referrer_summary,
    worklists,
)
from prescribing.operations import (
    figures as figure_operations,
)
from prescribing.reasons import REFERRAL_REASONS
from prescribing.vocabulary import ReferralSource, Urgency
from signpost.access import public, requires_permission, requires_role
from signpost.errors import render_error
from signpost.extensions import limiter
from signpost.paging import page_number, total_pages
from signpost.permissions import CASELOAD_VIEW, REFERRAL_VIEW, REPORTS_VIEW, PermissionDenied

bp = Blueprint("prescribing", __name__)
bp.register_blueprint(case_bp)


def _person(form: Any) -> PersonDetails:
    return PersonDetails(
        given_name=form.given_name.data or "",
        family_name=form.family_name.data or "",
        date_of_birth=form.date_of_birth.data,
        nhs_number=getattr(form, "nhs_number", None) and form.nhs_number.data,
        postcode=form.postcode.data,
        phone=form.phone.data,
        email=form.email.data,
        preferred_contact=form.preferred_contact.data or "",
        contact_notes=form.contact_notes.data,
    )


def _details(form: ReferralForm, *, source: str | None = None) -> ReferralDetails:
    return ReferralDetails(
        reasons=list(form.reasons.data or []),
        reason_text=form.reason_text.data or "",
        what_person_wants=form.what_person_wants.data or "",
        urgency=Urgency(form.urgency.data or Urgency.ROUTINE),
        risks=form.risks.data,
        person_agreed=bool(form.person_agreed.data),
        source=ReferralSource(source or form.source.data),
    )


def _refer(door: str, template: str) -> Any:
    form = ReferralForm()
    if door == "phone":
        del form.source
    if form.validate_on_submit():
        try:
            referral = create_referral(
                current_user,
                _person(form),
                _details(form, source="phone_line" if door == "phone" else None),
                door=door,
            )
        except PrescribingError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(
                f"Thank you. Referral SP-{referral.id} has been sent to the social "
                "prescribing team.",
                "success",
            )
            if door == "phone":
                return redirect(url_for("prescribing.phone_referral"))
            return redirect(url_for("prescribing.my_referrals"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(template, form=form, door=door), status


@bp.route("/referrals/new", methods=["GET", "POST"])
@requires_role("referrer", "coordinator", "admin")
def new_referral() -> Any:
    """The GP / agency referral form."""
    return _refer("referrer", "prescribing/refer.html")


@bp.route("/referrals/phone", methods=["GET", "POST"])
@requires_role("call_handler", "coordinator", "admin")
def phone_referral() -> Any:
    """A referral started by the phone line while the caller is on the line."""
    return _refer("phone", "prescribing/refer.html")


def _self_referral_limit() -> str:
    return current_app.config["PRESCRIBING_SELF_REFERRAL_LIMIT"]


@bp.route("/ask-for-help", methods=["GET", "POST"])
@public
@limiter.limit(_self_referral_limit, methods=["POST"])
def ask_for_help() -> Any:
    """The public self-referral form. A robot (honeypot filled) is thanked and nothing is kept."""
    form = SelfReferralForm()
    if form.validate_on_submit():
        if form.website.tripped:  # a robot: thanked the same way, nothing kept
            return redirect(url_for("prescribing.ask_for_help_thanks"))
        details = ReferralDetails(
            reason_text="",
            what_person_wants=form.what_person_wants.data,
            person_agreed=bool(form.person_agreed.data),
            reasons=["other"],
        )
        try:
            create_referral(None, _person(form), details, door="self")
        except PrescribingError as exc:
            form.form_errors.append(str(exc))
        else:
            return redirect(url_for("prescribing.ask_for_help_thanks"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("prescribing/ask_for_help.html", form=form), status


@bp.get("/ask-for-help/thank-you")
@public
def ask_for_help_thanks() -> str:
    return render_template("prescribing/ask_for_help_thanks.html")


@bp.get("/referrals/mine")
@requires_permission(REFERRAL_VIEW)
def my_referrals() -> str:
    """A referrer's page: the status of the referrals their practice made."""
    page = page_number(request.args.get("page"))
    rows, total = worklists.referrer_referrals(current_user, page=page)
    return render_template(
        "prescribing/my_referrals.html",
        rows=rows,
        total=total,
        page=page,
        pages=total_pages(total, worklists.PAGE_SIZE),
        page_url=partial(url_for, "prescribing.my_referrals"),
    )


@bp.get("/referrals/<int:referral_id>/status")
@requires_permission(REFERRAL_VIEW)
def referral_status(referral_id: int) -> str:
    """What a referrer may know: status, outcome, services used, wellbeing, codes."""
    referral = referral_or_404(referral_id, audit="referral.status_view")
    return render_template(
        "prescribing/status.html",
        referral=referral,
        summary=referrer_summary(referral),
        reasons=REFERRAL_REASONS,
    )


@bp.get("/caseload")
@requires_permission(CASELOAD_VIEW)
def caseload() -> str:
    """The coordinators' worklists (one at a time, chosen by tabs)."""
    name = request.args.get("list", "new")
    if name not in worklists.WORKLISTS:
        name = "new"
    listing = worklists.worklist(current_user, name, page=page_number(request.args.get("page")))
    return render_template(
        "prescribing/caseload.html",
        listing=listing,
        lists=worklists.WORKLISTS,
        variance=worklists.follow_up_variance,
        page_url=partial(url_for, "prescribing.caseload", list=name),
    )


@bp.get("/staff/prescribing/figures")
@requires_permission(REPORTS_VIEW)
def figures() -> str:
    """Managers' figures: aggregates only, small numbers suppressed. A date that cannot be read
    is pointed out and left out, so the figures shown cover all dates on that side."""
    form = FiguresForm(request.args)
    form.validate()
    result = figure_operations.figures(current_user, since=form.since.value, until=form.until.value)
    return render_template(
        "prescribing/figures.html",
        form=form,
        figures=result,
        suppressed=figure_operations.SUPPRESSED,
    )


@bp.errorhandler(PermissionDenied)
def _permission_denied(exc: PermissionDenied) -> Response:
    """An operation refused the user: its @operation savepoint has already undone it."""
    return render_error(403)
