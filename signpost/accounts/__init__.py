"""Staff accounts: users and roles, signing in (password + two-factor), sessions, admin screens.

``init_app`` wires Flask-Login, the idle-session timeout, the blueprints and ``flask users``.
"""

from __future__ import annotations

import time

from flask import Flask, session
from flask_login import LoginManager, current_user, logout_user

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"

IDLE_KEY = "_last_seen"
EXPIRED_KEY = "_expired"


def init_app(app: Flask) -> None:
    """Bind Flask-Login, end idle sessions, and register the pages and commands."""
    from signpost.accounts import authentication, cli, models  # noqa: F401 - models for metadata
    from signpost.accounts.admin_views import bp as admin_bp
    from signpost.accounts.views import bp

    login_manager.init_app(app)
    login_manager.user_loader(authentication.load_session_user)
    app.before_request(end_idle_session)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    cli.init_app(app)


def end_idle_session() -> None:
    """Sign a user out when their last request was longer ago than SESSION_IDLE_MINUTES."""
    from flask import current_app, g

    # Load the user afresh for every request, even when an app context outlives one request
    # (the test client reuses an outer app context, and with it ``g``).
    g.pop("_login_user", None)
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    last_seen = session.get(IDLE_KEY)
    limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    if last_seen is not None and now - int(last_seen) > limit:
        from signpost.accounts.authentication import record_sign_out

        record_sign_out(current_user._get_current_object(), reason="idle")
        logout_user()
        session.clear()
        session[EXPIRED_KEY] = True
        return
    session[IDLE_KEY] = now
