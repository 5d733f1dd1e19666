"""Readying a new web worker before it takes requests (gunicorn's ``post_worker_init``).

A worker's first search used to pay for everything done once per process: compiling the page
templates, the first database connection and statements, opening the search index and mapping
its table, and the postings of common words. Done here, before the worker accepts a
connection, that cost moves out of the first person's wait.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import text

from signpost.extensions import db

log = logging.getLogger(__name__)

PAGE_TEMPLATES = (
    "base.html",
    "home.html",
    "directory/search.html",
    "directory/_result.html",
    "directory/service.html",
)
WARM_WORDS = "advice+support+group"


def warm_up(app: Flask) -> None:
    """Compile the public templates and answer two API searches, recording nothing.

    Never stops a worker from starting: a problem here is logged and the worker serves anyway.
    """
    try:
        for name in PAGE_TEMPLATES:
            app.jinja_env.get_template(name)
        with app.app_context():
            outcode = db.session.scalar(text("SELECT outcode FROM outcode LIMIT 1"))
            db.session.remove()
        # The open API is read-only and records nothing, so its requests warm the whole path
        # (statements, index, table) without leaving a trace in usage figures.
        client = app.test_client()
        client.get(f"/api/services?search={WARM_WORDS}&per_page=20")
        if outcode:
            client.get(
                f"/api/service_at_locations?search={WARM_WORDS}&postcode={outcode}"
                "&proximity=8000&per_page=20"
            )
    except Exception:  # noqa: BLE001 - a cold worker is better than no worker
        log.warning(
            "Warming up the web worker failed; it will warm up on its first requests.",
            exc_info=True,
        )
