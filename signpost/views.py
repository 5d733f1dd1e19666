"""Site-wide pages that belong to no single feature."""

from __future__ import annotations

from flask import Blueprint, render_template

from directory import operations
from signpost.access import public

bp = Blueprint("core", __name__)


@bp.get("/")
@public
def home() -> str:
    """The front door: one search, and the categories people use most."""
    return render_template("home.html", categories=operations.top_level_categories())


@bp.get("/healthz")
@public
def health() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200
