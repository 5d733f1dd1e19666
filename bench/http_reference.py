"""A minimal Flask + SQLite FTS5 directory server: the reference the HTTP benchmark compares with.

It answers the three requests of the benchmark's mix the plain way, from one SQLite file built
from an imported Signpost database (`build_reference`):

* ``/api/services?search=…&per_page=20``: FTS5 ``MATCH`` ordered by bm25, a page of service
  records with their organisation, and the total;
* ``/api/service_at_locations?search=…&postcode=OUTCODE&proximity=M&per_page=20``: the matches'
  locations inside a bounding box, great-circle distance in Python, nearest first;
* ``/search?q=…&where=OUTCODE&radius=MILES``: bm25 blended with distance, an HTML page of 20.

All words must match; when none match together, any word may (as Signpost does). There are no
synonyms, spelling suggestions, facets, filters or usage counts: it does less work than Signpost,
which is the point of the comparison. Served by gunicorn like the project::

    REFERENCE_DB=/path/ref.db gunicorn -w 2 bench.http_reference:app
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import threading

from flask import Flask, jsonify, render_template_string, request

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]  # FTS5 keeps them
)
EARTH_RADIUS_KM = 6371.0088
MILE_KM = 1.609344
DISTANCE_SCALE_KM = 8.0
MAX_PER_PAGE = 100

SCHEMA = """
CREATE VIRTUAL TABLE ref_fts USING fts5(name, summary, description, org, terms, places,
    tokenize='porter unicode61');
CREATE TABLE ref_service (rid INTEGER PRIMARY KEY, id TEXT, organization_id TEXT, name TEXT,
    alternate_name TEXT, summary TEXT, description TEXT, url TEXT, email TEXT, status TEXT,
    eligibility_description TEXT, minimum_age INT, maximum_age INT, assured_date TEXT,
    last_modified TEXT, org_name TEXT, org_description TEXT, org_website TEXT, org_email TEXT);
CREATE TABLE ref_link (rid INT, sal_id TEXT, location_id TEXT, loc_name TEXT, lat REAL,
    lon REAL, address_id TEXT, address_1 TEXT, city TEXT, postal_code TEXT);
