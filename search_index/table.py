"""The in-memory table of what searches filter, rank and count on, one per index generation.

Each Whoosh document stores a small ``attrs`` record (status, free, ages, terms with their
ancestors, audiences, modes, accessibility, service areas, location points, opening spans, sort
name). The first search on a searcher turns those records into this table of compact numpy
arrays indexed by Whoosh's global document number:

* flags (closed, free, remote, alive) as boolean arrays, ages as two small-integer arrays;
* each keyed field (terms, audience, modes, accessibility, areas) as (document, key) pairs
  sorted by key, so "documents with key k" is one slice and facet counts are one ``bincount``;
* location points sorted by latitude (a bounding box is two binary searches);
* opening times as (document, weekday, opens, closes) pieces, already split at midnight.

Segments are read once and cached by segment id, so after an edit only the new (small) segment
is read; combining segments is array concatenation.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_index.filters import DAY_MINUTES, TimeWindow
from search_index.geo import EARTH_RADIUS_KM
from search_index.schema import META_ID

Mask = np.ndarray  # one bool per document
_SET_FIELDS = ("terms", "audience", "modes", "access", "areas")
_FACET_FIELDS = {
    "category": "terms",
    "audience": "audience",
    "mode": "modes",
    "accessibility": "access",
}
_LEAF_CACHE_SIZE = 16
_NO_AGES = (0, 150)


@dataclass(frozen=True)
class KeyedField:
    """(document, key) pairs of one multi-valued field, grouped by key."""

    keys: list[str]
    index: dict[str, int]
    starts: np.ndarray  # int64, len(keys) + 1: key k's documents are docs[starts[k]:starts[k+1]]
    docs: np.ndarray  # int32
    key_of: np.ndarray  # int32, the key of each pair (same order as docs)
    facet: np.ndarray  # bool per key: counted in facets (not a "slug:" alias)
    # The facet keys again, grouped by document: document d's are
    # facet_keys[facet_starts[d]:facet_starts[d + 1]] (for counting among a few documents).
    facet_starts: np.ndarray
    facet_keys: np.ndarray
    facet_docs: np.ndarray

    @classmethod
    def build(cls, keys: list[str], docs: np.ndarray, key_ids: np.ndarray, size: int) -> KeyedField:
        order = np.argsort(key_ids, kind="stable")
        key_of = key_ids[order].astype(np.int32)
        starts = _starts(key_of, len(keys))
        facet = np.array([not k.startswith("slug:") for k in keys], bool)
        keep = facet[key_ids] if len(keys) else np.zeros(0, bool)
        by_doc = np.argsort(docs[keep], kind="stable")
        facet_docs = docs[keep][by_doc].astype(np.int32)
        return cls(
            keys,
            {k: i for i, k in enumerate(keys)},
            starts,
            docs[order].astype(np.int32),
            key_of,
            facet,
            _starts(facet_docs, size),
            key_ids[keep][by_doc].astype(np.int32),
            facet_docs,
        )

    def counts(self, matched: Mask, docs: np.ndarray) -> np.ndarray:
        """How many of the `matched` documents (also given as `docs`) have each key."""
        if len(docs) * 8 < len(self.facet_docs):
            first, last = self.facet_starts[docs], self.facet_starts[docs + 1]
            lengths = last - first
            total = int(lengths.sum())
            index = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            return np.bincount(self.facet_keys[index], minlength=len(self.keys))
        return np.bincount(self.facet_keys[matched[self.facet_docs]], minlength=len(self.keys))

    def docs_of(self, key: str) -> np.ndarray:
        k = self.index.get(key)
        if k is None:
            return np.zeros(0, np.int32)
        return self.docs[self.starts[k] : self.starts[k + 1]]


def _starts(sorted_ids: np.ndarray, count: int) -> np.ndarray:
    """CSR offsets: entries with id i are [starts[i], starts[i + 1]) of the sorted ids."""
    starts = np.zeros(count + 1, np.int64)
    if count:
        np.cumsum(np.bincount(sorted_ids, minlength=count), out=starts[1:])
    return starts


@dataclass(frozen=True)
class LeafTable:
    """The table for one Whoosh segment (local document numbers); immutable once built."""

    size: int
    ids: list[str | None]
    hidden: np.ndarray  # bool: the meta record and vocabulary documents
    closed: np.ndarray
    free: np.ndarray
    remote: np.ndarray
    age_lo: np.ndarray  # int16
    age_hi: np.ndarray
    sortname: list[str]
    fields: dict[str, tuple[list[str], np.ndarray, np.ndarray]]  # keys, docs, key ids
    points: np.ndarray  # (n, 3) float64: doc, lat, lon
    pieces: np.ndarray  # (n, 3) int16: weekday, start minute, stop minute
    piece_docs: np.ndarray  # int32: the document of each piece


def _pieces(spans: Iterable[Sequence[int]]) -> list[tuple[int, int, int]]:
    """Opening spans split at midnight: (weekday, start minute, stop minute) within one day."""
    out = []
    for day, opens, closes in spans:
        end = closes if closes > opens else closes + DAY_MINUTES
        out.append((day, opens, min(end, DAY_MINUTES)))
        if end > DAY_MINUTES:
            out.append(((day + 1) % 7, 0, end - DAY_MINUTES))
    return out


def build_leaf(stored: Iterable[dict[str, Any]]) -> LeafTable:
    """The table for one segment from its documents' stored fields, in document order."""
    # Accumulated in typed arrays (no Python object per number), then viewed as numpy arrays.
    ids: list[str | None] = []
    hidden, closed, free, remote = array("i"), array("i"), array("i"), array("i")
    ages = array("h")
    sortname: list[str] = []
    field_keys: dict[str, dict[str, int]] = {name: {} for name in _SET_FIELDS}
    field_pairs: dict[str, array[int]] = {name: array("i") for name in _SET_FIELDS}
    points = array("d")
    pieces = array("h")
    piece_docs = array("i")
    for doc, fields in enumerate(stored):
        attrs = fields.get("attrs") or {}
        sid = fields.get("id")
        ids.append(sid)
        if sid == META_ID or not attrs:
            hidden.append(doc)
        if attrs.get("closed"):
            closed.append(doc)
        if attrs.get("free"):
            free.append(doc)
        if attrs.get("remote"):
            remote.append(doc)
        ages.extend(attrs.get("ages") or _NO_AGES)
        sortname.append(attrs.get("sortname") or "")
        for name in _SET_FIELDS:
            keys, pairs = field_keys[name], field_pairs[name]
            for key in attrs.get(name) or ():
                pairs.extend((doc, keys.setdefault(key, len(keys))))
        for lat, lon in attrs.get("points") or ():
            points.extend((doc, lat, lon))
        for piece in _pieces(attrs.get("spans") or ()):
            pieces.extend(piece)
            piece_docs.append(doc)
    size = len(ids)

    def mask(docs: array[int]) -> np.ndarray:
        out = np.zeros(size, bool)
        out[np.frombuffer(docs, np.int32)] = True
        return out

    def view(values: array[Any], dtype: Any, width: int) -> np.ndarray:
        return np.array(np.frombuffer(values, dtype).reshape(-1, width))

    age_pairs = view(ages, np.int16, 2)
    fields_out = {}
    for name in _SET_FIELDS:
        found = view(field_pairs[name], np.int32, 2)
        fields_out[name] = (list(field_keys[name]), found[:, 0].copy(), found[:, 1].copy())
    return LeafTable(
        size,
        ids,
        mask(hidden),
        mask(closed),
        mask(free),
        mask(remote),
        age_pairs[:, 0].copy(),
        age_pairs[:, 1].copy(),
        sortname,
        fields_out,
        view(points, np.float64, 3),
        view(pieces, np.int16, 3),
        np.frombuffer(piece_docs, np.int32).copy(),
    )


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


