"""Signing in and out, two-factor set-up, password reset and invitations (thin views)."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from signpost.access import public, signed_in, signed_in_pending_mfa
from signpost.accounts import EXPIRED_KEY, IDLE_KEY, operations, tokens, totp
from signpost.accounts.authentication import (
    SignInFailed,
    check_password,
    check_second_factor,
    load_session_user,
    normalise_email,
    record_sign_out,
    sign_out_everywhere,
)
from signpost.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
)
from signpost.accounts.models import TokenPurpose, User
from signpost.extensions import limiter

bp = Blueprint("accounts", __name__)

PENDING_KEY = "_mfa_pending"
PENDING_SECONDS = 300


def _per_address() -> str:
    return current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"]


def _per_account() -> str:
    return current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def _pending_key() -> str:
    return "pending:" + str(session.get(PENDING_KEY, ["none"])[0])


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another site) may be the place to go after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("accounts.account")


def _start_session(user: User, next_url: str | None) -> Any:
    session.clear()  # a fresh session after signing in (no fixation)
    login_user(user)
    session[IDLE_KEY] = int(time.time())
    if user.needs_mfa_setup:
        flash("Your role needs two-factor sign-in. Please set it up now.", "info")
        return redirect(url_for("accounts.two_factor_setup"))
    return redirect(_safe_next(next_url))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_per_address, key_func=get_remote_address, methods=["POST"], scope="sign-in-addr")
@limiter.limit(_per_account, key_func=_account_key, methods=["POST"], scope="sign-in-account")
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = SignInForm()
    error = None
    if session.pop(EXPIRED_KEY, False):
        flash(
            "You were signed out because you had not done anything for a while. "
            "Please sign in again.",
            "info",
        )
    if form.validate_on_submit():
        try:
            checked = check_password(form.email.data, form.password.data)
        except SignInFailed as exc:
            error = str(exc)
        else:
            if checked.needs_code:
                session.clear()
                session[PENDING_KEY] = [
                    checked.user.get_id(),
                    int(time.time()),
                    request.args.get("next"),
                ]
                return redirect(url_for("accounts.sign_in_code"))
            return _start_session(checked.user, request.args.get("next"))
    status = 200 if error is None and not form.errors else 400
    return render_template("accounts/sign_in.html", form=form, error=error), status


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@limiter.limit(_per_address, key_func=get_remote_address, methods=["POST"], scope="code-addr")
@limiter.limit(_per_account, key_func=_pending_key, methods=["POST"], scope="code-account")
def sign_in_code() -> Any:
    pending = session.get(PENDING_KEY)
    user = load_session_user(pending[0]) if pending else None
    if user is None or time.time() - pending[1] > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        flash("Please sign in again.", "info")
        return redirect(url_for("accounts.sign_in"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            check_second_factor(user, form.code.data)
        except SignInFailed as exc:
            error = str(exc)
        else:
            return _start_session(user, pending[2])
    status = 200 if error is None and not form.errors else 400
    return render_template("accounts/sign_in_code.html", form=form, error=error), status


@bp.post("/sign-out")
@signed_in_pending_mfa
def sign_out() -> Any:
    record_sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.get("/account")
@signed_in
def account() -> str:
    return render_template("accounts/account.html", user=current_user, form=ConfirmForm())


@bp.post("/account/sign-out-everywhere")
@signed_in_pending_mfa
def sign_out_all() -> Any:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.account"))
    sign_out_everywhere(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have been signed out on every device.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in_pending_mfa
def two_factor_setup() -> Any:
    user = current_user._get_current_object()
    if user.mfa_enabled:
        flash("Two-factor sign-in is already set up.", "info")
        return redirect(url_for("accounts.account"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            codes = operations.confirm_mfa_setup(user, form.code.data)
        except operations.AccountError as exc:
            error = str(exc)
        else:
            return render_template("accounts/recovery_codes.html", codes=codes, first_time=True)
    secret = operations.begin_mfa_setup(user)
    uri = totp.provisioning_uri(secret, user.email, current_app.config["SITE_NAME"])
    status = 200 if error is None and not form.errors else 400
    return render_template(
        "accounts/two_factor_setup.html", form=form, error=error, secret=secret, uri=uri
    ), status


@bp.post("/account/recovery-codes")
@signed_in
def new_recovery_codes() -> Any:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.account"))
    try:
        codes = operations.regenerate_recovery_codes(current_user._get_current_object())
    except operations.AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/recovery_codes.html", codes=codes, first_time=False)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Any:
    form = ChangePasswordForm()
    error = None
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            operations.change_password(user, form.current.data, form.password.data, actor=user)
        except operations.AccountError as exc:
            error = str(exc)
        else:
            login_user(user)  # this session carries on; every other one has ended
            flash(
                "Your password has been changed. You have been signed out on other devices.", "info"
            )
            return redirect(url_for("accounts.account"))
    status = 200 if error is None and not form.errors else 400
    return render_template("accounts/change_password.html", form=form, error=error), status


@bp.route("/password-reset", methods=["GET", "POST"])
@public
@limiter.limit(_per_address, key_func=get_remote_address, methods=["POST"], scope="reset-addr")
def request_reset() -> Any:
    form = ResetRequestForm()
    if form.validate_on_submit():
        tokens.request_password_reset(
            form.email.data,
            link_for=lambda raw: url_for("accounts.reset_password", token=raw, _external=True),
        )
        return render_template("accounts/reset_sent.html")
    status = 400 if form.errors else 200
    return render_template("accounts/reset_request.html", form=form), status


def _set_password_page(token: str, purpose: TokenPurpose, template: str) -> Any:
    try:
        user = tokens.check_token(token, purpose)
    except tokens.TokenInvalid as exc:
        return render_template("accounts/token_invalid.html", message=str(exc)), 400
    form = NewPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            tokens.redeem_token(token, purpose, form.password.data)
        except operations.AccountError as exc:
            error = str(exc)
        else:
            flash("Your password has been set. Please sign in.", "info")
            return redirect(url_for("accounts.sign_in"))
    status = 200 if error is None and not form.errors else 400
    return render_template(template, form=form, error=error, user=user), status


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_per_address, key_func=get_remote_address, methods=["POST"], scope="token-addr")
def reset_password(token: str) -> Any:
    return _set_password_page(token, TokenPurpose.PASSWORD_RESET, "accounts/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_per_address, key_func=get_remote_address, methods=["POST"], scope="token-addr")
def accept_invitation(token: str) -> Any:
    return _set_password_page(token, TokenPurpose.INVITATION, "accounts/accept_invitation.html")
