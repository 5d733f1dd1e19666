"""Friendly error pages: plain words and a way forward, never a stack trace or personal details.

Pages under ``/api/`` (and requests that ask for JSON) get a JSON body instead of HTML. Each page
shows the request's reference (``X-Request-ID``) so staff can quote it to support, and the log
line for an unexpected error names only the exception type and the route, never the URL's query
string or anything that was typed into a form.
"""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and check what you entered."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: (
        "You cannot see this page",
        "If you think you should be able to, ask your administrator.",
    ),
    404: ("Page not found", "The page may have moved, or the address may be mistyped."),
    405: ("That action is not possible here", "Please go back and try again."),
    413: ("That was too large to send", "Please send something smaller."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: ("Sorry, something went wrong on our side", "Please try again later."),
    503: ("Sorry, the service is unavailable", "Please try again in a few minutes."),
}
CSRF_MESSAGE = (
    "Your form expired",
    "For your security, forms stop working after a while or when you sign in again. Please go "
    "back, reload the page and send the form again.",
)
# Headers from an HTTP error that a client needs (which methods are allowed, when to retry).
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def render_error(
    code: int, message: tuple[str, str] | None = None, headers: dict[str, str] | None = None
) -> Response:
    """An error response in HTML or JSON, with the given or standard wording."""
    title, advice = message or MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    reference = g.get("request_id")
    if wants_json():
        response = jsonify(
            {"status": code, "error": title, "detail": advice, "reference": reference}
        )
    else:
        response = Response(
            render_template(
                "error.html", code=code, title=title, advice=advice, reference=reference
            ),
            mimetype="text/html",
        )
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _kept_headers(exc: HTTPException) -> dict[str, str]:
    return {name: value for name, value in exc.get_headers() if name in KEPT_HEADERS}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response:
        app.logger.info(
            "CSRF check failed on %s %s: %s",
            request.method,
            request.url_rule.rule if request.url_rule else "(no route)",
            exc.description,
        )
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return render_error(exc.code or 500, headers=_kept_headers(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # The type and stack only: request data (which may hold personal details) is never
        # logged, and signpost.security scrubs query strings and SQL parameters from the text.
        app.logger.exception(
            "Unhandled %s on %s %s (request %s)",
            type(exc).__name__,
            request.method,
            request.url_rule.rule if request.url_rule else "(no route)",
            g.get("request_id"),
        )
        return render_error(500)