def segment_key(reader: Any) -> str | None:
    """A key naming one segment's immutable contents (folder, segment id, document count)."""
    segment = getattr(reader, "_segment", None)
    if segment is None or not hasattr(segment, "segment_id"):
        return None
    storage = getattr(reader, "_storage", None)
    folder = getattr(storage, "folder", "")
    return f"{folder}:{segment.segment_id()}:{reader.doc_count_all()}"


@dataclass(frozen=True)
class SearchTable:
    """The whole index's table for one searcher (global document numbers)."""

    size: int
    ids: list[str | None]
    alive: np.ndarray  # bool: public services not deleted
    closed: np.ndarray
    free: np.ndarray
    remote: np.ndarray
    age_lo: np.ndarray
    age_hi: np.ndarray
    name_rank: np.ndarray  # int32: position in name order (browsing without words or place)
    id_rank: np.ndarray  # int32: position in id order (the final tie-break)
    fields: dict[str, KeyedField]
    lat: np.ndarray  # points sorted by latitude
    lon: np.ndarray
    point_docs: np.ndarray
    pieces: np.ndarray
    piece_docs: np.ndarray

    @property
    def documents(self) -> int:
        """Services in the index."""
        return int(np.count_nonzero(self.alive))

    def lookup(self, name: str, keys: Iterable[str], *, with_slugs: bool = False) -> Mask:
        """Documents having any of `keys` in keyed field `name` (ids, or ``slug:`` keys too)."""
        table = self.fields[name]
        out = np.zeros(self.size, bool)
        for key in keys:
            out[table.docs_of(key)] = True
            if with_slugs:
                out[table.docs_of(f"slug:{key}")] = True
        return out

    def near(
        self, lat: float, lon: float, radius_km: float, box: tuple[float, float, float, float]
    ) -> np.ndarray:
        """Distance (km) from the place to each document's nearest location within
        `radius_km`; infinity for documents with none (or not alive)."""
        min_lat, max_lat, min_lon, max_lon = box
        out = np.full(self.size, np.inf)
        lo = int(np.searchsorted(self.lat, min_lat, side="left"))
        hi = int(np.searchsorted(self.lat, max_lat, side="right"))
        plat, plon, docs = self.lat[lo:hi], self.lon[lo:hi], self.point_docs[lo:hi]
        inside = (plon >= min_lon) & (plon <= max_lon)
        plat, plon, docs = plat[inside], plon[inside], docs[inside]
        if not len(docs):
            return out
        phi1, phi2 = math.radians(lat), np.radians(plat)
        a = (
            np.sin((phi2 - phi1) / 2) ** 2
            + math.cos(phi1) * np.cos(phi2) * np.sin(np.radians(plon - lon) / 2) ** 2
        )
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        within = km <= radius_km
        np.minimum.at(out, docs[within], km[within])
        out[~self.alive] = np.inf
        return out

    def open_in(self, window: TimeWindow) -> Mask:
        """Documents open on the window's weekday and/or at its minute (spans past midnight
        count on the next day)."""
        keep = np.ones(len(self.piece_docs), bool)
        if window.day is not None:
            keep &= self.pieces[:, 0] == window.day
        if window.minute is not None:
            keep &= (self.pieces[:, 1] <= window.minute) & (window.minute < self.pieces[:, 2])
        out = np.zeros(self.size, bool)
        out[self.piece_docs[keep]] = True
        return out

    def facets(self, matched: Mask) -> dict[str, dict[str, int]]:
        """Counts per facet value among `matched`: category, audience, mode, accessibility, free."""
        facets: dict[str, dict[str, int]] = {}
        docs = np.flatnonzero(matched)
        for name, field_name in _FACET_FIELDS.items():
            table = self.fields[field_name]
            counts = table.counts(matched, docs) if len(docs) else np.zeros(0, np.int64)
            keys = np.flatnonzero(counts)
            facets[name] = _ordered({table.keys[k]: int(counts[k]) for k in keys})
        total = len(docs)
        free = int(np.count_nonzero(matched & self.free))
        facets["free"] = _ordered({k: v for k, v in (("free", free), ("paid", total - free)) if v})
        return facets


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _leaf_for(reader: Any) -> LeafTable:
    def build() -> LeafTable:
        return build_leaf(reader.stored_fields(d) for d in range(reader.doc_count_all()))

    key = segment_key(reader)
    return build() if key is None else _leaves.get(key, build)


