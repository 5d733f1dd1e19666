"""The table searches filter, rank and count on: one per index state, shared in a process.

Each Whoosh document stores a small ``attrs`` record (status, free, ages, terms with their
ancestors, audiences, modes, accessibility, service areas, service-at-location links with their
points, opening spans, sort name). `search_index.table_part` turns the records of consecutive
segments into a `Part` of compact numpy arrays; a rebuild writes the part of its whole
generation to disk, and every worker maps it. A `SearchTable` puts the parts of the live index
side by side in Whoosh's global document numbers: the mapped part of the rebuilt segments,
then small parts built in memory for the segments edits added since, with the documents those
edits replaced marked not alive.

Answers are numpy arrays over every document: boolean masks for filters, distances for a place,
facet counts with one ``bincount`` per part.
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_index.filters import TimeWindow
from search_index.geo import EARTH_RADIUS_KM
from search_index.table_leaf import build_leaf
from search_index.table_part import Part

log = logging.getLogger(__name__)

Mask = np.ndarray  # one bool per document
_FACET_FIELDS = {
    "category": "terms",
    "audience": "audience",
    "mode": "modes",
    "accessibility": "access",
}
_LEAF_CACHE_SIZE = 16
_TABLE_CACHE_SIZE = 2


class _Sorted(Sequence[str]):
    """A part's keys in rank order, for bisecting (without copying them out)."""

    def __init__(self, key: Any, rank: np.ndarray) -> None:
        self.key = key
        self.order = np.empty(len(rank), np.int64)
        self.order[np.asarray(rank, np.int64)] = np.arange(len(rank))

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: Any) -> Any:
        return self.key(int(self.order[i]))


def _merged_rank(parts: list[Part], offsets: np.ndarray, rank_of: str, key_of: str) -> np.ndarray:
    """Global positions in key order, from each part's own ranks.

    The largest part is the anchor: every document of the other (small) parts is placed among
    its keys by binary search, so the anchor's keys are never all read.
    """
    if len(parts) == 1:
        return getattr(parts[0], rank_of)
    anchor = max(range(len(parts)), key=lambda i: parts[i].size)
    base = parts[anchor]
    ordered = _Sorted(getattr(base, key_of), getattr(base, rank_of))
    others: list[tuple[int, str, int]] = []
    for i, part in enumerate(parts):
        if i == anchor:
            continue
        key = getattr(part, key_of)
        for doc in range(part.size):
            value = key(doc)
            others.append((bisect.bisect_left(ordered, value), value, int(offsets[i]) + doc))
    others.sort()
    positions = np.array([o[0] for o in others], np.int64)
    rank = np.empty(int(offsets[-1]), np.int64)
    local = np.asarray(getattr(base, rank_of), np.int64)
    start = int(offsets[anchor])
    rank[start : start + base.size] = local + np.searchsorted(positions, local, side="right")
    rank[np.array([o[2] for o in others], np.int64)] = positions + np.arange(len(others))
    return rank


