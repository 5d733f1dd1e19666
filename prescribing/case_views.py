"""The case page and everything a coordinator does on it (a blueprint nested in `prescribing`).

Every form posts to its own address, calls one operation, and either redirects back to the
case page with a message, or shows the form again with a plain-English error (status 400). A
refused operation has already undone itself (`@operation`); the view only shows why.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from directory.models import Service
from prescribing.forms import (
    AddSuggestionForm,
    AssignForm,
    CheckForm,
    CloseForm,
    ContactAttemptForm,
    ConversationForm,
    MoveConversationForm,
    OnwardForm,
    ReviewForm,
    StateForm,
    SuggestionStatusForm,
    measure_answers,
)
from prescribing.loading import referral_or_404
from prescribing.measures import SWEMWBS_COPYRIGHT
from prescribing.models import Referral
from prescribing.operations import PrescribingError, casework, followups, support, worklists
from prescribing.operations.wellbeing import required_measures
from prescribing.reasons import REFERRAL_REASONS
from prescribing.vocabulary import CloseOutcome, GoalStatus, OnwardKind, SuggestionStatus
from prescribing.workflow import FollowUpKind, ReferralState
from signpost.access import requires_permission
from signpost.extensions import db
from signpost.forms import choices_of
from signpost.permissions import CASELOAD_VIEW, REFERRAL_UPDATE

bp = Blueprint("case", __name__, url_prefix="/referrals/<int:referral_id>")


def _load(referral_id: int, *, audit: str | None = None) -> Referral:
    """The referral if this coordinator may work on it; 404 otherwise (the refusal audited)."""
    return referral_or_404(referral_id, action=REFERRAL_UPDATE, audit=audit)


def _back(referral_id: int, anchor: str = "") -> Any:
    return redirect(url_for("prescribing.case.case_page", referral_id=referral_id) + anchor)


def _services_for(referral: Referral) -> dict[str, Service]:
    ids = [s.service_id for s in referral.suggested_services]
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Service).where(Service.id.in_(ids)))}


def _coordinator_choices() -> list[Any]:
    return choices_of((u.id, u.name) for u in casework.coordinators_for(current_user))


def _case(referral: Referral, status: int = 200, **forms: Any) -> Any:
    """Render the case page (with any form carrying errors put in place of the blank one)."""
    full = worklists.load_case(referral.id)
    if full is None:  # pragma: no cover - it was loaded a moment ago in this transaction
        abort(404)
    entries = worklists.timeline(full)
    names = worklists.user_names({e.by_user_id for e in entries} | {full.coordinator_id})
    assign = forms.get("assign") or AssignForm(formdata=None, prefix="assign")
    assign.coordinator_id.choices = _coordinator_choices()
    defaults = {
        "contact": ContactAttemptForm(formdata=None, prefix="contact"),
        "state": StateForm(formdata=None, prefix="state"),
        "onward": OnwardForm(formdata=None, prefix="onward"),
        "close": CloseForm(formdata=None, prefix="close"),
        "move": MoveConversationForm(formdata=None, prefix="move"),
    }
    defaults.update({k: v for k, v in forms.items() if k != "assign"})
    return render_template(
        "prescribing/case.html",
        referral=full,
        timeline=entries,
        names=names,
        services=_services_for(full),
        assign=assign,
        reasons=REFERRAL_REASONS,
        S=ReferralState,
        variance=worklists.follow_up_variance,
        kinds=FollowUpKind,
        status_form=SuggestionStatusForm,
        **defaults,
    ), status


def _error(referral: Referral, key: str, form: Any, message: str) -> Any:
    form.form_errors.append(message)
    return _case(referral, 400, **{key: form})


@bp.get("")
@requires_permission(CASELOAD_VIEW)
def case_page(referral_id: int) -> Any:
    """The case as a timeline, with the actions that fit its state."""
    return _case(_load(referral_id, audit="referral.view"))


@bp.post("/assign")
@requires_permission(CASELOAD_VIEW)
def assign(referral_id: int) -> Any:
    referral = _load(referral_id)
    form = AssignForm(prefix="assign")
    form.coordinator_id.choices = _coordinator_choices()
    if not form.validate_on_submit() or form.coordinator_id.data is None:
        return _error(referral, "assign", form, "Choose a coordinator.")
    try:
        casework.assign(current_user, referral, form.coordinator_id.data)
    except PrescribingError as exc:
        return _error(referral, "assign", form, str(exc))
    flash("Referral assigned.", "success")
    return _back(referral_id)


@bp.post("/contact")
@requires_permission(CASELOAD_VIEW)
def contact(referral_id: int) -> Any:
    referral = _load(referral_id)
    form = ContactAttemptForm(prefix="contact")
    if not form.validate_on_submit():
        return _case(referral, 400, contact=form)
    try:
        casework.record_contact_attempt(
            current_user,
            referral,
            method=form.method.data,
            outcome=form.outcome.data,
            notes=form.notes.data,
        )
    except PrescribingError as exc:
        return _error(referral, "contact", form, str(exc))
    flash("Contact attempt recorded.", "success")
    return _back(referral_id)


@bp.post("/state")
@requires_permission(CASELOAD_VIEW)
def change_state(referral_id: int) -> Any:
    referral = _load(referral_id)
    form = StateForm(prefix="state")
    if not form.validate_on_submit():
        return _case(referral, 400, state=form)
    try:
        casework.change_state(
            current_user, referral, ReferralState(form.target.data), note=form.note.data
        )
    except PrescribingError as exc:
        return _error(referral, "state", form, str(exc))
    flash(f"The referral is now {referral.state.label.lower()}.", "success")
    return _back(referral_id)


@bp.post("/close")
@requires_permission(CASELOAD_VIEW)
def close(referral_id: int) -> Any:
    referral = _load(referral_id)
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return _case(referral, 400, close=form)
    try:
        followups.close_referral(
            current_user, referral, CloseOutcome(form.outcome.data), form.notes.data or ""
        )
    except PrescribingError as exc:
        return _error(referral, "close", form, str(exc))
    flash("The referral is closed and the referrer will be told the outcome.", "success")
    return _back(referral_id)


@bp.route("/conversation", methods=["GET", "POST"])
@requires_permission(CASELOAD_VIEW)
def conversation(referral_id: int) -> Any:
    referral = _load(referral_id)
    form = ConversationForm()
    if form.validate_on_submit():
        details = casework.ConversationDetails(
            held_on=form.held_on.data,
            who_was_there=form.who_was_there.data or "",
            consent_to_share=form.consent_to_share.data,
            share_with=form.share_with.data or "",
            what_matters=form.what_matters.data or "",
            needs=list(form.needs.data or []),
            goals=[form.goal_1.data, form.goal_2.data, form.goal_3.data],
            notes=form.notes.data or "",
            measures=measure_answers(form),
        )
        try:
            casework.hold_conversation(current_user, referral, details)
        except PrescribingError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Guided conversation recorded; the follow-ups are planned.", "success")
            return _back(referral_id)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "prescribing/conversation.html",
        referral=referral,
        form=form,
        copyright=SWEMWBS_COPYRIGHT,
        required=required_measures(),
    ), status


@bp.post("/conversations/<int:conversation_id>/date")
@requires_permission(CASELOAD_VIEW)
def move_conversation(referral_id: int, conversation_id: int) -> Any:
    referral = _load(referral_id)
    form = MoveConversationForm(prefix="move")
    if not form.validate_on_submit():
        return _case(referral, 400, move=form)
    try:
        casework.move_conversation(current_user, referral, conversation_id, form.held_on.data)
    except PrescribingError as exc:
        return _error(referral, "move", form, str(exc))
    flash("Conversation date corrected; open follow-ups moved with it.", "success")
    return _back(referral_id)


@bp.get("/signposts/find")
@requires_permission(CASELOAD_VIEW)
def find_services(referral_id: int) -> Any:
    """Choose services with the public search engine, near the person's postcode by default."""
    from search_index import SearchRequest, search_services

    referral = _load(referral_id, audit="referral.view")
    text = request.args.get("q", "").strip()[:200]
    where = request.args.get("where", referral.person.postcode or "").strip()[:100]
    result = (
        search_services(SearchRequest(text=text, where=where, radius_miles=10.0))
        if (text or where)
        else None
    )
    services = {}
    if result is not None and result.hits:
        services = {
            s.id: s
            for s in db.session.scalars(
                select(Service).where(Service.id.in_([h.service_id for h in result.hits]))
            )
        }
    return render_template(
        "prescribing/find_services.html",
        referral=referral,
        q=text,
        where=where,
        result=result,
        services=services,
        form=AddSuggestionForm(formdata=None),
    )