CREATE INDEX ref_link_rid ON ref_link(rid);
CREATE TABLE ref_outcode (outcode TEXT PRIMARY KEY, lat REAL, lon REAL);
"""


def build_reference(path: str, main_db: str) -> int:
    """(Re)create the reference file at `path` from the Signpost SQLite database `main_db`."""
    if os.path.exists(path):
        os.remove(path)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.execute("ATTACH DATABASE ? AS m", (main_db,))
    conn.executescript("""
    INSERT INTO ref_service
      SELECT s.rowid, s.id, s.organization_id, s.name, s.alternate_name, s.summary,
             s.description, s.url, s.email, s.status, s.eligibility_description, s.minimum_age,
             s.maximum_age, s.assured_date, s.last_modified, o.name, o.description, o.website,
             o.email
      FROM m.service s LEFT JOIN m.organization o ON o.id = s.organization_id
      WHERE s.status IN ('active', 'temporarily closed') AND s.moderation_state = 'approved';
    INSERT INTO ref_link
      SELECT r.rid, sal.id, l.id, l.name, l.latitude, l.longitude, a.id, a.address_1, a.city,
             a.postal_code
      FROM ref_service r JOIN m.service_at_location sal ON sal.service_id = r.id
      JOIN m.location l ON l.id = sal.location_id
      LEFT JOIN m.address a ON a.location_id = l.id;
    INSERT INTO ref_outcode SELECT outcode, latitude, longitude FROM m.outcode;
    INSERT INTO ref_fts (rowid, name, summary, description, org, terms, places)
      SELECT r.rid, r.name || ' ' || COALESCE(r.alternate_name, ''), COALESCE(r.summary, ''),
             COALESCE(r.description, '') || ' ' || COALESCE(r.eligibility_description, ''),
             COALESCE(r.org_name, ''),
             (SELECT group_concat(t.name, ' ') FROM m.service_taxonomy_term st
                JOIN m.taxonomy_term t ON t.id = st.taxonomy_term_id WHERE st.service_id = r.id),
             (SELECT group_concat(COALESCE(k.loc_name, '') || ' ' || COALESCE(k.city, ''), ' ')
                FROM ref_link k WHERE k.rid = r.rid)
      FROM ref_service r;
    """)
    count = conn.execute("SELECT count(*) FROM ref_service").fetchone()[0]
    conn.commit()
    conn.execute("DETACH DATABASE m")
    conn.execute("INSERT INTO ref_fts(ref_fts) VALUES ('optimize')")
    conn.commit()
    conn.close()
    return count


app = Flask(__name__)
_local = threading.local()


def _db() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(f"file:{os.environ['REFERENCE_DB']}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        _local.conn = conn
    return conn


def _match(text: str, joiner: str = " ") -> str | None:
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS]
    return joiner.join(f'"{w}"' for w in words[:12]) or None


def _paging() -> tuple[int, int]:
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(request.args.get("per_page", 20))))
    except ValueError:
        return 1, 20
    return page, per_page


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlon = math.degrees(km / (EARTH_RADIUS_KM * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _service(row: sqlite3.Row) -> dict[str, object]:
    record = {
        k: row[k]
        for k in (
            "id",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "last_modified",
        )
        if row[k] is not None
    }
    record["organization"] = {
        "id": row["organization_id"],
        "name": row["org_name"],
        "description": row["org_description"] or "",
        **({"website": row["org_website"]} if row["org_website"] else {}),
        **({"email": row["org_email"]} if row["org_email"] else {}),
    }
    return record


def _page(contents: list[object], total: int, page: int, per_page: int) -> dict[str, object]:
    pages = max(1, -(-total // per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _ranked(text: str, sql_tail: str, args: list[object]) -> list[sqlite3.Row]:
    """Rows for every word, or for any word when no service has them all."""
    conn = _db()
    rows: list[sqlite3.Row] = []
    for joiner in (" ", " OR "):
        match = _match(text, joiner)
        if match is None:
            return []
        rows = conn.execute(sql_tail, [match, *args]).fetchall()
        if rows or " " not in match:
            break
    return rows


@app.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/services")
def services() -> object:
    page, per_page = _paging()
    text = request.args.get("search", "")
    conn = _db()
    total = 0
    for joiner in (" ", " OR "):
        match = _match(text, joiner)
        if match is None:
            break
        total = conn.execute(
            "SELECT count(*) FROM ref_fts WHERE ref_fts MATCH ?", (match,)
        ).fetchone()[0]
        if total:
            rows = conn.execute(
                "SELECT s.* FROM ref_fts JOIN ref_service s ON s.rid = ref_fts.rowid "
                "WHERE ref_fts MATCH ? ORDER BY bm25(ref_fts, 4.0, 2.0, 1.0, 1.5, 3.0, 1.0) "
                "LIMIT ? OFFSET ?",
                (match, per_page, (page - 1) * per_page),
            ).fetchall()
            return jsonify(_page([_service(r) for r in rows], total, page, per_page))
    return jsonify(_page([], 0, page, per_page))


def _place(code: str) -> tuple[float, float] | None:
    row = (
        _db()
        .execute(
            "SELECT lat, lon FROM ref_outcode WHERE outcode = ?", (code.strip().upper().split()[0],)
        )
        .fetchone()
        if code.strip()
        else None
    )
    return (row["lat"], row["lon"]) if row else None


@app.get("/api/service_at_locations")
def service_at_locations() -> object:
    page, per_page = _paging()
    point = _place(request.args.get("postcode", ""))
    if point is None:
        return jsonify({"error": "bad_parameter", "parameter": "postcode"}), 400
    limit_km = float(request.args.get("proximity", 8000)) / 1000
    lat, lon = point
    min_lat, max_lat, min_lon, max_lon = _box(lat, lon, limit_km)
    rows = _ranked(
        request.args.get("search", ""),
        "SELECT s.*, k.sal_id, k.location_id, k.loc_name, k.lat, k.lon, k.address_id, "
        "k.address_1, k.city, k.postal_code FROM ref_fts "
        "JOIN ref_service s ON s.rid = ref_fts.rowid JOIN ref_link k ON k.rid = s.rid "
        "WHERE ref_fts MATCH ? AND k.lat BETWEEN ? AND ? AND k.lon BETWEEN ? AND ?",
        [min_lat, max_lat, min_lon, max_lon],
    )
    near = []
    for row in rows:
        km = _km(lat, lon, row["lat"], row["lon"])
        if km <= limit_km:
            near.append((km, row["sal_id"], row))
    near.sort(key=lambda item: (item[0], item[1]))
    start = (page - 1) * per_page
    contents = [
        {
            "id": row["sal_id"],
            "service_id": row["id"],
            "location_id": row["location_id"],
            "location": {
                "id": row["location_id"],
                "name": row["loc_name"],
                "latitude": row["lat"],
                "longitude": row["lon"],
                "addresses": [
                    {
                        "id": row["address_id"],
                        "address_1": row["address_1"],
                        "city": row["city"],
                        "postal_code": row["postal_code"],
                        "country": "GB",
                    }
                ]
                if row["address_id"]
                else [],
            },
            "service": _service(row),
        }
        for _, _, row in near[start : start + per_page]
    ]
    return jsonify(_page(contents, len(near), page, per_page))


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ total }} services – Reference</title></head><body><main>
<form action="/search" method="get"><label for="q">What</label>
<input id="q" name="q" value="{{ q }}"><label for="where">Where</label>
<input id="where" name="where" value="{{ where }}"><button>Search</button></form>
<h1>{{ total }} services for ‘{{ q }}’ within {{ radius }} miles of {{ where }}</h1>
<ol>{% for r in rows %}<li><h2><a href="/services/{{ r.id }}">{{ r.name }}</a></h2>
<p>{{ r.org }}</p>{% if r.summary %}<p>{{ r.summary }}</p>{% endif %}
<p>{{ '%.1f' % r.miles }} miles away</p></li>{% endfor %}</ol></main></body></html>"""


