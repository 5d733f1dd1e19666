"""A reference search on SQLite FTS5, to put the engine's timings in context.

The same queries, answered the plain way: an FTS5 table (porter stemming) over name, description,
organisation, category names (with parents) and town; a bounding-box prefilter on an indexed
point table; filters in SQL; bm25 blended with distance in Python; services that cover the area
(phone, online, home visits) added unranked by distance. No synonyms and no spelling correction,
so it does less work than the engine, which is the point of the comparison.

Tables are built in their own SQLite file (``ref_*``) from the Signpost database tables.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass

from bench.queries import BenchQuery
from search_index.geo import PlaceNotFound, bounding_box, distance_km, resolve_place

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
    ]
)
DISTANCE_SCALE_KM = 5.0  # a match this far away scores half of the same match next door
MILE_KM = 1.609344
CANDIDATES = 2000

SCHEMA = """
CREATE VIRTUAL TABLE ref_fts USING fts5(name, description, org, terms, places,
    tokenize='porter unicode61');
CREATE TABLE ref_service (rid INTEGER PRIMARY KEY, service_id TEXT, is_free INT, min_age INT,
    max_age INT, closed INT);
CREATE TABLE ref_point (rid INT, lat REAL, lon REAL);
CREATE INDEX ref_point_ll ON ref_point(lat, lon);
CREATE INDEX ref_point_rid ON ref_point(rid);
CREATE TABLE ref_term (rid INT, term_id TEXT, slug TEXT, top TEXT);
CREATE INDEX ref_term_slug ON ref_term(slug, rid);
CREATE INDEX ref_term_rid ON ref_term(rid);
CREATE TABLE ref_mode (rid INT, mode TEXT);
CREATE INDEX ref_mode_rid ON ref_mode(rid, mode);
CREATE TABLE ref_access (rid INT, feature TEXT);
CREATE INDEX ref_access_rid ON ref_access(rid, feature);
CREATE TABLE ref_area (code TEXT, rid INT);
CREATE INDEX ref_area_code ON ref_area(code);
CREATE TABLE ref_slot (rid INT, weekday INT, start_min INT, end_min INT);
CREATE INDEX ref_slot_rid ON ref_slot(rid, weekday);
"""


@dataclass
class RefHit:
    service_id: str
    score: float
    distance_km: float | None
    covers_area: bool = False


@dataclass
class RefResult:
    hits: list[RefHit]
    total: int
    facets: dict[str, int]


def _minutes(value: str) -> int:
    hh, mm = value.split(":")[:2]
    return int(hh) * 60 + int(mm)


class FTS5Reference:
    """Build once from the main database, then answer :class:`BenchQuery` objects."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, check_same_thread=False)

    def build(self, main_db_path: str) -> int:
        """(Re)create the ref_* tables from the Signpost database at `main_db_path`."""
        c = self.conn
        c.executescript(
            "".join(
                f"DROP TABLE IF EXISTS {t};"
                for t in (
                    "ref_fts",
                    "ref_service",
                    "ref_point",
                    "ref_term",
                    "ref_mode",
                    "ref_access",
                    "ref_area",
                    "ref_slot",
                )
            )
        )
        c.executescript(SCHEMA)
        c.execute("ATTACH DATABASE ? AS main_db", (main_db_path,))
        c.executescript("""
        CREATE TEMP TABLE rid_map AS
          SELECT s.rowid AS rid, s.id AS service_id FROM main_db.service s
          WHERE s.status IN ('active', 'temporarily closed') AND s.moderation_state = 'approved';
        CREATE INDEX temp.rid_map_sid ON rid_map(service_id);
        INSERT INTO ref_service
          SELECT m.rid, s.id, s.is_free, s.minimum_age, s.maximum_age,
                 s.status = 'temporarily closed'
          FROM rid_map m JOIN main_db.service s ON s.id = m.service_id;
        INSERT INTO ref_point
          SELECT m.rid, l.latitude, l.longitude FROM rid_map m
          JOIN main_db.service_at_location sal ON sal.service_id = m.service_id
          JOIN main_db.location l ON l.id = sal.location_id WHERE l.latitude IS NOT NULL;
        INSERT INTO ref_term
          SELECT m.rid, t.id, t.slug, COALESCE(p.slug, t.slug) FROM rid_map m
          JOIN main_db.service_taxonomy_term st ON st.service_id = m.service_id
          JOIN main_db.taxonomy_term t ON t.id = st.taxonomy_term_id
          LEFT JOIN main_db.taxonomy_term p ON p.id = t.parent_id;
        INSERT INTO ref_term
          SELECT rt.rid, p.id, p.slug, p.slug FROM ref_term rt
          JOIN main_db.taxonomy_term t ON t.id = rt.term_id
          JOIN main_db.taxonomy_term p ON p.id = t.parent_id;
        INSERT INTO ref_mode SELECT m.rid, d.mode FROM rid_map m
          JOIN main_db.service_delivery_mode d ON d.service_id = m.service_id;
        INSERT INTO ref_access SELECT DISTINCT m.rid, a.feature FROM rid_map m
          JOIN main_db.service_at_location sal ON sal.service_id = m.service_id
          JOIN main_db.accessibility a ON a.location_id = sal.location_id;
        INSERT INTO ref_area SELECT a.code, m.rid FROM rid_map m
          JOIN main_db.service_area a ON a.service_id = m.service_id;
        """)
        slots = []
        for rid, weekday, opens, closes in c.execute(
            "SELECT m.rid, sc.weekday, sc.opens_at, sc.closes_at FROM rid_map m "
            "JOIN main_db.schedule sc ON sc.service_id = m.service_id"
        ):
            o, e = _minutes(opens), _minutes(closes)
            if e > o:
                slots.append((rid, weekday, o, e))
            else:  # past midnight: the rest of this day, then the morning of the next
                slots.append((rid, weekday, o, 24 * 60))
                if e > 0:
                    slots.append((rid, (weekday + 1) % 7, 0, e))
        c.executemany("INSERT INTO ref_slot VALUES (?, ?, ?, ?)", slots)
        c.execute("""
        INSERT INTO ref_fts (rowid, name, description, org, terms, places)
          SELECT m.rid, s.name, s.description || ' ' || COALESCE(s.eligibility_description, ''),
                 o.name,
                 (SELECT group_concat(t.name, ' ') FROM ref_term rt
                    JOIN main_db.taxonomy_term t ON t.id = rt.term_id WHERE rt.rid = m.rid),
                 (SELECT group_concat(COALESCE(l.name, '') || ' ' || COALESCE(a.city, ''), ' ')
                    FROM main_db.service_at_location sal
                    JOIN main_db.location l ON l.id = sal.location_id
                    LEFT JOIN main_db.address a ON a.location_id = l.id
                    WHERE sal.service_id = m.service_id)
          FROM rid_map m JOIN main_db.service s ON s.id = m.service_id
          JOIN main_db.organization o ON o.id = s.organization_id
        """)
        count = c.execute("SELECT count(*) FROM ref_service").fetchone()[0]
        c.commit()
        c.execute("DETACH DATABASE main_db")
        c.execute("INSERT INTO ref_fts(ref_fts) VALUES ('optimize')")
        c.commit()
        return count

    # -- querying ----------------------------------------------------------------------------
    @staticmethod
    def match_expression(text: str, joiner: str = " ") -> str | None:
        """Plain words as an FTS5 expression (quoted, so syntax characters are harmless)."""
        words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS]
        return joiner.join(f'"{w}"' for w in words[:12]) or None

    def _filters(self, q: BenchQuery) -> tuple[list[str], list[object]]:
        sql: list[str] = []
        args: list[object] = []
        if q.free_only:
            sql.append("s.is_free = 1")
        if q.age is not None:
            sql.append(
                "(s.min_age IS NULL OR s.min_age <= ?) AND (s.max_age IS NULL OR s.max_age >= ?)"
            )
            args += [q.age, q.age]
        for slug in q.term_slugs:
            sql.append("EXISTS (SELECT 1 FROM ref_term t WHERE t.slug = ? AND t.rid = s.rid)")
            args.append(slug)
        if q.modes:
            marks = ",".join("?" * len(q.modes))
            sql.append(
                f"EXISTS (SELECT 1 FROM ref_mode m WHERE m.rid = s.rid AND m.mode IN ({marks}))"
            )
            args += list(q.modes)
        for feature in q.accessibility:
            sql.append("EXISTS (SELECT 1 FROM ref_access a WHERE a.rid = s.rid AND a.feature = ?)")
            args.append(feature)
        if q.day is not None or q.at_time is not None:
            cond = ["sl.rid = s.rid"]
            if q.day is not None:
                cond.append("sl.weekday = ?")
                args.append(q.day)
            if q.at_time is not None:
                cond.append("sl.start_min <= ? AND sl.end_min > ?")
                minute = q.at_time.hour * 60 + q.at_time.minute
                args += [minute, minute]
            sql.append(f"EXISTS (SELECT 1 FROM ref_slot sl WHERE {' AND '.join(cond)})")
        return sql, args

    def _rows(
        self,
        q: BenchQuery,
        match: str | None,
        where_sql: list[str],
        args: list[object],
        extra_from: str = "",
    ) -> list[tuple]:
        if match:
            sql = (
                f"SELECT s.rid, s.service_id, -bm25(ref_fts, 10.0, 1.0, 3.0, 5.0, 2.0), s.closed"
                f"{extra_from} FROM ref_fts JOIN ref_service s ON s.rid = ref_fts.rowid"
            )
            where = ["ref_fts MATCH ?", *where_sql]
            params: list[object] = [match, *args]
        else:
            sql = f"SELECT s.rid, s.service_id, 1.0, s.closed{extra_from} FROM ref_service s"
            where, params = list(where_sql), list(args)
        return sql, where, params  # type: ignore[return-value]

    def search(self, q: BenchQuery, per_page: int = 20) -> RefResult:
        """Answer one query: ranked first page, total, and category facet counts."""
        filters, fargs = self._filters(q)
        match = self.match_expression(q.text) if q.text else None
        if q.text and match is None:
            return RefResult([], 0, {})
        point = None
        if q.where:
            try:
                point = resolve_place(q.where)
            except PlaceNotFound:
                return RefResult([], 0, {})
        result = self._run(q, match, filters, fargs, point, per_page)
        if result.total == 0 and match and " " in match:
            result = self._run(q, match.replace('" "', '" OR "'), filters, fargs, point, per_page)
        return result

    def _run(
        self,
        q: BenchQuery,
        match: str | None,
        filters: list[str],
        fargs: list[object],
        point: object,
        per_page: int,
    ) -> RefResult:
        c = self.conn
        scored: dict[int, RefHit] = {}
        closed: set[int] = set()
        if point is None:
            sql, where, params = self._rows(q, match, filters, fargs)
            order = " ORDER BY 3 DESC" if match else ""
            full = f"{sql} WHERE {' AND '.join(where) or '1'}{order} LIMIT {CANDIDATES}"
            for rid, sid, rel, is_closed in c.execute(full, params):
                scored[rid] = RefHit(sid, rel, None)
                if is_closed:
                    closed.add(rid)
            count_sql = f"SELECT count(*) FROM ({sql} WHERE {' AND '.join(where) or '1'})"
            total = c.execute(count_sql, params).fetchone()[0]
        else:
            lat, lon = point.latitude, point.longitude  # type: ignore[attr-defined]
            radius = (q.radius_miles or 10.0) * MILE_KM
            min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
            sql, where, params = self._rows(q, match, filters, fargs, ", p.lat, p.lon")
            sql += " JOIN ref_point p ON p.rid = s.rid"
            where = [*where, "p.lat BETWEEN ? AND ?", "p.lon BETWEEN ? AND ?"]
            params = [*params, min_lat, max_lat, min_lon, max_lon]
            for rid, sid, rel, is_closed, plat, plon in c.execute(
                f"{sql} WHERE {' AND '.join(where)}", params
            ):
                d = distance_km(lat, lon, plat, plon)
                if d > radius:
                    continue
                score = rel / (1.0 + d / DISTANCE_SCALE_KM)
                best = scored.get(rid)
                if best is None or (best.distance_km or 0) > d:
                    scored[rid] = RefHit(sid, score, d)
                if is_closed:
                    closed.add(rid)
            codes = [point.outcode, "GB"] if point.outcode else ["GB"]  # type: ignore[attr-defined]
            sql, where, params = self._rows(q, match, filters, fargs)
            sql += " JOIN ref_area ar ON ar.rid = s.rid"
            where = [*where, f"ar.code IN ({','.join('?' * len(codes))})"]
            for rid, sid, rel, is_closed in c.execute(
                f"{sql} WHERE {' AND '.join(where)}", [*params, *codes]
            ):
                if rid not in scored:
                    scored[rid] = RefHit(sid, rel / 2.0, None, covers_area=True)
                    if is_closed:
                        closed.add(rid)
            total = len(scored)
        ranked = sorted(scored.items(), key=lambda kv: (kv[0] in closed, -kv[1].score))
        facets = self._facets([rid for rid, _ in ranked])
        return RefResult([hit for _, hit in ranked[:per_page]], total, facets)

    def _facets(self, rids: list[int]) -> dict[str, int]:
        if not rids:
            return {}
        counts: Counter[str] = Counter()
        for start in range(0, len(rids), 900):
            chunk = rids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            counts.update(
                dict(
                    self.conn.execute(
                        f"SELECT top, count(DISTINCT rid) FROM ref_term WHERE rid IN ({marks}) GROUP BY top",
                        chunk,
                    ).fetchall()
                )
            )
        return dict(counts)

    def close(self) -> None:
        self.conn.close()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of `values` (pct in 0-100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[k]