@bp.post("/signposts")
@requires_permission(CASELOAD_VIEW)
def add_signpost(referral_id: int) -> Any:
    referral = _load(referral_id)
    form = AddSuggestionForm()
    if not form.validate_on_submit():
        flash("Choose a service to suggest.", "error")
        return _back(referral_id)
    try:
        support.suggest_service(
            current_user,
            referral,
            form.service_id.data,
            accompanied_visit=form.accompanied_visit.data,
            buddy=form.buddy.data,
        )
    except PrescribingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("prescribing.case.find_services", referral_id=referral_id)), 303
    flash("Service suggested.", "success")
    return _back(referral_id, "#signposts")


@bp.post("/signposts/<int:signpost_id>")
@requires_permission(CASELOAD_VIEW)
def update_signpost(referral_id: int, signpost_id: int) -> Any:
    referral = _load(referral_id)
    form = SuggestionStatusForm(prefix=f"sp{signpost_id}")
    if not form.validate_on_submit():
        return _case(referral, 400)
    try:
        support.update_suggestion(
            current_user,
            referral,
            signpost_id,
            SuggestionStatus(form.status.data),
            reason=form.reason.data,
            accompanied_visit=form.accompanied_visit.data,
            buddy=form.buddy.data,
        )
    except PrescribingError as exc:
        flash(str(exc), "error")
        return _case(referral, 400)
    flash("Signpost updated.", "success")
    return _back(referral_id, "#signposts")


