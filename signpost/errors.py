"""Friendly error pages: plain words and a way forward, never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and check what you entered."),
    403: ("You cannot see this page", "If you think you should be able to, ask your administrator."),
    404: ("Page not found", "The page may have moved, or the address may be mistyped."),
    405: ("That action is not possible here", "Please go back and try again."),
    413: ("That was too large to send", "Please send something smaller."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: ("Sorry, something went wrong on our side", "Please try again later."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def render_error(code: int) -> tuple[object, int]:
    title, advice = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify({"status": code, "error": title, "detail": advice}), code
    return render_template("error.html", code=code, title=title, advice=advice), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[object, int]:
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[object, int]:
        # Logged with its type and stack only: request data (which may hold personal details)
        # is never written to the log.
        app.logger.exception("Unhandled %s on %s %s", type(exc).__name__, request.method,
                             request.url_rule.rule if request.url_rule else "(no route)")
        return render_error(500)
