"""Shared by the ORUK API, import and export tests: schema validation against the standard's files.

The schemas are read from ../shared/standards at test time (never copied into the repository).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory.models import (
    Accessibility,
    AccessibilityFeature,
    Contact,
    CostOption,
    Funding,
    Language,
    Phone,
    Service,
)
from signpost.extensions import db

REPO = Path(__file__).resolve().parent.parent
STANDARDS = REPO.parent / "shared" / "standards"
COMPILED = STANDARDS / "oruk-3.0" / "schema" / "compiled"
PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


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
    resources = [
        (
            p.name,
            Resource.from_contents(
                json.loads(p.read_text(encoding="utf-8")), default_specification=DRAFT202012
            ),
        )
        for p in (STANDARDS / "oruk-3.0" / "schema").glob("*.json")
    ]
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


@pytest.fixture
def rich_service(
    make_service: Callable[..., Service],
    make_location: Callable[..., Any],
    make_taxonomy_term: Callable[..., Any],
    make_organization: Callable[..., Any],
) -> Service:
    """A service with every kind of related record the full shape shows."""
    parent = make_taxonomy_term("Food")
    term = make_taxonomy_term("Lunch clubs", parent=parent)
    org = make_organization(
        name="Lynn Lunch Trust",
        email="hello@example.org",
        website="https://lunch.example.org",
        registration_number="1234567",
    )
    location = make_location(accessibility=("wheelchair",))
    service = make_service(
        name="Friday Lunch Club",
        organization=org,
        locations=[location],
        terms=[term],
        schedules=[(4, "12:00", "14:00"), (1, "18:00", "01:00")],
        areas=["PE30"],
        phone="01632 960 001",
        minimum_age=60,
        maximum_age=None,
        email="lunch@example.org",
        url="https://lunch.example.org/friday",
        assured_date=date(2024, 5, 1),
        description="A hot two-course lunch and a chat, every Friday.",
    )
    service.cost_options.append(
        CostOption(option="Meal", amount=Decimal("3.50"), amount_description="per meal")
    )
    service.languages.append(Language(name="Polish", code="pl"))
    contact = Contact(name="Ann Example", title="Organiser", email="ann@example.org")
    contact.phones.append(Phone(number="01632 960 002"))
    service.contacts.append(contact)
    service.fundings.append(Funding(source="Borough council grant"))
    location.accessibility.append(
        Accessibility(feature=AccessibilityFeature.HEARING_LOOP, description="Loop at the counter")
    )
    db.session.commit()
    return service
