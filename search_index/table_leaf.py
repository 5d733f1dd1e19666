"""One Whoosh segment's search facts, read from its documents' stored ``attrs`` records.

A `LeafTable` holds, in the segment's own document numbers, what `search_index.table` filters,
ranks and counts on. It is built from stored fields (a pass over every document of the
segment), so the table of a whole rebuilt index is built once and kept on disk
(`search_index.table_part`); only the small segments that edits add are read this way at
search time.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from search_index.filters import DAY_MINUTES
from search_index.schema import META_ID

SET_FIELDS = ("terms", "audience", "modes", "access", "areas")
NO_AGES = (0, 150)


@dataclass(frozen=True)
class LeafTable:
    """The table for one Whoosh segment (local document numbers); immutable once built."""

    size: int
    ids: list[str]
    hidden: np.ndarray  # bool: the meta record and vocabulary documents
    closed: np.ndarray
    free: np.ndarray
    remote: np.ndarray
    age_lo: np.ndarray  # int16
    age_hi: np.ndarray
    sortname: list[str]
    fields: dict[str, tuple[list[str], np.ndarray, np.ndarray]]  # keys, docs, key ids
    link_docs: np.ndarray  # int32: the document of each service-at-location link
    link_ids: list[str]
    link_points: np.ndarray  # (n, 2) float64: latitude, longitude (NaN when not known)
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


def _links(attrs: dict[str, Any]) -> Iterable[tuple[str, float | None, float | None]]:
    links = attrs.get("links")
    if links is not None:
        return links
    return (("", lat, lon) for lat, lon in attrs.get("points") or ())  # an older document


def build_leaf(stored: Iterable[dict[str, Any]]) -> LeafTable:
    """The table for one segment from its documents' stored fields, in document order."""
    # Accumulated in typed arrays (no Python object per number), then viewed as numpy arrays.
    ids: list[str] = []
    hidden, closed, free, remote = array("i"), array("i"), array("i"), array("i")
    ages = array("h")
    sortname: list[str] = []
    field_keys: dict[str, dict[str, int]] = {name: {} for name in SET_FIELDS}
    field_pairs: dict[str, array[int]] = {name: array("i") for name in SET_FIELDS}
    link_docs, link_ids, link_points = array("i"), [], array("d")
    pieces = array("h")
    piece_docs = array("i")
    nan = float("nan")
    for doc, fields in enumerate(stored):
        attrs = fields.get("attrs") or {}
        sid = fields.get("id") or ""
        ids.append(sid)
        if sid == META_ID or not attrs:
            hidden.append(doc)
        if attrs.get("closed"):
            closed.append(doc)
        if attrs.get("free"):
            free.append(doc)
        if attrs.get("remote"):
            remote.append(doc)
        ages.extend(attrs.get("ages") or NO_AGES)
        sortname.append(attrs.get("sortname") or "")
        for name in SET_FIELDS:
            keys, pairs = field_keys[name], field_pairs[name]
            for key in attrs.get(name) or ():
                pairs.extend((doc, keys.setdefault(key, len(keys))))
        for link_id, lat, lon in _links(attrs):
            link_docs.append(doc)
            link_ids.append(link_id)
            if lat is not None and lon is not None:
                link_points.extend((lat, lon))
            else:
                link_points.extend((nan, nan))
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
    for name in SET_FIELDS:
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
        np.frombuffer(link_docs, np.int32).copy(),
        link_ids,
        view(link_points, np.float64, 2),
        view(pieces, np.int16, 3),
        np.frombuffer(piece_docs, np.int32).copy(),
    )
