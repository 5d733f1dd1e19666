"""Web security: cookie flags, response headers, request ids and log scrubbing.

Referrer-Policy is ``strict-origin-when-cross-origin``, not ``no-referrer``: other sites (a
service's own website a person follows a link to) see only our origin, never a path or query,
while our own pages still send the full Referer to us. Flask-WTF checks that same-origin Referer
on every HTTPS form post (``WTF_CSRF_SSL_STRICT``), so ``no-referrer`` would break every form.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, jsonify, request

from signpost.access import PUBLIC, access_rule
from signpost.errors import render_error

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Set cookie flags and install the per-request hooks and log scrubbing."""
    secure = app.config.get("PREFERRED_URL_SCHEME") == "https"
    for prefix in ("SESSION", "REMEMBER"):  # Flask's session and Flask-Login's remember-me
        app.config[f"{prefix}_COOKIE_HTTPONLY"] = True
        app.config[f"{prefix}_COOKIE_SAMESITE"] = "Lax"
        app.config[f"{prefix}_COOKIE_SECURE"] = secure
    csp = content_security_policy(app.config.get("MAP_TILE_URL") or "")
    # First of all before-request hooks, so even a request CSRFProtect rejects has an id.
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    app.before_request(_refuse_nul_characters)
    app.after_request(lambda response: _add_headers(app, response, csp))
    install_log_scrubbing()


def _refuse_nul_characters() -> Response | tuple[Any, int] | None:
    """Turn away a NUL character in any parameter before it reaches an operation.

    No page or form needs one, and PostgreSQL cannot store one in text, so letting it through
    would end as a server error deep in a query or a usage count instead of a clear answer.
    """
    fields = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += list(request.form.items(multi=True))
    for name, value in fields:
        if "\x00" in name or "\x00" in value:
            shown = name.replace("\x00", "")
            if request.path.startswith("/api/"):
                return jsonify(
                    {
                        "error": "bad_parameter",
                        "parameter": shown,
                        "message": "contains a character that is not allowed",
                    }
                ), 400
            return render_error(400)
    return None


def content_security_policy(map_tile_url: str = "") -> str:
    """Our CSP: everything from our own origin, no inline script, no framing."""
    img_src = "'self' data:"
    tile_source = _tile_source(map_tile_url)
    if tile_source:
        img_src += " " + tile_source
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img_src}",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def _tile_source(url: str) -> str:
    """The CSP source for a tile URL template (``{s}.tile.example.org`` → ``*.tile.example.org``)."""
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = re.sub(r"^\{[a-z]+\}\.", "*.", parts.netloc)
    return f"{parts.scheme}://{host}"


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID_PATTERN.match(incoming) else secrets.token_hex(8)


def _add_headers(app: Flask, response: Response, csp: str) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request_id := g.get("request_id"):
        headers.setdefault("X-Request-ID", request_id)
    if request.is_secure or app.config.get("PREFERRED_URL_SCHEME") == "https":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if is_private_response():
        # Staff pages may show personal details: never kept by the browser or any cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
        response.vary.add("Cookie")
    return response


def is_private_response() -> bool:
    """True when the response may hold anything not meant for the public."""
    if _signed_in():
        return True
    view = _current_view()
    if request.path.startswith("/admin"):
        return True
    # A view with no rule (only `static`; the access-matrix test catches any other) stays public.
    return view is not None and access_rule(view) not in (PUBLIC, None)


def _current_view() -> Any:
    from flask import current_app

    if request.url_rule is None:
        return None
    return current_app.view_functions.get(request.url_rule.endpoint)


def _signed_in() -> bool:
    try:
        from flask_login import current_user
    except ImportError:  # pragma: no cover - Flask-Login is a dependency
        return False
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # no login manager configured on this app
        return False


# --- logs without personal data ------------------------------------------------------------

_QUERY = re.compile(r"(?<=[\w/%\]\)])\?[^\s\"'<>]+")
_FORM = re.compile(r"\b[\w.\-\[\]]+=[^&\s\"']*(?:&[\w.\-\[\]]+=[^&\s\"']*)+")
_MULTIDICT = re.compile(r"(?:Immutable)?(?:Combined)?MultiDict\(\[.*?\]\)", re.S)
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.S)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def scrub(text: str) -> str:
    """Remove query strings, form data, SQL parameters and email addresses from log text."""
    text = _SQL_PARAMETERS.sub("[parameters removed]", text)
    text = _MULTIDICT.sub("[form data removed]", text)
    text = _QUERY.sub("?[query removed]", text)
    text = _FORM.sub("[form data removed]", text)
    return _EMAIL.sub("[email removed]", text)


class PersonalDataFilter(logging.Filter):
    """A logging filter that rewrites each record without query strings or form data.

    It formats the message (and any traceback) once, scrubs the text, and stores the result, so
    every handler downstream sees only the clean version.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_signpost_scrubbed", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call: keep the raw template only
        message = str(record.msg)
    record.msg, record.args = scrub(message), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip())
        record.exc_info = None
    record._signpost_scrubbed = True  # type: ignore[attr-defined]
    return record


def install_log_scrubbing() -> None:
    """Scrub every log record in the process as it is created (idempotent).

    A filter on one logger misses records from its children and from libraries (werkzeug,
    gunicorn), so the filter runs from the record factory instead, before any handler.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_signpost_scrubbing", False):
        return

    def scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub_record(factory(*args, **kwargs))

    scrubbing_factory._signpost_scrubbing = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(scrubbing_factory)
