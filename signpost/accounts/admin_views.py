"""Admin screens: list, invite, edit, disable users; reset two-factor; teams and practices."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from signpost.access import requires_permission
from signpost.accounts import operations, tokens
from signpost.accounts.forms import ConfirmForm, UserForm, choice
from signpost.accounts.models import User
from signpost.extensions import db
from signpost.permissions import USERS_MANAGE

bp = Blueprint("admin_users", __name__, url_prefix="/admin")


def _actor() -> User:
    return current_user._get_current_object()


def _fill_choices(form: UserForm) -> None:
    from directory.models import Organization

    form.team_id.choices = [choice("", "No team")] + [
        choice(t.id, t.name) for t in operations.list_teams()
    ]
    form.referring_organisation_id.choices = [choice("", "None")] + [
        choice(o.id, f"{o.name} ({o.ods_code})" if o.ods_code else o.name)
        for o in operations.list_referring_organisations()
    ]
    form.organization_id.choices = [choice("", "None")] + [
        choice(o.id, o.name)
        for o in db.session.scalars(db.select(Organization).order_by(Organization.name).limit(2000))
    ]


def _invitation_link(raw: str) -> str:
    return url_for("accounts.accept_invitation", token=raw, _external=True)


@bp.get("/users")
@requires_permission(USERS_MANAGE)
def users() -> str:
    return render_template("admin/users.html", users=operations.list_users(actor=_actor()))


@bp.route("/users/invite", methods=["GET", "POST"])
@requires_permission(USERS_MANAGE)
def invite() -> Any:
    form = UserForm()
    _fill_choices(form)
    error = None
    if form.validate_on_submit():
        try:
            user = tokens.invite_user(
                form.email.data,
                form.name.data,
                form.roles.data,
                actor=_actor(),
                link_for=_invitation_link,
                team_id=form.team_id.data,
                referring_organisation_id=form.referring_organisation_id.data,
                organization_id=form.organization_id.data,
            )
        except operations.AccountError as exc:
            error = str(exc)
        else:
            flash(f"An invitation has been sent to {user.email}.", "info")
            return redirect(url_for("admin_users.users"))
    status = 200 if error is None and not form.errors else 400
    return render_template("admin/users_form.html", form=form, error=error, user=None), status


def _load(user_id: int) -> User:
    try:
        return operations.get_user(user_id, actor=_actor())
    except operations.AccountError:
        abort(404)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires_permission(USERS_MANAGE)
def edit(user_id: int) -> Any:
    user = _load(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
    _fill_choices(form)
    form.email.data = user.email  # the email address is the sign-in name: not edited here
    error = None
    if form.validate_on_submit():
        try:
            operations.update_user(
                user,
                actor=_actor(),
                name=form.name.data,
                roles=form.roles.data,
                team_id=form.team_id.data,
                referring_organisation_id=form.referring_organisation_id.data,
                organization_id=form.organization_id.data,
            )
        except operations.AccountError as exc:
            error = str(exc)
        else:
            flash(f"Saved the changes to {user.name}'s account.", "info")
            return redirect(url_for("admin_users.users"))
    status = 200 if error is None and not form.errors else 400
    return render_template(
        "admin/users_form.html", form=form, error=error, user=user, confirm=ConfirmForm()
    ), status


def _action(user_id: int, do: Any, message: str) -> Any:
    user = _load(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            do(user)
        except operations.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(message.format(name=user.name), "info")
    return redirect(url_for("admin_users.edit", user_id=user.id))


@bp.post("/users/<int:user_id>/disable")
@requires_permission(USERS_MANAGE)
def disable(user_id: int) -> Any:
    return _action(
        user_id,
        lambda u: operations.set_active(u, False, actor=_actor()),
        "{name} can no longer sign in, and has been signed out everywhere.",
    )


@bp.post("/users/<int:user_id>/enable")
@requires_permission(USERS_MANAGE)
def enable(user_id: int) -> Any:
    return _action(
        user_id,
        lambda u: operations.set_active(u, True, actor=_actor()),
        "{name} can sign in again.",
    )


@bp.post("/users/<int:user_id>/reset-mfa")
@requires_permission(USERS_MANAGE)
def reset_mfa(user_id: int) -> Any:
    return _action(
        user_id,
        lambda u: operations.reset_mfa(u, actor=_actor()),
        "{name} will set up two-factor sign-in again next time they sign in.",
    )


@bp.post("/users/<int:user_id>/resend-invitation")
@requires_permission(USERS_MANAGE)
def resend_invitation(user_id: int) -> Any:
    return _action(
        user_id,
        lambda u: tokens.send_invitation(u, actor=_actor(), link_for=_invitation_link),
        "A new invitation has been sent to {name}.",
    )


@bp.route("/teams", methods=["GET", "POST"])
@requires_permission(USERS_MANAGE)
def teams() -> Any:
    error = None
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            if request.form.get("kind") == "practice":
                operations.create_referring_organisation(
                    request.form.get("name", ""), request.form.get("ods_code"), actor=_actor()
                )
            else:
                operations.create_team(request.form.get("name", ""), actor=_actor())
        except operations.AccountError as exc:
            error = str(exc)
        else:
            flash("Added.", "info")
            return redirect(url_for("admin_users.teams"))
    return render_template(
        "admin/users_teams.html",
        form=form,
        error=error,
        teams=operations.list_teams(),
        practices=operations.list_referring_organisations(),
    ), (400 if error else 200)
