"""Turn the demo's data (places, kinds, organisations) into rows to save, the same every time.

Everything here is plain data: ids are uuid5 over a fixed namespace and a readable key, and all
variation comes from hashing that key, so two runs build identical rows.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from typing import Any

from directory.demo import places
from directory.demo.kinds_community import COMMUNITY_KINDS
from directory.demo.kinds_support import SUPPORT_KINDS
from directory.demo.organisations import ORGANISATIONS, DemoOrganisation
from directory.demo.service_kinds import (
    APPLICATION,
    CLOSED_ALERTS,
    LANGUAGE_SETS,
    PLACE_LINES,
    REMOTE_LINES,
    REMOTE_WELCOME,
    WELCOME,
    Kind,
    Span,
)
from directory.models import DeliveryMode, ReferralRoute, ServiceStatus

DEMO_NAMESPACE = uuid.UUID("5d0e6a3c-2f4b-4e55-9a57-6b1c3c0de001")
SOURCE = "signpost-demo"
KINDS: dict[str, Kind] = {kind.key: kind for kind in (*COMMUNITY_KINDS, *SUPPORT_KINDS)}
REMOTE_MODES = {"phone", "online", "home_visit"}
DAY_PLURALS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
# Which services are shown as paused or closed for good, by position in the build order.
INACTIVE_POSITIONS = frozenset({57, 211})
CLOSED_EVERY, CLOSED_OFFSET = 41, 13
OVERDUE_EVERY, OVERDUE_OFFSET = 8, 3
FREE_SOMETIMES = frozenset(
    {"social_club", "arts_crafts", "choir", "chair_exercise", "toddler_group", "youth_club"}
)


def demo_id(kind: str, key: str) -> str:
    """The fixed id of one demo record, so a second run finds the first run's rows."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}"))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


@dataclass
class ServicePlan:
    """One demo service: its own columns, and its child rows as lists of column dicts."""

    key: str
    kind: str
    fields: dict[str, Any]
    assured_days_ago: int
    modes: list[str]
    term_slugs: list[str]
    sites: list[dict[str, Any]] = field(default_factory=list)  # ServiceAtLocation rows
    schedules: list[dict[str, Any]] = field(default_factory=list)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # areas, costs, ...


@dataclass
class DemoPlan:
    organisations: list[dict[str, Any]]  # columns plus "phones"
    locations: list[dict[str, Any]]  # columns plus "addresses" and "accessibility"
    services: list[ServicePlan]


class _Chooser:
    """Deterministic choices for one service, each from a different slice of its hash."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.calls = 0

    def number(self) -> int:
        self.calls += 1
        return places.stable_number(self.key, str(self.calls))

    def pick(self, options: tuple[Any, ...] | list[Any]) -> Any:
        return options[self.number() % len(options)]

    def sample(self, options: tuple[Any, ...], count: int) -> list[Any]:
        """`count` different options, in an order that varies from service to service."""
        n = len(options)
        start, step = self.number() % n, 1 + self.number() % max(1, n - 1)
        if math.gcd(step, n) != 1:
            step = 1
        return [options[(start + i * step) % n] for i in range(min(count, n))]


def _org_domain(index: int, org: DemoOrganisation) -> str:
    return f"{org.key}.example.{'org' if index % 3 else 'com'}"


def build_organisations() -> list[dict[str, Any]]:
    rows = []
    for index, org in enumerate(ORGANISATIONS):
        town = places.TOWNS[org.town]
        domain = _org_domain(index, org)
        rows.append(
            {
                "id": demo_id("organization", org.key),
                "source": SOURCE,
                "source_id": org.key,
                "name": org.name,
                "legal_status": org.legal_status,
                "description": f"{org.mission} Based in {town.name}.",
                "email": f"hello@{domain}",
                "website": f"https://{domain}/",
                "phones": [
                    {
                        "id": demo_id("org-phone", org.key),
                        "number": f"01632 960{index:03d}",
                        "type": "voice",
                        "description": "Main office",
                    }
                ],
            }
        )
    return rows


def build_location(venue: places.Venue) -> dict[str, Any]:
    town = places.TOWNS[venue.town]
    latitude, longitude = places.venue_point(venue)
    return {
        "id": demo_id("location", venue.key),
        "source": SOURCE,
        "source_id": venue.key,
        "name": venue.name,
        "location_type": "physical",
        "latitude": latitude,
        "longitude": longitude,
        "transportation": venue.transport,
        "addresses": [
            {
                "id": demo_id("address", venue.key),
                "address_1": venue.address_1,
                "city": town.name,
                "state_province": town.county,
                "postal_code": venue.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
        "accessibility": [
            {"id": demo_id("accessibility", f"{venue.key}:{feature}"), "feature": feature}
            for feature in dict.fromkeys(venue.features)
        ],
    }


def _choose_venue(kind: Kind, town_key: str, chooser: _Chooser) -> places.Venue:
    candidates = places.VENUES_BY_TOWN[town_key]
    for tag in kind.venue_tags:
        tagged = [v for v in candidates if v.tag == tag]
        if tagged:
            return chooser.pick(tagged)
    indoor = [v for v in candidates if v.tag not in ("outdoor", "garden")]
    return chooser.pick(indoor or candidates)


def _resolve_days(spec: int | str, first: int, second: int, weekend: int) -> list[int]:
    if isinstance(spec, int):
        return [spec]
    return {
        "d": [first],
        "d2": [second],
        "s": [weekend],
        "wk": [0, 1, 2, 3, 4],
        "all": [0, 1, 2, 3, 4, 5, 6],
    }[spec]


def _build_schedules(
    key: str, spans: tuple[Span, ...], chooser: _Chooser, site_id: str | None
) -> tuple[list[dict[str, Any]], str]:
    first = chooser.number() % 5
    second = (first + 2 + chooser.number() % 2) % 5
    weekend = 5 + chooser.number() % 2
    rows: list[dict[str, Any]] = []
    for spec, opens, closes, notes in spans:
        for day in _resolve_days(spec, first, second, weekend):
            rows.append(
                {
                    "id": demo_id("schedule", f"{key}:{len(rows)}"),
                    "weekday": day,
                    "opens_at": time.fromisoformat(opens),
                    "closes_at": time.fromisoformat(closes),
                    "notes": notes,
                    "service_at_location_id": site_id,
                    "timezone": "Europe/London",
                }
            )
    spec = spans[0][0]
    day_words = (
        "weekdays"
        if spec == "wk"
        else "every day"
        if spec == "all"
        else DAY_PLURALS[rows[0]["weekday"]]
    )
    return rows, day_words


def _first_weekday(schedules: list[dict[str, Any]]) -> str:
    """The first opening day's name, for names like "Tuesday Club"."""
    return DAY_PLURALS[schedules[0]["weekday"]][:-1] if schedules else "Weekly"


