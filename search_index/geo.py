"""Turn "where" (a postcode, an outcode or a town name) into a point, offline; distances.

Lookups read the ``postcode``, ``outcode`` and ``place`` tables (see ``geo_models``), which
``flask import-postcodes`` / ``flask import-places`` fill. Every lookup is an indexed query.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from search_index.geo_models import Outcode, Place, Postcode
from signpost.extensions import db

MILES_TO_KM = 1.609344
EARTH_RADIUS_KM = 6371.0088  # mean radius, as geopy uses

# Outward code: area (1-2 letters) + district (digit, then an optional digit or letter).
_OUTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_POSTCODE_RE = re.compile(rf"^({_OUTCODE})([0-9][A-Z]{{2}})$")
_OUTCODE_RE = re.compile(rf"^{_OUTCODE}$")
_SPACES_RE = re.compile(r"\s+")
_NOT_WORD_RE = re.compile(r"[^a-z0-9]+")

# Gazetteer kinds, best first: when several places share a name the higher rank wins.
KIND_WEIGHTS = {"city": 5, "town": 4, "village": 3, "suburb": 2, "hamlet": 1, "other": 0}


@dataclass(frozen=True)
class ResolvedPlace:
    """A point that a person's "where" resolved to.

    ``approximate`` is True when a full postcode was not known and the middle of its outcode was
    used instead; ``note`` then says so in plain English.
    """

    label: str
    latitude: float
    longitude: float
    kind: str  # 'postcode' | 'outcode' | 'place'
    outcode: str | None
    approximate: bool = False
    note: str | None = None


class PlaceNotFound(LookupError):
    """The text is not a postcode, outcode or place we know; ``str()`` is a message for people."""

    def __init__(self, message: str, query: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.query = query

    def __str__(self) -> str:
        return self.message


def _squash(text: str) -> str:
    return _SPACES_RE.sub("", text or "").upper()


def normalise_postcode(text: str) -> str | None:
    """Return the postcode in standard form ("PE30 1EX"), or None if it is not postcode-shaped."""
    match = _POSTCODE_RE.match(_squash(text))
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def normalise_outcode(text: str) -> str | None:
    """Return the outward code in upper case ("PE30"), or None if it is not outcode-shaped."""
    squashed = _squash(text)
    return squashed if _OUTCODE_RE.match(squashed) else None


def outcode_of(postcode: str) -> str:
    """The outward code of a normalised postcode ("PE30 1EX" -> "PE30")."""
    return postcode.split(" ", 1)[0]


def place_name_key(name: str) -> str:
    """Fold a place name for lookup: case, accents, spacing, punctuation and St/Saint forgiven.

    "King's Lynn", "kings  lynn" and "KINGS-LYNN" all give "kingslynn";
    "St. Ives" and "Saint Ives" both give "stives".
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = [w for w in _NOT_WORD_RE.split(text) if w]
    words = ["st" if w == "saint" else w for w in words]
    return "".join(words)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres; within ~0.5% of the true distance."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains every point within radius_km."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(lat))
    if cos_lat < 1e-6 or radius_km / EARTH_RADIUS_KM >= math.pi / 2:
        dlon = 180.0
    else:
        dlon = min(
            180.0,
            math.degrees(math.asin(min(1.0, math.sin(radius_km / EARTH_RADIUS_KM) / cos_lat))),
        )
    return (max(-90.0, lat - dlat), min(90.0, lat + dlat), lon - dlon, lon + dlon)


def resolve_place(text: str) -> ResolvedPlace:
    """Resolve a full postcode, an outcode or a town/village name to a point.

    Raises:
        PlaceNotFound: with a plain-English message when nothing matches.
    """
    query = (text or "").strip()
    if not query:
        raise PlaceNotFound("Enter a postcode, or the name of a town or village.", query)
    head = query.split(",", 1)[0]  # "PE30 1EX, King's Lynn" -> the postcode part
    postcode = normalise_postcode(query) or normalise_postcode(head)
    if postcode:
        return _resolve_postcode(postcode)
    outcode = normalise_outcode(query) or normalise_outcode(head)
    if outcode:
        found = _outcode_point(outcode)
        if found is None:
            raise PlaceNotFound(
                f"We could not find the postcode area {outcode}. Check it, or try a town name.",
                query,
            )
        return found
    return _resolve_place_name(query)


def _resolve_postcode(postcode: str) -> ResolvedPlace:
    row = db.session.execute(
        select(Postcode.latitude, Postcode.longitude, Postcode.outcode).where(
            Postcode.postcode == postcode
        )
    ).first()
    if row is not None:
        return ResolvedPlace(postcode, row.latitude, row.longitude, "postcode", row.outcode)
    outcode = outcode_of(postcode)
    area = _outcode_point(outcode)
    if area is None:
        raise PlaceNotFound(
            f"We could not find the postcode {postcode}. Check it, or try a town name.", postcode
        )
    return ResolvedPlace(
        outcode,
        area.latitude,
        area.longitude,
        "outcode",
        outcode,
        approximate=True,
        note=f"We could not find the postcode {postcode}, so we used the middle of the {outcode} area.",
    )


def _outcode_point(outcode: str) -> ResolvedPlace | None:
    row = db.session.execute(
        select(Outcode.latitude, Outcode.longitude).where(Outcode.outcode == outcode)
    ).first()
    if row is None:
        return None
    return ResolvedPlace(outcode, row.latitude, row.longitude, "outcode", outcode)


def _resolve_place_name(query: str) -> ResolvedPlace:
    # "King's Lynn, Norfolk": try the whole text, then the part before the first comma.
    candidates = [query]
    if "," in query:
        candidates.append(query.split(",", 1)[0])
    for candidate in candidates:
        key = place_name_key(candidate)
        if not key:
            continue
        place = db.session.execute(
            select(Place.name, Place.latitude, Place.longitude)
            .where(Place.name_key == key)
            .order_by(Place.rank.desc(), Place.id)
            .limit(1)
        ).first()
        if place is not None:
            return ResolvedPlace(
                place.name,
                place.latitude,
                place.longitude,
                "place",
                nearest_outcode(place.latitude, place.longitude),
            )
    raise PlaceNotFound(
        f"We could not find a place called '{query}'. Check the spelling, or try a postcode.", query
    )


def nearest_outcode(lat: float, lon: float, max_km: float = 40.0) -> str | None:
    """The outcode whose centroid is nearest the point (within max_km), or None."""
    for radius in (8.0, max_km):
        min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
        rows = db.session.execute(
            select(Outcode.outcode, Outcode.latitude, Outcode.longitude).where(
                Outcode.latitude.between(min_lat, max_lat),
                Outcode.longitude.between(min_lon, max_lon),
            )
        ).all()
        if rows:
            best = min(rows, key=lambda r: distance_km(lat, lon, r.latitude, r.longitude))
            if distance_km(lat, lon, best.latitude, best.longitude) <= radius:
                return best.outcode
    return None
