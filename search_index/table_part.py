"""The search table of a run of consecutive index segments, as compact numpy arrays.

A `Part` is what `search_index.table` reads to filter, rank, count and measure distances: flags
and ages per document, each keyed field as (document, key) pairs grouped by key, location points
sorted by latitude with the service-at-location link each belongs to, opening-time pieces, and
each document's place in name order and in id order.

A rebuild writes the part of its whole new generation to ``<generation>/table/`` (`Part.save`),
and every process maps those files read-only (`Part.load`, numpy memmaps) instead of reading
every stored document and building its own copy: measured at 200,000 services, a new worker's
first search went from seconds to milliseconds, and the pages the workers of a node read are
held once in the page cache rather than once per worker. Segments added by later edits are
small and built in memory from their stored fields (`Part.from_leaves`).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search_index.table_leaf import SET_FIELDS, LeafTable

PART_FORMAT = 1
TABLE_DIR = "table"


def starts_of(sorted_ids: np.ndarray, count: int) -> np.ndarray:
    """CSR offsets: entries with id i are [starts[i], starts[i + 1]) of the sorted ids."""
    starts = np.zeros(count + 1, np.int64)
    if count:
        np.cumsum(np.bincount(sorted_ids, minlength=count), out=starts[1:])
    return starts


@dataclass(frozen=True)
class KeyedField:
    """(document, key) pairs of one multi-valued field, grouped by key."""

    keys: list[str]
    index: dict[str, int]
    starts: np.ndarray  # int64, len(keys) + 1: key k's documents are docs[starts[k]:starts[k+1]]
    docs: np.ndarray  # int32
    facet: np.ndarray  # bool per key: counted in facets (not a "slug:" alias)
    # The facet keys again, grouped by document: document d's are
    # facet_keys[facet_starts[d]:facet_starts[d + 1]] (for counting among a few documents).
    facet_starts: np.ndarray
    facet_keys: np.ndarray
    facet_docs: np.ndarray

    ARRAYS = ("starts", "docs", "facet_starts", "facet_keys", "facet_docs")

    @classmethod
    def build(cls, keys: list[str], docs: np.ndarray, key_ids: np.ndarray, size: int) -> KeyedField:
        order = np.argsort(key_ids, kind="stable")
        starts = starts_of(key_ids[order].astype(np.int32), len(keys))
        facet = _facet_mask(keys)
        keep = facet[key_ids] if len(keys) else np.zeros(0, bool)
        by_doc = np.argsort(docs[keep], kind="stable")
        facet_docs = docs[keep][by_doc].astype(np.int32)
        return cls(
            keys,
            {k: i for i, k in enumerate(keys)},
            starts,
            docs[order].astype(np.int32),
            facet,
            starts_of(facet_docs, size),
            key_ids[keep][by_doc].astype(np.int32),
            facet_docs,
        )

    def counts(self, matched: np.ndarray, docs: np.ndarray) -> np.ndarray:
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


def _facet_mask(keys: list[str]) -> np.ndarray:
    return np.array([not k.startswith("slug:") for k in keys], bool)


def _strings(values: list[str]) -> np.ndarray:
    """Fixed-width UTF-8 bytes (numpy ``S``): compact, and memory-mappable."""
    encoded = [v.encode() for v in values]
    return np.array(encoded, dtype=f"S{max(1, max(map(len, encoded), default=1))}")


def _rank(keys: list[str]) -> np.ndarray:
    """Each position's place in code point order of `keys` (ties in position order)."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), np.int32)
    rank[np.array(order, np.int64)] = np.arange(len(keys), dtype=np.int32)
    return rank