class SearchTable:
    """The whole index's table for one searcher (global document numbers)."""

    def __init__(self, parts: list[Part], deleted: Iterable[int] = ()) -> None:
        parts = parts or [Part.from_leaves([], ())]
        self.parts = parts
        self.offsets = np.cumsum([0, *(p.size for p in parts)])
        self.link_offsets = np.cumsum([0, *(p.link_count for p in parts)])
        self.size = int(self.offsets[-1])

        def cat(attr: str) -> np.ndarray:
            if len(parts) == 1:
                return getattr(parts[0], attr)
            return np.concatenate([getattr(p, attr) for p in parts])

        self.alive: np.ndarray = ~cat("hidden")  # bool: public services not deleted
        gone = np.fromiter(deleted, np.int64)
        if len(gone):
            self.alive[gone] = False
        self.closed, self.free, self.remote = cat("closed"), cat("free"), cat("remote")
        self.age_lo, self.age_hi = cat("age_lo"), cat("age_hi")
        # Position in name order (browsing without words or place) and in id order (the
        # final tie-break).
        self.name_rank = _merged_rank(parts, self.offsets, "name_rank", "sortkey")
        self.id_rank = _merged_rank(parts, self.offsets, "id_rank", "service_id")
        self.ids = _Ids(self)

    @property
    def documents(self) -> int:
        """Services in the index."""
        return int(np.count_nonzero(self.alive))

    def _part_of(self, doc: int) -> tuple[Part, int]:
        i = int(np.searchsorted(self.offsets, doc, side="right")) - 1
        return self.parts[i], int(doc - self.offsets[i])

    def service_id(self, doc: int) -> str:
        part, local = self._part_of(doc)
        return part.service_id(local)

    def lookup(self, name: str, keys: Iterable[str], *, with_slugs: bool = False) -> Mask:
        """Documents having any of `keys` in keyed field `name` (ids, or ``slug:`` keys too)."""
        out = np.zeros(self.size, bool)
        keys = list(keys)
        for part, offset in zip(self.parts, self.offsets, strict=False):
            table = part.keyed[name]
            for key in keys:
                out[table.docs_of(key).astype(np.int64) + offset] = True
                if with_slugs:
                    out[table.docs_of(f"slug:{key}").astype(np.int64) + offset] = True
        return out

    def near_points(
        self, lat: float, lon: float, radius_km: float, box: tuple[float, float, float, float]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every location point within `radius_km`: (documents, km, global link numbers)."""
        min_lat, max_lat, min_lon, max_lon = box
        docs, kms, links = [np.zeros(0, np.int64)], [np.zeros(0)], [np.zeros(0, np.int64)]
        for part, offset, link_offset in zip(
            self.parts, self.offsets, self.link_offsets, strict=False
        ):
            lo = int(np.searchsorted(part.lat, min_lat, side="left"))
            hi = int(np.searchsorted(part.lat, max_lat, side="right"))
            plat, plon = part.lat[lo:hi], part.lon[lo:hi]
            inside = np.flatnonzero((plon >= min_lon) & (plon <= max_lon))
            if not len(inside):
                continue
            plat, plon = plat[inside], plon[inside]
            phi1, phi2 = math.radians(lat), np.radians(plat)
            a = (
                np.sin((phi2 - phi1) / 2) ** 2
                + math.cos(phi1) * np.cos(phi2) * np.sin(np.radians(plon - lon) / 2) ** 2
            )
            km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
            within = np.flatnonzero(km <= radius_km)
            picked = inside[within] + lo
            docs.append(part.point_docs[picked].astype(np.int64) + offset)
            kms.append(km[within])
            links.append(part.point_links[picked].astype(np.int64) + link_offset)
        return np.concatenate(docs), np.concatenate(kms), np.concatenate(links)

    def near(
        self, lat: float, lon: float, radius_km: float, box: tuple[float, float, float, float]
    ) -> np.ndarray:
        """Distance (km) from the place to each document's nearest location within
        `radius_km`; infinity for documents with none (or not alive)."""
        out = np.full(self.size, np.inf)
        docs, km, _ = self.near_points(lat, lon, radius_km, box)
        if len(docs):
            np.minimum.at(out, docs, km)
            out[~self.alive] = np.inf
        return out

    def link_id(self, link: int) -> str:
        """The service-at-location id of a global link number."""
        i = int(np.searchsorted(self.link_offsets, link, side="right")) - 1
        return self.parts[i].link_id(int(link - self.link_offsets[i]))

    def links_of(self, doc: int) -> list[str]:
        """A document's service-at-location ids, in id order."""
        part, local = self._part_of(doc)
        first, last = int(part.link_starts[local]), int(part.link_starts[local + 1])
        return [part.link_id(i) for i in range(first, last)]

    @cached_property
    def link_counts(self) -> np.ndarray:
        """How many service-at-location links each document has."""
        return np.concatenate([np.diff(p.link_starts) for p in self.parts])

    def open_in(self, window: TimeWindow) -> Mask:
        """Documents open on the window's weekday and/or at its minute (spans past midnight
        count on the next day)."""
        out = np.zeros(self.size, bool)
        for part, offset in zip(self.parts, self.offsets, strict=False):
            keep = np.ones(len(part.piece_docs), bool)
            if window.day is not None:
                keep &= part.pieces[:, 0] == window.day
            if window.minute is not None:
                keep &= (part.pieces[:, 1] <= window.minute) & (window.minute < part.pieces[:, 2])
            out[part.piece_docs[keep].astype(np.int64) + offset] = True
        return out

    def facets(self, matched: Mask) -> dict[str, dict[str, int]]:
        """Counts per facet value among `matched`: category, audience, mode, accessibility, free."""
        facets: dict[str, dict[str, int]] = {}
        pieces = [
            (part, matched[offset : offset + part.size])
            for part, offset in zip(self.parts, self.offsets, strict=False)
        ]
        for name, field_name in _FACET_FIELDS.items():
            counts: dict[str, int] = {}
            for part, mask in pieces:
                table = part.keyed[field_name]
                docs = np.flatnonzero(mask)
                if not len(docs):
                    continue
                found = table.counts(mask, docs)
                for k in np.flatnonzero(found):
                    key = table.keys[k]
                    counts[key] = counts.get(key, 0) + int(found[k])
            facets[name] = _ordered(counts)
        total = int(np.count_nonzero(matched))
        free = int(np.count_nonzero(matched & self.free))
        facets["free"] = _ordered({k: v for k, v in (("free", free), ("paid", total - free)) if v})
        return facets


class _Ids:
    """``table.ids[doc]``: the service id of a global document number."""

    def __init__(self, table: SearchTable) -> None:
        self.table = table

    def __getitem__(self, doc: Any) -> str:
        return self.table.service_id(int(doc))


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# --- parts of a live index --------------------------------------------------------------------


def segment_key(reader: Any) -> str | None:
    """A key naming one segment's immutable contents (folder, segment id, document count)."""
    segment = getattr(reader, "_segment", None)
    if segment is None or not hasattr(segment, "segment_id"):
        return None
    storage = getattr(reader, "_storage", None)
    folder = getattr(storage, "folder", "")
    return f"{folder}:{segment.segment_id()}:{reader.doc_count_all()}"


def _segment_name(reader: Any) -> tuple[str, int]:
    segment = getattr(reader, "_segment", None)
    name = segment.segment_id() if segment is not None and hasattr(segment, "segment_id") else ""
    return name, reader.doc_count_all()


class _LRU:
    """A small thread-safe cache of things that never change once built."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, build: Any) -> Any:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        value = build()
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


_leaf_parts = _LRU(_LEAF_CACHE_SIZE)
_saved_parts = _LRU(2)
_tables = _LRU(_TABLE_CACHE_SIZE)


def _leaf_part(reader: Any) -> Part:
    def build() -> Part:
        leaf = build_leaf(reader.stored_fields(d) for d in range(reader.doc_count_all()))
        return Part.from_leaves([leaf], (_segment_name(reader),))

    key = segment_key(reader)
    return build() if key is None else _leaf_parts.get(key, build)


def _generation_folder(reader: Any) -> Path | None:
    folder = getattr(getattr(reader, "_storage", None), "folder", None)
    return Path(folder) if folder else None


def _saved_part(leaves: list[tuple[Any, int]]) -> Part | None:
    """The generation's saved part, when it covers the first segments of this reader."""
    if not leaves:
        return None
    folder = _generation_folder(leaves[0][0])
    if folder is None:
        return None
    meta = folder / "table" / "meta.json"
    try:
        stamp = meta.stat().st_mtime_ns
    except OSError:
        return None
    part: Part | None = _saved_parts.get((str(folder), stamp), lambda: Part.load(folder) or False)
    if not part:
        return None
    count = len(part.segments)
    names = tuple(_segment_name(reader) for reader, _ in leaves[:count])
    return part if names == part.segments else None


def _deleted(reader: Any) -> list[int]:
    if not reader.has_deletions():
        return []
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "deleted_docs"):
        return list(perdoc.deleted_docs())
    return [d for d in range(reader.doc_count_all()) if reader.is_deleted(d)]


