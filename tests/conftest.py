"""Shared fixtures: an app per test on a clean database, a client, page helper and factories.

The database comes from ``SIGNPOST_TEST_DATABASE_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); without it, a SQLite file per session.
The schema is created once per session; each test ends by emptying every table.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from signpost import create_app
from signpost.extensions import db
from tests.page_checks import check_page

pytest_plugins = [
    "tests.factories",
    "tests.accounts_support",
    "tests.oruk_helpers",
    "tests.prescribing_support",
]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SIGNPOST_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Create every table once for the session (drop first: a crashed run may have left some)."""
    app = create_app(_test_config(database_url, str(tmp_path_factory.mktemp("index"))))
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
        db.engine.dispose()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _drop_alembic_version() -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _test_config(database_url: str, index_dir: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": index_dir,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        **extra,
    }


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def app(
    _schema: None, database_url: str, tmp_path: Any, app_config: dict[str, Any]
) -> Iterator[Flask]:
    app = create_app(_test_config(database_url, str(tmp_path / "search-index"), **app_config))
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


def empty_all_tables() -> None:
    """Delete every row, children first, so the next test starts clean."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


@pytest.fixture
def page(app: Flask, client: FlaskClient) -> Callable[..., BeautifulSoup]:
    """Request a page, assert its status, check it (tests/page_checks.py), return it parsed.

    ``title=`` also asserts the page's own title (the part before " – <site name>").
    """

    def get(
        url: str, status: int = 200, method: str = "get", title: str | None = None, **kwargs: Any
    ) -> BeautifulSoup:
        response = getattr(client, method)(url, **kwargs)
        html = response.get_data(as_text=True)
        assert response.status_code == status, (
            f"{method.upper()} {url}: expected {status}, got {response.status_code}\n" + html[:2000]
        )
        soup = check_page(
            html,
            site_name=app.config["SITE_NAME"],
            csrf=app.config.get("WTF_CSRF_ENABLED", True),
            url=url,
        )
        if title is not None:
            assert soup.title.get_text(strip=True) == f"{title} – {app.config['SITE_NAME']}"
        return soup

    return get
