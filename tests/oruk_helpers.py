"""Shared by the ORUK API, import and export tests: schema validation against the standard's files.

The schemas are read from ../shared/standards at test time (never copied into the repository).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO = Path(__file__).resolve().parent.parent
STANDARDS = REPO.parent / "shared" / "standards"
COMPILED = STANDARDS / "oruk-3.0" / "schema" / "compiled"
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
             "empty", "contents"}


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for compiled/<name>.json, or schema/<name>.json for taxonomy shapes."""
    path = COMPILED / f"{name}.json"
    if not path.exists():
        path = STANDARDS / "oruk-3.0" / "schema" / f"{name}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker(), registry=_registry())


@cache
def _registry() -> Registry:
    """The standard's uncompiled schemas refer to each other by file name."""
    resources = [(p.name, Resource.from_contents(json.loads(p.read_text(encoding="utf-8")),
                                                 default_specification=DRAFT202012))
                 for p in (STANDARDS / "oruk-3.0" / "schema").glob("*.json")]
    return Registry().with_resources(resources)


def assert_valid(name: str, record: Any) -> None:
    errors = sorted(validator(name).iter_errors(record), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def assert_page(body: dict[str, Any], item_schema: str) -> None:
    """The page wrapper is exactly the standard's, and every item validates."""
    assert set(body) == PAGE_KEYS
    assert body["size"] == len(body["contents"])
    assert body["empty"] == (body["size"] == 0)
    assert body["first_page"] == (body["page_number"] == 1)
    assert body["last_page"] == (body["page_number"] >= body["total_pages"])
    for item in body["contents"]:
        assert_valid(item_schema, item)