def search_table(searcher: Searcher) -> SearchTable:
    """The table for `searcher`, made on first use and kept with the searcher.

    Searchers of other threads on the same segments with the same deletions share one table
    (a segment's deletions only ever grow, so their count identifies them).
    """
    cache = searcher.__dict__
    table = cache.get("_signpost_table")
    if table is not None:
        return table
    leaves = list(searcher.reader().leaf_readers())
    keys = [segment_key(reader) for reader, _ in leaves]

    def build() -> SearchTable:
        saved = _saved_part(leaves)
        parts = [saved] if saved is not None else []
        rest = leaves[len(saved.segments) :] if saved is not None else leaves
        parts += [_leaf_part(reader) for reader, _ in rest]
        deleted = [d + offset for reader, offset in leaves for d in _deleted(reader)]
        return SearchTable(parts, deleted)

    if all(k is not None for k in keys):
        shared = tuple((k, r.doc_count()) for k, (r, _) in zip(keys, leaves, strict=True))
        table = _tables.get(shared, build)
    else:
        table = build()
    cache["_signpost_table"] = table
    return table


def write_table(searcher: Searcher, generation: Path) -> Part:
    """Build the table of every segment `searcher` reads and save it in the generation folder
    (at index time, so that no worker has to build it)."""
    leaves = [reader for reader, _ in searcher.reader().leaf_readers()]
    part = Part.from_leaves(
        [build_leaf(r.stored_fields(d) for d in range(r.doc_count_all())) for r in leaves],
        tuple(_segment_name(r) for r in leaves),
    )
    part.save(generation)
    return part