def _deleted(reader: Any) -> list[int]:
    if not reader.has_deletions():
        return []
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "deleted_docs"):
        return list(perdoc.deleted_docs())
    return [d for d in range(reader.doc_count_all()) if reader.is_deleted(d)]


def _rank(*keys: Sequence[str]) -> np.ndarray:
    """Each position's place in the order of `keys` (first key first; code point order)."""
    order = np.lexsort(
        [np.array(k, dtype=str) if len(k) else np.zeros(0, str) for k in reversed(keys)]
    )
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank


def _combine(parts: list[tuple[LeafTable, int, list[int]]]) -> SearchTable:
    if not parts:
        return _combine([(build_leaf(()), 0, [])])
    size = sum(leaf.size for leaf, _, _ in parts)
    ids: list[str | None] = []
    sortname: list[str] = []
    for leaf, _, _ in parts:
        ids += leaf.ids
        sortname += leaf.sortname

    def cat(attr: str) -> np.ndarray:
        return np.concatenate([getattr(leaf, attr) for leaf, _, _ in parts])

    alive = ~cat("hidden")
    for _, offset, deleted in parts:
        if deleted:
            alive[np.asarray(deleted, np.int64) + offset] = False
    fields: dict[str, KeyedField] = {}
    for name in _SET_FIELDS:
        keys: dict[str, int] = {}
        docs, key_ids = [], []
        for leaf, offset, _ in parts:
            leaf_keys, leaf_docs, leaf_key_ids = leaf.fields[name]
            remap = np.array([keys.setdefault(k, len(keys)) for k in leaf_keys], np.int32)
            docs.append(leaf_docs + offset)
            key_ids.append(remap[leaf_key_ids] if len(remap) else leaf_key_ids)
        fields[name] = KeyedField.build(
            list(keys), np.concatenate(docs), np.concatenate(key_ids), size
        )
    points = np.concatenate([leaf.points + (offset, 0.0, 0.0) for leaf, offset, _ in parts])
    order = np.argsort(points[:, 1], kind="stable")
    points = points[order]
    piece_docs = np.concatenate([leaf.piece_docs + offset for leaf, offset, _ in parts])
    plain_ids = [i or "" for i in ids]
    return SearchTable(
        size,
        ids,
        alive,
        cat("closed"),
        cat("free"),
        cat("remote"),
        cat("age_lo"),
        cat("age_hi"),
        _rank(sortname, plain_ids),
        _rank(plain_ids),
        fields,
        np.ascontiguousarray(points[:, 1]),
        np.ascontiguousarray(points[:, 2]),
        points[:, 0].astype(np.int32),
        cat("pieces"),
        piece_docs.astype(np.int32),
    )