@dataclass(frozen=True)
class Part:
    """The table of consecutive segments, in the part's own document numbers (0..size-1)."""

    size: int
    segments: tuple[tuple[str, int], ...]  # (segment id, documents) in index order
    field_keys: dict[str, list[str]]
    ids: np.ndarray  # S: service id of each document
    hidden: np.ndarray  # bool: the meta record and vocabulary documents
    closed: np.ndarray
    free: np.ndarray
    remote: np.ndarray
    age_lo: np.ndarray  # int16
    age_hi: np.ndarray
    name_rank: np.ndarray  # int32: position in (name, id) order
    id_rank: np.ndarray  # int32: position in id order
    sortkeys: np.ndarray  # S: "name\0id" of each document (the name order's key)
    link_starts: np.ndarray  # int64 CSR: document d's links are link_ids[starts[d]:starts[d+1]]
    link_ids: np.ndarray  # S: service-at-location ids, by document then id
    lat: np.ndarray  # float64: points with coordinates, sorted by latitude
    lon: np.ndarray
    point_docs: np.ndarray  # int32
    point_links: np.ndarray  # int32: index into link_ids
    pieces: np.ndarray  # (n, 3) int16: weekday, start minute, stop minute
    piece_docs: np.ndarray  # int32
    keyed: dict[str, KeyedField]

    _ARRAYS = [
        "ids",
        "hidden",
        "closed",
        "free",
        "remote",
        "age_lo",
        "age_hi",
        "name_rank",
        "id_rank",
        "sortkeys",
        "link_starts",
        "link_ids",
        "lat",
        "lon",
        "point_docs",
        "point_links",
        "pieces",
        "piece_docs",
    ]

    def service_id(self, doc: int) -> str:
        return bytes(self.ids[doc]).decode()

    def sortkey(self, doc: int) -> str:
        return bytes(self.sortkeys[doc]).decode()

    def link_id(self, index: int) -> str:
        return bytes(self.link_ids[index]).decode()

    @property
    def link_count(self) -> int:
        return len(self.link_ids)

    @classmethod
    def from_leaves(cls, leaves: list[LeafTable], segments: tuple[tuple[str, int], ...]) -> Part:
        """Combine the tables of consecutive segments (document numbers run on)."""
        offsets = np.cumsum([0, *(leaf.size for leaf in leaves)])
        size = int(offsets[-1])
        ids: list[str] = []
        sortname: list[str] = []
        for leaf in leaves:
            ids += leaf.ids
            sortname += leaf.sortname

        def cat(attr: str, dtype: Any) -> np.ndarray:
            parts = [getattr(leaf, attr) for leaf in leaves]
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        keyed: dict[str, KeyedField] = {}
        for name in SET_FIELDS:
            keys: dict[str, int] = {}
            docs, key_ids = [np.zeros(0, np.int32)], [np.zeros(0, np.int32)]
            for leaf, offset in zip(leaves, offsets, strict=False):
                leaf_keys, leaf_docs, leaf_key_ids = leaf.fields[name]
                remap = np.array([keys.setdefault(k, len(keys)) for k in leaf_keys], np.int32)
                docs.append(leaf_docs + offset)
                key_ids.append(remap[leaf_key_ids] if len(remap) else leaf_key_ids)
            keyed[name] = KeyedField.build(
                list(keys), np.concatenate(docs), np.concatenate(key_ids).astype(np.int64), size
            )
        link_docs = np.concatenate(
            [np.zeros(0, np.int64)]
            + [leaf.link_docs + offset for leaf, offset in zip(leaves, offsets, strict=False)]
        )
        link_ids = _strings([lid for leaf in leaves for lid in leaf.link_ids])
        points = np.concatenate([np.zeros((0, 2))] + [leaf.link_points for leaf in leaves])
        by_doc = np.lexsort((link_ids, link_docs))
        link_docs, link_ids, points = link_docs[by_doc], link_ids[by_doc], points[by_doc]
        known = np.flatnonzero(~np.isnan(points[:, 0]))
        by_lat = known[np.argsort(points[known, 0], kind="stable")]
        sortkeys = [f"{name}\0{sid}" for name, sid in zip(sortname, ids, strict=True)]
        return cls(
            size=size,
            segments=segments,
            field_keys={name: keyed[name].keys for name in SET_FIELDS},
            ids=_strings(ids),
            hidden=cat("hidden", bool),
            closed=cat("closed", bool),
            free=cat("free", bool),
            remote=cat("remote", bool),
            age_lo=cat("age_lo", np.int16),
            age_hi=cat("age_hi", np.int16),
            name_rank=_rank(sortkeys),
            id_rank=_rank(ids),
            sortkeys=_strings(sortkeys),
            link_starts=starts_of(link_docs, size),
            link_ids=link_ids,
            lat=np.ascontiguousarray(points[by_lat, 0]),
            lon=np.ascontiguousarray(points[by_lat, 1]),
            point_docs=link_docs[by_lat].astype(np.int32),
            point_links=by_lat.astype(np.int32),
            pieces=np.concatenate([np.zeros((0, 3), np.int16)] + [leaf.pieces for leaf in leaves]),
            piece_docs=np.concatenate(
                [np.zeros(0, np.int64)]
                + [leaf.piece_docs + offset for leaf, offset in zip(leaves, offsets, strict=False)]
            ).astype(np.int32),
            keyed=keyed,
        )

    def save(self, generation: Path) -> Path:
        """Write the part into the generation folder (replacing any older one) atomically."""
        target = generation / TABLE_DIR
        tmp = generation / f"{TABLE_DIR}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name in self._ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(self, name))
        for name, field in self.keyed.items():
            for attr in KeyedField.ARRAYS:
                np.save(tmp / f"{name}.{attr}.npy", getattr(field, attr))
        meta = {
            "format": PART_FORMAT,
            "size": self.size,
            "segments": self.segments,
            "keys": self.field_keys,
        }
        (tmp / "meta.json").write_text(json.dumps(meta))
        for path in tmp.iterdir():  # on disk before the folder is renamed into place
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        return target

    @classmethod
    def load(cls, generation: Path) -> Part | None:
        """The part saved in a generation folder, memory-mapped read-only; None if absent."""
        folder = generation / TABLE_DIR
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        if meta.get("format") != PART_FORMAT:
            return None

        def array(name: str) -> np.ndarray:
            try:
                return np.load(folder / f"{name}.npy", mmap_mode="r")
            except ValueError:  # an empty array has nothing to map
                return np.load(folder / f"{name}.npy")

        keyed = {}
        for name, keys in meta["keys"].items():
            loaded = {attr: array(f"{name}.{attr}") for attr in KeyedField.ARRAYS}
            keyed[name] = KeyedField(
                keys, {k: i for i, k in enumerate(keys)}, facet=_facet_mask(keys), **loaded
            )
        values = {name: array(name) for name in cls._ARRAYS}
        return cls(
            size=int(meta["size"]),
            segments=tuple((str(s), int(n)) for s, n in meta["segments"]),
            field_keys=meta["keys"],
            keyed=keyed,
            **values,
        )