def _nearest_outcodes(town: places.Town, count: int) -> list[str]:
    region = places.REGION_OUTCODES[town.region]
    centroids = {code: (lat, lon) for code, lat, lon, _t in places.OUTCODES}

    def distance(code: str) -> float:
        lat, lon = centroids[code]
        return (lat - town.latitude) ** 2 + ((lon - town.longitude) * 0.62) ** 2

    nearest = sorted(region, key=distance)[:count]
    if town.outcode in region and town.outcode not in nearest:
        nearest[-1] = town.outcode
    return nearest


def _build_areas(
    key: str, town: places.Town, kind_key: str, chooser: _Chooser
) -> list[dict[str, Any]]:
    la_code = places.REGION_LA[town.region]
    choice = chooser.number() % 3
    if kind_key in ("listening_line", "domestic_abuse"):
        choice = 3  # area-wide lines list the council area and every district
    areas: list[tuple[str, str, str]] = []
    if choice in (0, 3):
        areas.append(("local_authority", la_code, places.LOCAL_AUTHORITY_NAMES[la_code]))
    if choice in (1, 3):
        codes = list(places.REGION_OUTCODES[town.region])
    elif choice == 2:
        codes = _nearest_outcodes(town, 3)
    else:
        codes = []
    areas.extend(("outcode", code, places.OUTCODE_LABELS.get(code, code)) for code in codes)
    return [
        {
            "id": demo_id("service-area", f"{key}:{area_type}:{code}"),
            "area_type": area_type,
            "code": code,
            "name": name,
        }
        for area_type, code, name in areas
    ]


def _build_costs(key: str, kind: Kind, chooser: _Chooser) -> list[dict[str, Any]]:
    options = kind.costs
    if len({c.option for c in options}) == 1 and len(options) > 1:
        options = (chooser.pick(options),)  # alternatives: one price per service
    return [
        {
            "id": demo_id("cost", f"{key}:{n}"),
            "option": c.option,
            "amount": Decimal(c.amount),
            "currency": "GBP",
            "amount_description": c.description,
        }
        for n, c in enumerate(options)
    ]