@bp.post("/onward")
@requires_permission(CASELOAD_VIEW)
def onward(referral_id: int) -> Any:
    referral = _load(referral_id)
    form = OnwardForm(prefix="onward")
    if not form.validate_on_submit():
        return _case(referral, 400, onward=form)
    try:
        support.refer_onward(
            current_user, referral, OnwardKind(form.kind.data), form.notes.data or ""
        )
    except PrescribingError as exc:
        return _error(referral, "onward", form, str(exc))
    flash("Onward referral recorded.", "success")
    return _back(referral_id)


@bp.route("/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@requires_permission(CASELOAD_VIEW)
def follow_up(referral_id: int, follow_up_id: int) -> Any:
    """The three-week check or the six-week review, whichever this follow-up is."""
    referral = _load(referral_id)
    item = next((f for f in referral.follow_ups if f.id == follow_up_id), None)
    if item is None:
        abort(404)
    review = item.kind is FollowUpKind.SIX_WEEK_REVIEW
    form = ReviewForm() if review else CheckForm()
    if form.validate_on_submit():
        try:
            if review:
                statuses = {
                    g.id: request.form.get(f"goal_{g.id}", g.status) for g in referral.goals
                }
                followups.complete_review(
                    current_user,
                    referral,
                    follow_up_id,
                    followups.ReviewDetails(
                        done_on=form.done_on.data,
                        notes=form.notes.data or "",
                        goal_statuses=statuses,
                        measures=measure_answers(form),
                        decision=form.decision.data,
                        outcome=CloseOutcome(form.outcome.data) if form.outcome.data else None,
                    ),
                )
            else:
                followups.complete_check(
                    current_user,
                    referral,
                    follow_up_id,
                    followups.CheckDetails(
                        done_on=form.done_on.data,
                        progress=form.progress.data or "",
                        other_support_needed=form.other_support_needed.data,
                    ),
                )
        except PrescribingError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"{item.kind.label} recorded.", "success")
            return _back(referral_id)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "prescribing/follow_up.html",
        referral=referral,
        item=item,
        form=form,
        review=review,
        goal_choices=GoalStatus.choices(),
        copyright=SWEMWBS_COPYRIGHT,
    ), status


@bp.get("/plan")
@requires_permission(CASELOAD_VIEW)
def plan(referral_id: int) -> Any:
    """A printable plan and summary for the person."""
    referral = _load(referral_id, audit="referral.print_plan")
    full = worklists.load_case(referral.id)
    return render_template(
        "prescribing/plan.html", referral=full, services=_services_for(full), kinds=FollowUpKind
    )