_tables_lock = threading.Lock()
_tables: OrderedDict[tuple[tuple[str, int], ...], SearchTable] = OrderedDict()
_TABLE_CACHE_SIZE = 2


def search_table(searcher: Searcher) -> SearchTable:
    """The table for `searcher`, built on first use and kept with the searcher.

    Searchers of other threads on the same segments with the same deletions share one table
    (a segment's deletions only ever grow, so their count identifies them).
    """
    cache = searcher.__dict__
    table = cache.get("_signpost_table")
    if table is not None:
        return table
    leaves = list(searcher.reader().leaf_readers())
    keys = [segment_key(reader) for reader, _ in leaves]
    shared: tuple[tuple[str, int], ...] | None = None
    if all(k is not None for k in keys):
        shared = tuple((k, r.doc_count()) for k, (r, _) in zip(keys, leaves, strict=True))  # type: ignore[misc]
        with _tables_lock:
            table = _tables.get(shared)
    if table is None:
        parts = [(_leaf_for(reader), offset, _deleted(reader)) for reader, offset in leaves]
        table = _combine(parts)
        _leaves.retain({k for k in keys if k is not None})
        if shared is not None:
            with _tables_lock:
                _tables[shared] = table
                while len(_tables) > _TABLE_CACHE_SIZE:
                    _tables.popitem(last=False)
    cache["_signpost_table"] = table
    return table
