"""Signpost: a community directory and social prescribing service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import configure_mappers

from signpost.config import load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application as a short list of named steps."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, test_config)
    init_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_cli(app)
    register_error_pages(app)
    return app


def init_extensions(app: Flask) -> None:
    from signpost import accounts, database, migrations_cli, security, unit_of_work
    from signpost.extensions import csrf, db, limiter

    db.init_app(app)
    database.init_app(app)
    unit_of_work.init_app(app)  # one commit per request; first, so its hook runs last
    migrations_cli.init_app(app, PROJECT_ROOT / "migrations")
    csrf.init_app(app)
    security.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    accounts.init_app(app)  # Flask-Login, idle sessions, sign-in and admin pages, `flask users`
    import_models()


def import_models() -> None:
    """Import every package's models so metadata (and Alembic) sees all tables."""
    import directory.models  # noqa: F401
    import directory.public.feedback  # noqa: F401
    import directory.public.usage  # noqa: F401
    import prescribing.models  # noqa: F401
    import search_index.geo_models  # noqa: F401
    import search_index.models  # noqa: F401
    import signpost.accounts.models  # noqa: F401
    import signpost.audit.models  # noqa: F401
    import signpost.messaging.models  # noqa: F401

    # Link the mappers now, while the app starts, instead of in the first request that
    # queries (about a second of a new worker's first search).
    configure_mappers()


def register_blueprints(app: Flask) -> None:
    from directory.api import bp as oruk_api_bp
    from directory.public.staff_views import bp as public_staff_bp
    from directory.public.views import bp as public_bp
    from directory.views import bp as directory_bp
    from prescribing.views import bp as prescribing_bp
    from signpost.audit.views import bp as audit_bp
    from signpost.views import bp as core_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(public_staff_bp)
    app.register_blueprint(oruk_api_bp)
    app.register_blueprint(prescribing_bp)


def register_template_helpers(app: Flask) -> None:
    from signpost import templating

    templating.init_app(app)  # date filters, the staff links in the header


def register_cli(app: Flask) -> None:
    from directory import cli as directory_cli
    from prescribing import cli as prescribing_cli
    from search_index import cli as search_cli
    from search_index import geo_cli
    from signpost.audit import cli as audit_cli
    from signpost.messaging import cli as messages_cli

    directory_cli.init_app(app)
    search_cli.init_app(app)  # also keeps the index in step with every session
    audit_cli.init_app(app)
    messages_cli.init_app(app)
    geo_cli.init_app(app)
    prescribing_cli.init_app(app)


def register_error_pages(app: Flask) -> None:
    from signpost import errors

    errors.init_app(app)
