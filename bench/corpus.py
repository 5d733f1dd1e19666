"""A deterministic corpus of N realistic services for the search benchmarks.

``build_corpus(n, seed)`` yields one :class:`CorpusService` per service, composed from the pools in
:mod:`bench.vocabulary` with Zipf-like weights and placed at jittered real GB outcode centroids
(``../shared/data/geo/outcodes.csv``). ``write_corpus(n, seed)`` writes them, with organisations,
locations, addresses, schedules, delivery modes, accessibility, costs, service areas and a two-level
taxonomy, into the current app's database with bulk inserts, and loads the outcodes (and their
towns as places) so place lookup works. Same seed, same corpus.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
import re
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench import vocabulary as v
from directory.models import (
    Accessibility,
    AccessibilityFeature,
    Address,
    CostOption,
    DeliveryMode,
    Location,
    ModerationState,
    Organization,
    ReferralRoute,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceDeliveryMode,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    service_taxonomy_term,
)
from search_index.geo import place_name_key
from search_index.geo_models import Outcode, Place, Postcode
from signpost.extensions import db

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTCODES_CSV = REPO_ROOT.parent / "shared" / "data" / "geo" / "outcodes.csv"
GB_COUNTRIES = {"ENG", "SCT", "WLS"}
TAXONOMY_NAME = "Signpost benchmark categories"
CREATED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class OutcodeRow:
    outcode: str
    latitude: float
    longitude: float
    town: str


@dataclass
class CorpusService:
    """One generated service and everything hung off it."""

    id: str
    organization_id: str
    organization_name: str
    new_organization: bool
    name: str
    summary: str
    description: str
    eligibility: str
    min_age: int | None
    max_age: int | None
    is_free: bool
    fees: str | None
    status: ServiceStatus
    moderation: ModerationState
    referral_route: ReferralRoute
    modes: list[DeliveryMode]
    term_slugs: list[str]
    outcode: str
    town: str
    latitude: float | None = None  # None: no public premises (phone/online only)
    longitude: float | None = None
    postcode: str | None = None
    address_1: str = ""
    venue_name: str = ""
    accessibility: list[AccessibilityFeature] = field(default_factory=list)
    schedules: list[tuple[int, time, time]] = field(default_factory=list)
    areas: list[tuple[str, str]] = field(default_factory=list)  # (area_type, code)
    cost: Decimal | None = None


def load_outcodes(path: Path = OUTCODES_CSV) -> list[OutcodeRow]:
    """GB outcodes (England, Scotland, Wales) with centroid and town, sorted by outcode."""
    rows: list[OutcodeRow] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec["country"] not in GB_COUNTRIES or not rec["latitude"]:
                continue
            rows.append(
                OutcodeRow(
                    rec["postcode"].strip().upper(),
                    float(rec["latitude"]),
                    float(rec["longitude"]),
                    (rec["town"] or "").strip(),
                )
            )
    rows.sort(key=lambda r: _outcode_key(r.outcode))
    return rows


def _outcode_key(code: str) -> tuple[str, int, str]:
    m = re.match(r"([A-Z]+)(\d+)([A-Z]?)", code)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (code, 0, "")


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower().replace("'", "")).strip("-")


def taxonomy_terms() -> list[tuple[str, str, str | None]]:
    """(slug, name, parent slug) for the two-level category tree, parents first."""
    out: list[tuple[str, str, str | None]] = []
    for parent, children in v.TREE.items():
        out.append((slugify(parent), parent, None))
        out.extend((slugify(c.name), c.name, slugify(parent)) for c in children)
    return out


class _Zipf:
    """Pick from a sequence with weight 1/(rank+1)^s: the first items common, the tail rare."""

    def __init__(self, items: Sequence[Any], s: float = 1.0) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(items))))

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.outcodes = load_outcodes()
        self.index_of = {o.outcode: i for i, o in enumerate(self.outcodes)}
        self.leaves = [(slugify(p), c) for p, cs in v.TREE.items() for c in cs]
        # Shuffle once per seed so which categories are common depends on the seed, not the file.
        order = list(range(len(self.leaves)))
        random.Random(seed * 7919).shuffle(order)
        self.pick_leaf = _Zipf([self.leaves[i] for i in order], 0.5)
        self.adj = _Zipf(v.ADJECTIVES, 0.9)
        self.venue = _Zipf(v.VENUES, 0.9)
        self.audience = _Zipf(v.AUDIENCES, 0.9)
        self.freq = _Zipf(v.FREQUENCIES, 0.8)
        self.access = _Zipf(v.ACCESS_NOTES, 0.8)
        self.role = _Zipf(v.ROLES, 0.9)
        self.org_type = _Zipf(v.ORG_TYPES, 0.8)
        self.street = _Zipf(v.STREET_WORDS, 0.7)
        self.street_type = _Zipf(v.STREET_TYPES, 1.0)
        self.opener = _Zipf(v.OPENERS, 0.5)
        self.middle = _Zipf(v.MIDDLES, 0.5)
        self.closer = _Zipf(v.CLOSERS, 0.5)
        self.cat_words = {c.name: _Zipf(c.words, 1.0) for _, c in self.leaves}
        self.cat_nouns = {c.name: _Zipf(c.nouns, 1.1) for _, c in self.leaves}
        self.org: tuple[str, str, OutcodeRow] | None = None

    # -- text ------------------------------------------------------------------------------
    def _fill(self, pattern: str, slots: dict[str, str], cat: v.Category) -> str:
        rng = self.rng
        words = self.cat_words[cat.name]
        w: list[str] = []
        for _ in range(12):  # three different phrases (the pool may be small)
            word = words(rng)
            if word not in w:
                w.append(word)
            if len(w) == 3:
                break
        w += [w[-1]] * (3 - len(w))
        values = {
            **slots,
            "adj": self.adj(rng),
            "venue": self.venue(rng),
            "freq": self.freq(rng),
            "audience": slots["audience"],
            "word1": w[0],
            "word2": w[1],
            "word3": w[2],
            "role": self.role(rng),
            "access": self.access(rng).capitalize(),
            "access2": self.access(rng),
            "count": str(rng.randrange(40, 2400, 10)),
        }
        values["role_cap"] = values["role"].capitalize()
        text = pattern.format(**values)
        return text[:1].upper() + text[1:]

    def _name(self, cat: v.Category, town: str, org_name: str) -> str:
        rng = self.rng
        noun = self.cat_nouns[cat.name](rng)
        title = noun[:1].upper() + noun[1:]
        pattern = rng.randrange(7)
        if pattern == 0:
            return f"{town} {title}"
        if pattern == 1:
            return f"{self.adj(rng).capitalize()} {noun}"
        if pattern == 2:
            return f"{title} at {self.venue(rng).title()}, {town}"
        if pattern == 3:
            return f"{org_name} {noun}"
        if pattern == 4:
            return f"St {rng.choice(v.SAINTS)}'s {noun}"
        if pattern == 5:
            return f"{self.street(rng)} {title}"
        return f"{title} ({town})"

    # -- one service -----------------------------------------------------------------------
    def service(self) -> CorpusService:
        rng = self.rng
        parent_slug, cat = self.pick_leaf(rng)
        new_org = self.org is None or rng.random() < 0.4
        if new_org:
            oc = rng.choice(self.outcodes)
            town = oc.town or oc.outcode
            kind = rng.random()
            if kind < 0.6:
                org_name = f"{town} {self.org_type(rng)}"
            elif kind < 0.75:
                org_name = f"St {rng.choice(v.SAINTS)}'s Church, {town}"
            elif kind < 0.9:
                org_name = f"Friends of {town} {self.venue(rng).title()}"
            else:
                org_name = f"{self.street(rng)} {self.org_type(rng)}"
            self.org = (_uuid(rng), org_name, oc)
        org_id, org_name, org_oc = self.org  # type: ignore[misc]
        # Most services sit near their organisation; some are elsewhere in the country.
        oc = (
            org_oc
            if rng.random() < 0.7
            else self._neighbour(org_oc)
            if rng.random() < 0.8
            else rng.choice(self.outcodes)
        )
        town = oc.town or oc.outcode
        modes = self._modes(cat)
        min_age, max_age = self._ages(cat)
        audience = self._audience(min_age, max_age)
        slots = {
            "org": org_name,
            "town": town,
            "audience": audience,
            "noun": self.cat_nouns[cat.name](rng),
        }
        opener = self._fill(self.opener(rng), slots, cat)
        middles = [self._fill(self.middle(rng), slots, cat) for _ in range(rng.randint(1, 3))]
        closer = self._fill(self.closer(rng), slots, cat)
        description = " ".join(s for s in [opener, *middles, closer] if s)

        is_free = rng.random() < cat.free_share
        cost = (
            None
            if is_free
            else Decimal(
                rng.choice(
                    ["1.00", "2.00", "2.50", "3.00", "4.00", "5.00", "7.50", "10.00", "15.00"]
                )
            )
        )
        terms = [slugify(cat.name)]
        if rng.random() < 0.25:
            other_parent, other = self.pick_leaf(rng)
            if other.name != cat.name:
                terms.append(slugify(other.name))
        if rng.random() < 0.05:
            terms.append(parent_slug)  # some listings are filed only as broadly as the parent
        status = ServiceStatus.ACTIVE
        roll = rng.random()
        if roll < 0.03:
            status = ServiceStatus.TEMPORARILY_CLOSED
        elif roll < 0.04:
            status = ServiceStatus.INACTIVE
        svc = CorpusService(
            id=_uuid(rng),
            organization_id=org_id,
            organization_name=org_name,
            new_organization=new_org,
            name=self._name(cat, town, org_name)[:255],
            summary=opener[:300],
            description=description,
            eligibility=self._eligibility(audience, min_age, max_age),
            min_age=min_age,
            max_age=max_age,
            is_free=is_free,
            fees=None if is_free else f"£{cost} per session",
            cost=cost,
            status=status,
            moderation=ModerationState.PENDING if rng.random() < 0.02 else ModerationState.APPROVED,
            referral_route=rng.choice(list(ReferralRoute)),
            modes=modes,
            term_slugs=terms,
            outcode=oc.outcode,
            town=town,
        )
        if DeliveryMode.IN_PERSON in modes or rng.random() < 0.5:
            svc.latitude = round(oc.latitude + rng.uniform(-0.025, 0.025), 6)
            svc.longitude = round(oc.longitude + rng.uniform(-0.04, 0.04), 6)
            svc.postcode = (
                f"{oc.outcode} {rng.randint(1, 9)}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            )
            svc.address_1 = f"{rng.randint(1, 180)} {self.street(rng)} {self.street_type(rng)}"
            svc.venue_name = f"{town} {self.venue(rng).title()}"
            features = list(AccessibilityFeature)
            svc.accessibility = sorted(rng.sample(features, rng.choice([0, 0, 1, 2, 2, 3, 4])))
        if set(modes) - {DeliveryMode.IN_PERSON}:
            svc.areas = self._areas(oc)
        svc.schedules = self._schedules(cat)
        return svc

    def _neighbour(self, oc: OutcodeRow) -> OutcodeRow:
        i = self.index_of[oc.outcode] + self.rng.randint(-4, 4)
        return self.outcodes[max(0, min(len(self.outcodes) - 1, i))]

    def _audience(self, lo: int | None, hi: int | None) -> str:
        if lo is not None and lo >= 50:
            return self.rng.choice(v.OLDER_AUDIENCES)
        if hi is not None and hi <= 25:
            return self.rng.choice(v.YOUNGER_AUDIENCES)
        return self.audience(self.rng)

    def _modes(self, cat: v.Category) -> list[DeliveryMode]:
        rng = self.rng
        modes = [cat.modes[0]] + [m for m in cat.modes[1:] if rng.random() < 0.5]
        if rng.random() < 0.05 and "online" not in modes:
            modes.append("online")
        return [DeliveryMode(m) for m in dict.fromkeys(modes)]

    def _ages(self, cat: v.Category) -> tuple[int | None, int | None]:
        lo, hi = cat.ages
        if lo is None and hi is None and self.rng.random() < 0.15:
            return self.rng.choice([(18, None), (50, None), (0, 11), (13, 19), (None, None)])
        if lo is not None and lo >= 50 and self.rng.random() < 0.4:
            lo = self.rng.choice([50, 55, 60, 65])
        return lo, hi

    @staticmethod
    def _eligibility(audience: str, lo: int | None, hi: int | None) -> str:
        if lo is not None and hi is not None:
            return f"For {audience} aged {lo} to {hi}."
        if lo is not None:
            return f"For {audience} aged {lo} and over."
        if hi is not None:
            return f"For {audience} up to age {hi}."
        return f"Open to {audience}; everyone is welcome."

    def _areas(self, oc: OutcodeRow) -> list[tuple[str, str]]:
        rng = self.rng
        if rng.random() < 0.05:
            return [("national", "GB")]
        i = self.index_of[oc.outcode]
        span = rng.randint(1, 6)
        picks = self.outcodes[max(0, i - span) : i + span + 1]
        return [("outcode", o.outcode) for o in picks]

    def _schedules(self, cat: v.Category) -> list[tuple[int, time, time]]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return []  # by appointment
        if roll < 0.45:  # office hours
            start, end = rng.choice([(9, 17), (9, 16), (10, 16), (8, 18), (9, 13)])
            days = range(5) if rng.random() < 0.8 else range(6)
            return [(d, time(start), time(end)) for d in days]
        if roll < 0.93:  # one or two sessions a week
            out = []
            for d in sorted(rng.sample(range(7), rng.choice([1, 1, 1, 2, 2, 3]))):
                start = rng.choice([9, 10, 10, 11, 13, 14, 18, 19])
                length = rng.choice([1, 2, 2, 3])
                minute = rng.choice([0, 0, 30])
                out.append((d, time(start, minute), time(min(start + length, 23), minute)))
            return out
        # Evening and overnight services: close past midnight.
        start, end = rng.choice([(20, 8), (22, 2), (18, 0), (21, 3)])
        return [(d, time(start), time(end)) for d in range(7) if rng.random() < 0.8] or [
            (4, time(start), time(end))
        ]


def build_corpus(n: int, seed: int = 1) -> Iterator[CorpusService]:
    """Yield ``n`` generated services; the same ``(n, seed)`` always gives the same services."""
    gen = _Generator(seed)
    for _ in range(n):
        yield gen.service()


@dataclass
class CorpusStats:
    services: int = 0
    organizations: int = 0
    locations: int = 0
    schedules: int = 0
    terms: int = 0
    outcodes: int = 0
    postcodes: int = 0


def write_geography(outcodes: list[OutcodeRow] | None = None) -> tuple[int, int]:
    """Load GB outcodes into ``outcode`` and their towns into ``place``; (outcodes, places)."""
    outcodes = outcodes or load_outcodes()
    db.session.execute(
        insert(Outcode.__table__),
        [
            {
                "outcode": o.outcode,
                "latitude": o.latitude,
                "longitude": o.longitude,
                "town": o.town or None,
                "postcode_count": 0,
            }
            for o in outcodes
        ],
    )
    towns: dict[str, list[OutcodeRow]] = {}
    for o in outcodes:
        if o.town:
            towns.setdefault(o.town, []).append(o)
    places = [
        {
            "name": town,
            "name_key": place_name_key(town),
            "kind": "town",
            "latitude": sum(o.latitude for o in rows) / len(rows),
            "longitude": sum(o.longitude for o in rows) / len(rows),
            "rank": len(rows),
        }
        for town, rows in sorted(towns.items())
    ]
    db.session.execute(insert(Place.__table__), places)
    return len(outcodes), len(places)


def write_taxonomy(rng: random.Random) -> dict[str, str]:
    """Insert the category tree; returns slug -> term id."""
    taxonomy_id = _uuid(rng)
    db.session.execute(
        insert(Taxonomy.__table__),
        [{"id": taxonomy_id, "name": TAXONOMY_NAME, "description": "Benchmark categories"}],
    )
    ids: dict[str, str] = {}
    rows = []
    for slug, name, parent in taxonomy_terms():
        ids[slug] = _uuid(rng)
        rows.append(
            {
                "id": ids[slug],
                "taxonomy_id": taxonomy_id,
                "parent_id": ids.get(parent or ""),
                "code": slug,
                "name": name,
                "slug": slug,
                "description": "",
            }
        )
    db.session.execute(insert(TaxonomyTerm.__table__), rows)
    return ids


def write_corpus(
    n: int, seed: int = 1, *, chunk: int = 5000, with_geography: bool = True
) -> CorpusStats:
    """Write ``n`` generated services (and the geography and taxonomy) into the app's database.

    Uses Core bulk inserts, so no per-row ORM events fire: build the search index afterwards.
    Call inside an app context on an empty schema.
    """
    stats = CorpusStats()
    if with_geography:
        stats.outcodes, _ = write_geography()
    term_ids = write_taxonomy(random.Random(seed + 1))
    stats.terms = len(term_ids)
    id_rng = random.Random(seed + 2)
    seen_postcodes: set[str] = set()
    batch: list[CorpusService] = []
    for svc in build_corpus(n, seed):
        batch.append(svc)
        if len(batch) >= chunk:
            _write_batch(batch, term_ids, id_rng, seen_postcodes, stats)
            batch = []
    if batch:
        _write_batch(batch, term_ids, id_rng, seen_postcodes, stats)
    db.session.commit()
    return stats


def _write_batch(
    batch: list[CorpusService],
    term_ids: dict[str, str],
    rng: random.Random,
    seen_postcodes: set[str],
    stats: CorpusStats,
) -> None:
    t = CREATED
    rows: dict[Any, list[dict[str, Any]]] = {
        table: []
        for table in (
            Organization.__table__,
            Service.__table__,
            Location.__table__,
            Address.__table__,
            ServiceAtLocation.__table__,
            Schedule.__table__,
            ServiceDeliveryMode.__table__,
            service_taxonomy_term,
            Accessibility.__table__,
            ServiceArea.__table__,
            CostOption.__table__,
            Postcode.__table__,
        )
    }
    for s in batch:
        if s.new_organization:
            rows[Organization.__table__].append(
                {
                    "id": s.organization_id,
                    "name": s.organization_name,
                    "created_at": t,
                    "last_modified": t,
                    "description": f"{s.organization_name} is a local charity.",
                }
            )
            stats.organizations += 1
        rows[Service.__table__].append(
            {
                "id": s.id,
                "organization_id": s.organization_id,
                "name": s.name,
                "summary": s.summary,
                "description": s.description,
                "status": s.status,
                "is_free": s.is_free,
                "fees_description": s.fees,
                "eligibility_description": s.eligibility,
                "minimum_age": s.min_age,
                "maximum_age": s.max_age,
                "referral_route": s.referral_route,
                "moderation_state": s.moderation,
                "created_at": t,
                "last_modified": t,
            }
        )
        for mode in s.modes:
            rows[ServiceDeliveryMode.__table__].append({"service_id": s.id, "mode": mode})
        for slug in s.term_slugs:
            rows[service_taxonomy_term].append(
                {"service_id": s.id, "taxonomy_term_id": term_ids[slug]}
            )
        sal_id = None
        if s.latitude is not None:
            loc_id, sal_id = _uuid(rng), _uuid(rng)
            rows[Location.__table__].append(
                {
                    "id": loc_id,
                    "organization_id": s.organization_id,
                    "name": s.venue_name,
                    "location_type": "physical",
                    "latitude": s.latitude,
                    "longitude": s.longitude,
                    "created_at": t,
                    "last_modified": t,
                }
            )
            rows[Address.__table__].append(
                {
                    "id": _uuid(rng),
                    "location_id": loc_id,
                    "address_1": s.address_1,
                    "city": s.town,
                    "state_province": "",
                    "postal_code": s.postcode,
                    "country": "GB",
                    "address_type": "physical",
                }
            )
            rows[ServiceAtLocation.__table__].append(
                {"id": sal_id, "service_id": s.id, "location_id": loc_id}
            )
            for feature in s.accessibility:
                rows[Accessibility.__table__].append(
                    {"id": _uuid(rng), "location_id": loc_id, "feature": feature}
                )
            if s.postcode not in seen_postcodes:
                seen_postcodes.add(s.postcode)  # type: ignore[arg-type]
                rows[Postcode.__table__].append(
                    {
                        "postcode": s.postcode,
                        "outcode": s.outcode,
                        "latitude": s.latitude,
                        "longitude": s.longitude,
                    }
                )
                stats.postcodes += 1
            stats.locations += 1
        for weekday, opens, closes in s.schedules:
            rows[Schedule.__table__].append(
                {
                    "id": _uuid(rng),
                    "service_id": s.id,
                    "service_at_location_id": sal_id,
                    "weekday": weekday,
                    "opens_at": opens,
                    "closes_at": closes,
                    "timezone": "Europe/London",
                }
            )
            stats.schedules += 1
        for area_type, code in s.areas:
            rows[ServiceArea.__table__].append(
                {
                    "id": _uuid(rng),
                    "service_id": s.id,
                    "area_type": area_type,
                    "code": code,
                    "name": code,
                }
            )
        if s.cost is not None:
            rows[CostOption.__table__].append(
                {
                    "id": _uuid(rng),
                    "service_id": s.id,
                    "amount": s.cost,
                    "currency": "GBP",
                    "option": "Per session",
                }
            )
        stats.services += 1
    for table, values in rows.items():  # dict order is parent-first, so foreign keys hold
        if values:
            db.session.execute(insert(table), values)
