"""The in-memory table of what searches filter, rank and count on, one per index generation.

Each Whoosh document stores a small ``attrs`` record (status, free, ages, terms with their
ancestors, audiences, modes, accessibility, service areas, location points, opening spans, sort
name). The first search on a searcher turns those records into this table: sets of document
numbers per filter value, a grid of location points, and per-document lists. Segments are read
once and cached by segment id, so after an edit only the new (small) segment is read.

Everything here is keyed by Whoosh's global document number for one searcher.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from whoosh.searching import Searcher

from search_index.geo import distance_km
from search_index.schema import META_ID

GRID = 0.1  # degrees; the location grid for "near a place"
_SET_FIELDS = ("terms", "audience", "modes", "access", "areas")
_FACET_FIELDS = {"category": "terms", "audience": "audience", "mode": "modes",
                 "accessibility": "access"}
_LEAF_CACHE_SIZE = 16


@dataclass
class LeafTable:
    """The table for one Whoosh segment (local document numbers); immutable once built."""

    size: int
    ids: list[str | None]
    meta: set[int] = field(default_factory=set)
    closed: set[int] = field(default_factory=set)
    free: set[int] = field(default_factory=set)
    remote: set[int] = field(default_factory=set)
    ages: list[tuple[int, int]] = field(default_factory=list)
    spans: list[tuple[tuple[int, int, int], ...]] = field(default_factory=list)
    points: list[tuple[tuple[float, float], ...]] = field(default_factory=list)
    sortname: list[str] = field(default_factory=list)
    sets: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    grid: dict[tuple[int, int], list[tuple[int, float, float]]] = field(default_factory=dict)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / GRID), math.floor(lon / GRID)


def build_leaf(stored: Iterable[dict[str, Any]]) -> LeafTable:
    """The table for one segment from its documents' stored fields, in document order."""
    ids: list[str | None] = []
    leaf = LeafTable(0, ids, sets={name: {} for name in _SET_FIELDS})
    for doc, fields in enumerate(stored):
        attrs = fields.get("attrs") or {}
        sid = fields.get("id")
        ids.append(sid)
        if sid == META_ID or not attrs:
            leaf.meta.add(doc)
        if attrs.get("closed"):
            leaf.closed.add(doc)
        if attrs.get("free"):
            leaf.free.add(doc)
        if attrs.get("remote"):
            leaf.remote.add(doc)
        leaf.ages.append(tuple(attrs.get("ages") or (0, 150)))  # type: ignore[arg-type]
        leaf.spans.append(tuple(attrs.get("spans") or ()))
        points = tuple(tuple(p) for p in attrs.get("points") or ())
        leaf.points.append(points)  # type: ignore[arg-type]
        leaf.sortname.append(attrs.get("sortname") or "")
        for name in _SET_FIELDS:
            table = leaf.sets[name]
            for key in attrs.get(name) or ():
                table.setdefault(key, set()).add(doc)
        for lat, lon in points:
            leaf.grid.setdefault(_cell(lat, lon), []).append((doc, lat, lon))
    leaf.size = len(ids)
    return leaf