@app.get("/search")
def search_page() -> str:
    q, where = request.args.get("q", ""), request.args.get("where", "")
    try:
        radius = float(request.args.get("radius", 5))
    except ValueError:
        radius = 5.0
    point = _place(where)
    found: dict[str, dict[str, object]] = {}
    if point is not None:
        lat, lon = point
        limit_km = radius * MILE_KM
        min_lat, max_lat, min_lon, max_lon = _box(lat, lon, limit_km)
        for row in _ranked(
            q,
            "SELECT s.id, s.name, s.summary, s.org_name, k.lat, k.lon, -bm25(ref_fts) AS rel "
            "FROM ref_fts JOIN ref_service s ON s.rid = ref_fts.rowid "
            "JOIN ref_link k ON k.rid = s.rid "
            "WHERE ref_fts MATCH ? AND k.lat BETWEEN ? AND ? AND k.lon BETWEEN ? AND ?",
            [min_lat, max_lat, min_lon, max_lon],
        ):
            km = _km(lat, lon, row["lat"], row["lon"])
            if km > limit_km:
                continue
            score = row["rel"] / (1.0 + km / DISTANCE_SCALE_KM)
            best = found.get(row["id"])
            if best is None or best["score"] < score:  # type: ignore[operator]
                found[row["id"]] = {
                    "id": row["id"],
                    "name": row["name"],
                    "summary": row["summary"],
                    "org": row["org_name"],
                    "miles": km / MILE_KM,
                    "score": score,
                }
    ranked = sorted(found.values(), key=lambda r: -r["score"])  # type: ignore[operator]
    return render_template_string(
        PAGE, q=q, where=where, radius=radius, total=len(ranked), rows=ranked[:20]
    )