def _build_service(
    position: int, org_index: int, org: DemoOrganisation, offering: str, used_names: set[str]
) -> ServicePlan:
    kind_key, _, town_key = offering.partition("@")
    kind, town = KINDS[kind_key], places.TOWNS[town_key or org.town]
    key = f"{org.key}:{kind_key}:{town.key}"
    choose = _Chooser(key)
    in_person = "in_person" in kind.modes
    venue = _choose_venue(kind, town.key, choose) if in_person else None
    site_id = demo_id("service-at-location", key) if venue else None
    spans = choose.pick(kind.schedules) if kind.schedules else ()
    schedules, day_words = _build_schedules(key, spans, choose, site_id) if spans else ([], "")
    weekday = _first_weekday(schedules)
    words = {
        "town": town.name,
        "venue": venue.name if venue else town.name,
        "street": venue.address_1 if venue else town.name,
        "org": org.name,
        "day": day_words,
        "weekday": weekday,
        "area": places.REGION_NAMES[town.region],
    }

    name = ""
    for template in choose.sample(kind.names, len(kind.names)):
        name = template.format(**words)
        if name not in used_names:
            break
    if name in used_names:
        name = f"{name} ({org.name})"
    used_names.add(name)

    details = " ".join(choose.sample(kind.details, 2))
    first = f"{choose.pick(kind.openers)} {details}".format(**words)
    where = choose.pick((kind.place_lines or PLACE_LINES) if venue else REMOTE_LINES)
    second = f"{where} {choose.pick(WELCOME if venue else REMOTE_WELCOME)}".format(**words)
    costs = _build_costs(key, kind, choose)
    fees = kind.fees
    if kind_key in FREE_SOMETIMES and choose.number() % 4 == 0:
        costs, fees = [], "donations welcome"
    status, alert = ServiceStatus.ACTIVE, None
    if position in INACTIVE_POSITIONS:
        status = ServiceStatus.INACTIVE
    elif position % CLOSED_EVERY == CLOSED_OFFSET:
        status, alert = ServiceStatus.TEMPORARILY_CLOSED, choose.pick(CLOSED_ALERTS)
    languages = kind.languages
    if not languages and choose.number() % 7 == 0:
        languages = choose.pick(LANGUAGE_SETS[town.region])
    domain = _org_domain(org_index, org)
    local = kind_key.replace("_", "") + ("" if town.key == org.town else f".{town.key}")
    mobile = kind.mobile_phone
    number = f"07700 900{position:03d}" if mobile else f"01632 960{200 + position:03d}"
    min_age, max_age = kind.ages or (None, None)

    fields: dict[str, Any] = {
        "organization_id": demo_id("organization", org.key),
        "source": SOURCE,
        "source_id": key,
        "name": name,
        "summary": choose.pick(kind.summaries).format(**words),
        "description": f"{first}\n\n{second}",
        "url": f"https://{domain}/{slugify(name)}",
        "email": f"{local}@{domain}",
        "status": status,
        "alert": alert,
        "application_process": (kind.application or choose.pick(APPLICATION[kind.referral])),
        "fees_description": fees,
        "is_free": not costs,
        "eligibility_description": kind.eligibility.format(**words) if kind.eligibility else None,
        "minimum_age": min_age,
        "maximum_age": max_age,
        "referral_route": ReferralRoute(kind.referral),
        "interpretation_services": (
            "Interpreters can be arranged; please ask when you get in touch." if languages else None
        ),
    }
    plan = ServicePlan(
        key=key,
        kind=kind_key,
        fields=fields,
        assured_days_ago=(
            380 + choose.number() % 400
            if position % OVERDUE_EVERY == OVERDUE_OFFSET
            else 3 + choose.number() % 350
        ),
        modes=[DeliveryMode(mode).value for mode in kind.modes],
        term_slugs=[*kind.terms, *kind.audiences],
        schedules=schedules,
    )
    if venue:
        plan.sites.append({"id": site_id, "location_id": demo_id("location", venue.key)})
    plan.children["service_areas"] = (
        _build_areas(key, town, kind_key, choose) if REMOTE_MODES & set(kind.modes) else []
    )
    plan.children["cost_options"] = costs
    plan.children["languages"] = [
        {"id": demo_id("language", f"{key}:{code}"), "name": lang, "code": code}
        for lang, code in languages
    ]
    plan.children["phones"] = [
        {
            "id": demo_id("phone", key),
            "number": number,
            "type": "voice",
            "description": "Group leader's mobile" if mobile else None,
        }
    ]
    return plan


def build_demo() -> DemoPlan:
    """Every row of the demo area, ready to save."""
    services: list[ServicePlan] = []
    used_names: set[str] = set()
    for org_index, org in enumerate(ORGANISATIONS):
        for offering in org.offerings:
            services.append(_build_service(len(services), org_index, org, offering, used_names))
    keys = [s.key for s in services]
    if len(set(keys)) != len(keys):
        raise ValueError("two demo services share a key; give one a different town")
    venue_keys = {site["location_id"] for s in services for site in s.sites}
    locations = [
        build_location(v) for v in places.VENUES if demo_id("location", v.key) in venue_keys
    ]
    return DemoPlan(build_organisations(), locations, services)