class _LeafCache:
    """Leaf tables by segment id (a segment's documents never change; deletions are separate)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[str, LeafTable] = OrderedDict()

    def get(self, key: str, build: Any) -> LeafTable:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        leaf = build()
        with self.lock:
            self.entries[key] = leaf
            self.entries.move_to_end(key)
            while len(self.entries) > _LEAF_CACHE_SIZE:
                self.entries.popitem(last=False)
        return leaf


    def retain(self, keys: set[str]) -> None:
        """Forget segments the live index no longer has (after a rebuild or a merge)."""
        with self.lock:
            for key in [k for k in self.entries if k not in keys]:
                del self.entries[key]


_leaves = _LeafCache()


def _leaf_key(reader: Any) -> str | None:
    segment = getattr(reader, "_segment", None)
    if segment is None or not hasattr(segment, "segment_id"):
        return None
    storage = getattr(reader, "_storage", None)
    folder = getattr(storage, "folder", "")
    return f"{folder}:{segment.segment_id()}:{reader.doc_count_all()}"


def _shift(docs: Iterable[int], offset: int) -> set[int]:
    return set(docs) if not offset else {d + offset for d in docs}


@dataclass
class SearchTable:
    """The whole index's table for one searcher (global document numbers)."""

    ids: list[str | None]
    alive: frozenset[int]
    closed: set[int]
    free: set[int]
    remote: set[int]
    ages: list[tuple[int, int]]
    spans: list[tuple[tuple[int, int, int], ...]]
    points: list[tuple[tuple[float, float], ...]]
    sortname: list[str]
    sets: dict[str, dict[str, set[int]]]
    grid: dict[tuple[int, int], list[tuple[int, float, float]]]

    def lookup(self, name: str, keys: Iterable[str], *, with_slugs: bool = False) -> set[int]:
        """Documents having any of `keys` in set field `name` (ids, or ``slug:`` keys too)."""
        table = self.sets[name]
        out: set[int] = set()
        for key in keys:
            out |= table.get(key, set())
            if with_slugs:
                out |= table.get(f"slug:{key}", set())
        return out

    def near(self, lat: float, lon: float, radius_km: float,
             box: tuple[float, float, float, float]) -> dict[int, float]:
        """Documents with a location within `radius_km`: document -> distance to the nearest."""
        min_lat, max_lat, min_lon, max_lon = box
        out: dict[int, float] = {}
        grid = self.grid
        lat_cells = range(math.floor(min_lat / GRID), math.floor(max_lat / GRID) + 1)
        lon_cells = range(math.floor(max(min_lon, -180.0) / GRID),
                          math.floor(min(max_lon, 180.0) / GRID) + 1)
        if len(lat_cells) * len(lon_cells) > len(grid):
            cells: Iterable[list[tuple[int, float, float]]] = (
                pts for (a, b), pts in grid.items() if a in lat_cells and b in lon_cells)
        else:
            cells = (grid[(a, b)] for a in lat_cells for b in lon_cells if (a, b) in grid)
        for pts in cells:
            for doc, plat, plon in pts:
                if not (min_lat <= plat <= max_lat and min_lon <= plon <= max_lon):
                    continue
                km = distance_km(lat, lon, plat, plon)
                if km <= radius_km and km < out.get(doc, math.inf):
                    out[doc] = km
        alive = self.alive
        return {d: km for d, km in out.items() if d in alive}

    def facets(self, matched: set[int] | frozenset[int]) -> dict[str, dict[str, int]]:
        """Counts per facet value among `matched`: category, audience, mode, accessibility, free."""
        facets: dict[str, dict[str, int]] = {}
        for name, field_name in _FACET_FIELDS.items():
            counts: dict[str, int] = {}
            for key, docs in self.sets[field_name].items():
                if key.startswith("slug:"):
                    continue
                n = len(matched & docs) if len(matched) < len(docs) else len(docs & matched)
                if n:
                    counts[key] = n
            facets[name] = _ordered(counts)
        free = len(matched & self.free)
        facets["free"] = _ordered({k: v for k, v in (("free", free), ("paid", len(matched) - free))
                                   if v})
        return facets


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _leaf_for(reader: Any) -> LeafTable:
    def build() -> LeafTable:
        return build_leaf(reader.stored_fields(d) for d in range(reader.doc_count_all()))

    key = _leaf_key(reader)
    return build() if key is None else _leaves.get(key, build)


def _deleted(reader: Any) -> set[int]:
    if not reader.has_deletions():
        return set()
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "deleted_docs"):
        return set(perdoc.deleted_docs())
    return {d for d in range(reader.doc_count_all()) if reader.is_deleted(d)}


def _combine(parts: list[tuple[LeafTable, int, set[int]]]) -> SearchTable:
    ids: list[str | None] = []
    ages: list[tuple[int, int]] = []
    spans: list[tuple[tuple[int, int, int], ...]] = []
    points: list[tuple[tuple[float, float], ...]] = []
    sortname: list[str] = []
    closed: set[int] = set()
    free: set[int] = set()
    remote: set[int] = set()
    sets: dict[str, dict[str, set[int]]] = {name: {} for name in _SET_FIELDS}
    grid: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
    alive: set[int] = set()
    for leaf, offset, deleted in parts:
        ids += leaf.ids
        ages += leaf.ages
        spans += leaf.spans
        points += leaf.points
        sortname += leaf.sortname
        closed |= _shift(leaf.closed, offset)
        free |= _shift(leaf.free, offset)
        remote |= _shift(leaf.remote, offset)
        for name, table in leaf.sets.items():
            target = sets[name]
            for key, docs in table.items():
                target.setdefault(key, set()).update(_shift(docs, offset))
        for cell, pts in leaf.grid.items():
            grid.setdefault(cell, []).extend(
                pts if not offset else [(d + offset, a, b) for d, a, b in pts])
        hidden = leaf.meta | deleted
        alive.update(d + offset for d in range(leaf.size) if d not in hidden)
    return SearchTable(ids, frozenset(alive), closed, free, remote, ages, spans, points,
                       sortname, sets, grid)


def search_table(searcher: Searcher) -> SearchTable:
    """The table for `searcher`, built on first use and kept with the searcher."""
    cache = searcher.__dict__
    table = cache.get("_signpost_table")
    if table is None:
        parts = []
        keys: set[str] = set()
        for reader, offset in searcher.reader().leaf_readers():
            parts.append((_leaf_for(reader), offset, _deleted(reader)))
            key = _leaf_key(reader)
            if key is not None:
                keys.add(key)
        table = _combine(parts)
        _leaves.retain(keys)
        cache["_signpost_table"] = table
    return table
