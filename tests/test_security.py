"""Security headers, cookie flags, error pages and logs without personal data."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import session

from signpost import create_app
from signpost.security import content_security_policy, scrub
from tests.accounts_support import FAST_HASHING, sign_in_as

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return FAST_HASHING


def _assert_security_headers(response) -> None:
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert len(response.headers["X-Request-ID"]) >= 8


def test_public_page_has_security_headers_and_may_be_cached(client):
    response = client.get("/")
    assert response.status_code == 200
    _assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_api_response_has_security_headers(client):
    response = client.get("/api/")
    assert response.is_json
    _assert_security_headers(response)


def test_error_page_has_security_headers(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    _assert_security_headers(response)
    assert "Page not found" in response.get_data(as_text=True)


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_map_tile_host_is_allowed_for_images_only():
    csp = content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tile.example.org;" in csp
    assert "script-src 'self';" in csp
    assert content_security_policy("not a url") == CSP


def test_staff_pages_and_signed_in_users_are_never_cached(client, make_user):
    assert client.get("/admin/audit/").headers["Cache-Control"] == "no-store"
    sign_in_as(client, make_user("champion"))
    response = client.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers["Vary"]


def _cookie_app(database_url: str, tmp_path, **config: Any):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(tmp_path),
            "SERVER_NAME": "localhost",
            **config,
        }
    )

    @app.get("/test-set-session")
    def set_session() -> str:
        session["seen"] = True
        return "ok"

    return app


def test_session_cookie_is_httponly_and_samesite_lax(database_url, tmp_path, _schema):
    app = _cookie_app(database_url, tmp_path)
    cookie = app.test_client().get("/test-set-session").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_served_over_https(database_url, tmp_path, _schema):
    app = _cookie_app(database_url, tmp_path, PREFERRED_URL_SCHEME="https")
    response = app.test_client().get("/test-set-session", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


# --- error pages ---------------------------------------------------------------------------


@pytest.fixture
def broken_app(app):
    @app.route("/test-broken", methods=["GET", "POST"])
    @app.get("/api/test-broken")
    def broken() -> str:
        raise RuntimeError("database fell over")

    @app.post("/test-form")
    def form() -> str:
        return "saved"

    return app


def test_api_errors_answer_json(client):
    response = client.get("/api/services/no-such-id")
    assert response.status_code == 404 and response.is_json
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.json["error"] == "Page not found" and response.json["reference"]


def test_method_not_allowed_keeps_the_allow_header(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "That action is not possible here" in response.get_data(as_text=True)


def test_500_page_shows_no_stack_trace_and_the_log_has_no_query_or_form(broken_app, client, caplog):
    caplog.set_level(logging.INFO)
    response = client.post(
        "/test-broken?postcode=PE30+1EX&name=Ann",
        data={"nhs_number": "9434765919", "email": "ann@example.org"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in page
    assert "Traceback" not in page and "database fell over" not in page
    assert response.headers["X-Request-ID"] in page  # a reference to quote to support
    logged = "\n".join(caplog.text.splitlines())
    assert "Unhandled RuntimeError on POST /test-broken" in logged
    for secret in ("PE30", "Ann", "9434765919", "ann@example.org"):
        assert secret not in logged


def test_500_for_the_api_is_json(broken_app, client):
    response = client.get("/api/test-broken")
    assert response.status_code == 500
    assert "database fell over" not in response.get_data(as_text=True)
    assert response.json["error"] == "Sorry, something went wrong on our side"


def test_expired_form_gets_a_friendly_page_and_nothing_is_saved(broken_app, client):
    broken_app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/test-form", data={"name": "Ann"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form expired" in page and "reload the page" in page
    assert "saved" not in page
    _assert_security_headers(response)


# --- logs ----------------------------------------------------------------------------------


def test_request_log_lines_lose_their_query_strings(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info(
        "%s - - [%s] %s",
        "127.0.0.1",
        "01/Jan/2025",
        '"GET /search?where=PE30+1EX&q=debt HTTP/1.1" 200 -',
    )
    assert '"GET /search?[query removed] HTTP/1.1" 200' in caplog.text
    assert "PE30" not in caplog.text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("POST /referrals?nhs=9434765919 failed", "POST /referrals?[query removed] failed"),
        ("body name=Ann+Smith&postcode=PE30+1EX&dob=1950-01-01", "body [form data removed]"),
        ("form ImmutableMultiDict([('name', 'Ann')]) bad", "form [form data removed] bad"),
        ("sent to ann@example.org", "sent to [email removed]"),
        (
            "IntegrityError\n[SQL: INSERT ...]\n[parameters: ('Ann', 'PE30 1EX')]",
            "IntegrityError\n[SQL: INSERT ...]\n[parameters removed]",
        ),
        ("Is it working? yes", "Is it working? yes"),
        ("status=ok", "status=ok"),
    ],
)
def test_scrub_removes_personal_data_from_log_text(raw, clean):
    assert scrub(raw) == clean


def test_logged_exceptions_are_scrubbed_too(app, caplog):
    try:
        raise ValueError("bad value for /people?nhs=9434765919")
    except ValueError:
        logging.getLogger("signpost.test").exception("failed for ann@example.org")
    assert "9434765919" not in caplog.text and "ann@example.org" not in caplog.text
    assert "ValueError: bad value for /people?[query removed]" in caplog.text


def test_a_nul_character_in_a_parameter_gets_a_clear_400_and_saves_nothing(client):
    """PostgreSQL cannot store NUL in text: it must be turned away before any query or count."""
    from directory.public.feedback import ServiceSuggestion
    from directory.public.usage import SearchEvent
    from signpost.extensions import db

    api = client.get("/api/services?taxonomy_term_id=%00")
    assert api.status_code == 400
    assert api.get_json() == {
        "error": "bad_parameter",
        "parameter": "taxonomy_term_id",
        "message": "contains a character that is not allowed",
    }
    page = client.get("/search?q=lunch%00club")
    assert page.status_code == 400
    assert "Something in that request was not right" in page.get_data(as_text=True)
    form = client.post("/suggest", data={"name": "Lunch\x00club"})
    assert form.status_code == 400
    assert db.session.query(SearchEvent).count() == 0
    assert db.session.query(ServiceSuggestion).count() == 0
