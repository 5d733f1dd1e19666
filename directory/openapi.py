"""Our own OpenAPI 3 description of the /api endpoints (what we serve, as we serve it)."""

from __future__ import annotations

from typing import Any

from directory.oruk_query import MAX_AGE, MAX_PER_PAGE, MAX_PROXIMITY_METRES, MAX_SEARCH_LENGTH


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


PAGING = [
    _query("page", "Page number, counting from 1.", {"type": "integer", "minimum": 1}),
    _query(
        "per_page",
        f"Items per page, 1 to {MAX_PER_PAGE} (default 20).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    ),
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SERVICE_FILTERS = [
    _query(
        "search",
        "Words to look for (plain words, no query syntax).",
        {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
    ),
    *PAGING,
    _query(
        "taxonomy_term_id",
        "Services filed under this term or any term below it.",
        {"type": "string"},
    ),
    _query("taxonomy_id", "Services with any term of this taxonomy.", {"type": "string"}),
    _query(
        "minimum_age",
        "Lowest age of the people in question; services whose age range overlaps match.",
        {"type": "number", "minimum": 0, "maximum": MAX_AGE},
    ),
    _query(
        "maximum_age",
        "Highest age of the people in question; services whose age range overlaps match.",
        {"type": "number", "minimum": 0, "maximum": MAX_AGE},
    ),
    _query(
        "start_time",
        "Open at this time (HH:MM, UK local time).",
        {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$"},
    ),
    _query(
        "end_time",
        "Still open up to this time (HH:MM). With start_time: open for the whole window.",
        {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$"},
    ),
    _query(
        "day", "Open on this day of the week (Monday, or MO).", {"type": "string", "enum": DAYS}
    ),
]
PLACE_FILTERS = [
    _query("postcode", "A UK postcode (or postcode district); nearest first.", {"type": "string"}),
    _query(
        "proximity",
        "With postcode: only within this many metres of the postcode's centre.",
        {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_PROXIMITY_METRES},
    ),
]


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
        "properties": {
            "total_items": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"},
            "size": {"type": "integer"},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": item},
        },
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


RECORD = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
ERRORS = {
    "400": _json("A parameter could not be used.", {"$ref": "#/components/schemas/Error"}),
}
NOT_FOUND = {"404": _json("No public record has this id.", {"$ref": "#/components/schemas/Error"})}


def _list(summary: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": _json(summary, _page_of(RECORD)), **ERRORS},
        }
    }


def _one(summary: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": _json(summary, RECORD), **NOT_FOUND},
        }
    }


def build_openapi(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document for this API, with `server_url` as its base."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Signpost directory: Open Referral UK 3.0 API",
            "version": "3.0",
            "description": "Public, read-only access to the directory's approved, active "
            "services. No key needed.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/": {
                "get": {
                    "summary": "About this API",
                    "responses": {
                        "200": _json(
                            "Version, profile and where this document is.",
                            {
                                "type": "object",
                                "required": ["version", "profile", "openapi_url"],
                                "properties": {
                                    "version": {"type": "string"},
                                    "profile": {"type": "string"},
                                    "openapi_url": {"type": "string"},
                                },
                            },
                        )
                    },
                }
            },
            "/services": _list(
                "Services, one page at a time: by relevance for a text search, "
                "otherwise by name (then id).",
                SERVICE_FILTERS,
            ),
            "/services/{id}": _one("A fully nested service."),
            "/service_at_locations": _list(
                "Services at their locations, one page at a time.", SERVICE_FILTERS + PLACE_FILTERS
            ),
            "/service_at_locations/{id}": _one("A service at a location, fully nested."),
            "/taxonomies": _list("Taxonomies.", PAGING),
            "/taxonomies/{id}": _one("A taxonomy with its terms."),
            "/taxonomy_terms": _list(
                "Taxonomy terms.",
                PAGING
                + [_query("taxonomy_id", "Only terms of this taxonomy.", {"type": "string"})],
            ),
            "/taxonomy_terms/{id}": _one("A taxonomy term."),
            "/organizations": _list("Organisations with at least one public service.", PAGING),
            "/organizations/{id}": _one("An organisation with its public services."),
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "parameter": {"type": "string"},
                        "message": {"type": "string"},
                    },
                }
            }
        },
    }
