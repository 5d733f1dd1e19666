"""Matching and scoring the text query over the index's postings, as numpy arrays.

Whoosh's own collectors walk every posting of every query term through nested union matchers
and only then drop documents outside a filter, which made place-limited searches slow. Here
each (field, word) posting list is read block by block once per searcher into two arrays,
document numbers and their BM25F scores (the same formula and statistics Whoosh's default
``BM25F`` uses), kept in a bounded cache, and the query tree (``Term`` / ``Or`` / ``And``, as
built by `search_index.query_text`) is evaluated as dense score arrays over every document: a
document's score is the sum of its matching terms' boosted scores, as in Whoosh, and zero when
it does not match (a BM25F score with a positive term frequency is always above zero).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from search_index.table import segment_key

MAX_CACHED_POSTINGS = 1_000_000
"""Postings kept per searcher (8 bytes each) for the words searched most recently."""
_LENGTH_OF_BYTE = np.array([byte_to_length(b) if b else 1 for b in range(256)], np.float32)
_LENGTHS_CACHE_SIZE = 64
Postings = tuple[np.ndarray, np.ndarray]  # document numbers (int32), scores (float32)
_EMPTY: Postings = (np.zeros(0, np.int32), np.zeros(0, np.float32))


class _TermCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self.size = 0

    def get(self, key: tuple[str, str]) -> Postings | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], postings: Postings) -> None:
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = postings
            self.size += len(postings[0])
            while self.size > MAX_CACHED_POSTINGS and len(self.entries) > 1:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[0])


_lengths_lock = threading.Lock()
_lengths: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def _field_lengths(reader: Any, fieldname: str) -> np.ndarray:
    """Each document's length in `fieldname` for one segment (cached by segment): Whoosh's
    one-byte length codes (decode with `_LENGTH_OF_BYTE`), a quarter of the memory of the
    lengths themselves, or the lengths as float32 for a segment without the column."""
    key = segment_key(reader)
    perdoc = getattr(reader, "_perdoc", None)
    if key is not None:
        with _lengths_lock:
            found = _lengths.get((key, fieldname))
            if found is not None:
                _lengths.move_to_end((key, fieldname))
                return found
    count = reader.doc_count_all()
    column = (
        perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if perdoc is not None and hasattr(perdoc, "_cached_reader")
        else None
    )
    if (
        column is not None
        and getattr(column, "_fixedlen", None) == 1
        and hasattr(column, "_dbfile")
    ):
        # One read of the column's bytes (one per document; absent at the end means 0), not a
        # seek per document: the first search of a new process at 200,000 services read each
        # field's column for about a second this way.
        codes = np.zeros(count, np.uint8)
        stored = min(int(column._count), count)
        codes[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), np.uint8)
        lengths = codes
    elif column is not None:
        lengths = np.fromiter(column, np.uint8, count=count)
    else:
        lengths = np.array(
            [reader.doc_field_length(d, fieldname, 1) or 1 for d in range(count)], np.float32
        )
    if key is not None:
        with _lengths_lock:
            _lengths[(key, fieldname)] = lengths
            while len(_lengths) > _LENGTHS_CACHE_SIZE:
                _lengths.popitem(last=False)
    return lengths


def _read_postings(reader: Any, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """All (document, term frequency) postings of a word in one segment, deleted ones included."""
    matcher = reader.postings(fieldname, text)
    while not hasattr(matcher, "_read_ids") and hasattr(matcher, "child"):
        matcher = matcher.child  # unwrap the deletions filter; callers drop deleted documents
    ids: list[Any] = []
    weights: list[Any] = []
    if all(hasattr(matcher, a) for a in ("_read_data", "_next_block", "_byteids", "_data")):
        # Whole blocks at a time (Whoosh 3 codec): a block's data is (ids, weights, values),
        # ids delta-encoded unless they fit in a byte; weights None (all 1), one float, or an
        # array. Decoded with numpy instead of Whoosh's per-posting generators.
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw_ids, raw_weights = matcher._data[0], matcher._data[1]
            block = np.array(raw_ids, np.int64)
            if not matcher._byteids:
                block = np.cumsum(block)
            id_parts.append(block)
            if raw_weights is None:
                weight_parts.append(np.ones(len(block), np.float32))
            elif isinstance(raw_weights, float | int):
                weight_parts.append(np.full(len(block), raw_weights, np.float32))
            else:
                weight_parts.append(np.asarray(raw_weights, np.float32))
            matcher._next_block()
        if not id_parts:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        return (
            np.concatenate(id_parts).astype(np.int32),
            np.concatenate(weight_parts).astype(np.float32),
        )
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.array(ids, np.int32), np.array(weights, np.float32)


def term_scores(searcher: Searcher, fieldname: str, text: str) -> Postings:
    """(documents, unboosted BM25F scores) of `text` in `fieldname`, for the whole index."""
    cache: _TermCache | None = searcher.__dict__.get("_signpost_terms")
    if cache is None:
        cache = searcher.__dict__.setdefault("_signpost_terms", _TermCache())
    key = (fieldname, text)
    found = cache.get(key)
    if found is not None:
        return found
    weighting = searcher.weighting
    if isinstance(weighting, BM25F):
        b = weighting._field_B.get(fieldname, weighting.B)
        k1 = weighting.K1
    else:  # pragma: no cover - the index always uses the default BM25F
        b, k1 = 0.75, 1.2
    postings = _EMPTY
    if searcher.doc_frequency(fieldname, text):
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        numerator, constant, per_length = idf * (k1 + 1), k1 * (1 - b), k1 * b / avgfl
        docs_parts, score_parts = [], []
        for reader, offset in searcher.reader().leaf_readers():
            if (fieldname, text) not in reader:
                continue
            ids, tf = _read_postings(reader, fieldname, text)
            lengths = _field_lengths(reader, fieldname)[ids]
            if lengths.dtype == np.uint8:
                lengths = _LENGTH_OF_BYTE[lengths]
            docs_parts.append(ids + np.int32(offset))
            score_parts.append(
                (numerator * tf / (tf + constant + per_length * lengths)).astype(np.float32)
            )
        if docs_parts:
            postings = (np.concatenate(docs_parts), np.concatenate(score_parts))
    cache.put(key, postings)
    return postings


def evaluate(
    searcher: Searcher, query: Q.Query, size: int, within: np.ndarray | None = None
) -> np.ndarray:
    """Each document's score for `query` (float64, one per document; 0 = no match).

    `within`: the only documents that can count (sorted document numbers), when a place or
    filter has narrowed them to a few. Each word's postings are then looked up at those
    documents by binary search instead of being added over the whole index: measured at 50,000
    services, a search near a postcode spent three quarters of its time adding postings of
    documents the place had already ruled out.
    """
    if within is None:
        out = np.zeros(size)
        _add(searcher, query, out, 1.0, None)
        return out
    part = np.zeros(len(within))
    _add(searcher, query, part, 1.0, within)
    out = np.zeros(size)
    out[within] = part
    return out


def _add(
    searcher: Searcher,
    query: Q.Query,
    out: np.ndarray,
    boost: float,
    within: np.ndarray | None,
) -> None:
    """Add `query`'s scores, times `boost`, into `out` (one per document, or one per document
    of `within`); a document's posting is unique per term, so plain fancy-index addition is
    exact."""
    boost *= getattr(query, "boost", 1.0) or 1.0
    if isinstance(query, Q.Term):
        docs, scores = term_scores(searcher, query.fieldname, query.text)
        if not len(docs):
            return
        if within is None:
            out[docs] += scores * boost if boost != 1.0 else scores
            return
        # Postings are in document order: find each wanted document's place among them.
        at = np.minimum(np.searchsorted(docs, within), len(docs) - 1)
        hit = np.flatnonzero(docs[at] == within)
        if len(hit):
            out[hit] += scores[at[hit]] * boost
    elif isinstance(query, Q.Or):
        for sub in query.subqueries:
            _add(searcher, sub, out, boost, within)
    elif isinstance(query, Q.And):
        found: np.ndarray | None = None
        for sub in query.subqueries:
            part = np.zeros(len(out))
            _add(searcher, sub, part, boost, within)
            found = part if found is None else np.where((found > 0) & (part > 0), found + part, 0.0)
            if not found.any():
                return
        if found is not None:
            out += found
    else:
        raise TypeError(f"Unsupported query part: {type(query).__name__}")
