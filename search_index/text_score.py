"""Matching and scoring the text query over the index's postings, restricted to candidates.

Whoosh's own collectors walk every posting of every query term through nested union matchers
and only then drop documents outside a filter, which made place-limited searches slow. Here
each (field, word) posting list is read block by block once per searcher into
``document -> BM25F score`` (the same formula and statistics Whoosh's default ``BM25F`` uses),
kept in a bounded cache, and the query tree (``Term`` / ``Or`` / ``And``, as built by
`search_index.query_text`) is evaluated with dictionary operations over the candidate set only.
A document's score is the sum of its matching terms' boosted scores, as in Whoosh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

MAX_CACHED_POSTINGS = 300_000
"""Postings kept per searcher (about 100 bytes each) for the words searched most recently."""
_LENGTH_OF_BYTE = [byte_to_length(b) if b else 1 for b in range(256)]
_LENGTHS_CACHE_SIZE = 64
Scores = dict[int, float]


class _TermCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[str, str], Scores] = OrderedDict()
        self.size = 0

    def get(self, key: tuple[str, str]) -> Scores | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], scores: Scores) -> None:
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = scores
            self.size += len(scores)
            while self.size > MAX_CACHED_POSTINGS and len(self.entries) > 1:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)


_lengths_lock = threading.Lock()
_lengths: OrderedDict[tuple[str, str], list[int]] = OrderedDict()


def _field_lengths(reader: Any, fieldname: str) -> list[int] | None:
    """Each document's length in `fieldname` for one segment (cached by segment), or None."""
    segment = getattr(reader, "_segment", None)
    perdoc = getattr(reader, "_perdoc", None)
    if segment is None or perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    folder = getattr(getattr(reader, "_storage", None), "folder", "")
    key = (f"{folder}:{segment.segment_id()}:{reader.doc_count_all()}", fieldname)
    with _lengths_lock:
        found = _lengths.get(key)
        if found is not None:
            _lengths.move_to_end(key)
            return found
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return None
    table = _LENGTH_OF_BYTE
    lengths = [table[b] for b in column]
    with _lengths_lock:
        _lengths[key] = lengths
        while len(_lengths) > _LENGTHS_CACHE_SIZE:
            _lengths.popitem(last=False)
    return lengths


def _read_postings(reader: Any, fieldname: str, text: str) -> tuple[list[int], list[float]]:
    """All (document, term frequency) postings of a word in one segment, deleted ones included."""
    matcher = reader.postings(fieldname, text)
    while not hasattr(matcher, "_read_ids") and hasattr(matcher, "child"):
        matcher = matcher.child  # unwrap the deletions filter; callers drop deleted documents
    ids: list[int] = []
    weights: list[float] = []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():  # whole blocks at a time (Whoosh 3 codec)
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def term_scores(searcher: Searcher, fieldname: str, text: str) -> Scores:
    """document -> unboosted BM25F score of `text` in `fieldname`, for the whole index."""
    cache: _TermCache = searcher.__dict__.setdefault("_signpost_terms", _TermCache())
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
    scores: Scores = {}
    if searcher.doc_frequency(fieldname, text):
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        numerator, constant, per_length = idf * (k1 + 1), k1 * (1 - b), k1 * b / avgfl
        for reader, offset in searcher.reader().leaf_readers():
            if (fieldname, text) not in reader:
                continue
            ids, weights = _read_postings(reader, fieldname, text)
            lengths = _field_lengths(reader, fieldname)
            if lengths is None:
                lengths = [reader.doc_field_length(d, fieldname, 1) for d in range(
                    reader.doc_count_all())]
            for doc, tf in zip(ids, weights, strict=True):
                scores[doc + offset] = numerator * tf / (tf + constant + per_length * lengths[doc])
    cache.put(key, scores)
    return scores


def _restrict(scores: Scores, allow: Collection[int], boost: float) -> Scores:
    if len(allow) < len(scores):
        return {d: scores[d] * boost for d in allow if d in scores}
    return {d: s * boost for d, s in scores.items() if d in allow}


def evaluate(searcher: Searcher, query: Q.Query, allow: Collection[int]) -> Scores:
    """Documents in `allow` matching `query` -> their score (sum of matching terms' scores)."""
    boost = getattr(query, "boost", 1.0) or 1.0
    if isinstance(query, Q.Term):
        return _restrict(term_scores(searcher, query.fieldname, query.text), allow, boost)
    if isinstance(query, Q.And):
        result: Scores | None = None
        narrowed: Collection[int] = allow
        for sub in query.subqueries:
            part = evaluate(searcher, sub, narrowed)
            result = part if result is None else {d: result[d] + s for d, s in part.items()
                                                  if d in result}
            if not result:
                return {}
            narrowed = result.keys()
        found = result or {}
    elif isinstance(query, Q.Or):
        found = {}
        for sub in query.subqueries:
            part = evaluate(searcher, sub, allow)
            if not found:
                found = part
                continue
            get = found.get
            for d, s in part.items():
                found[d] = get(d, 0.0) + s
    else:
        raise TypeError(f"Unsupported query part: {type(query).__name__}")
    if boost != 1.0:
        found = {d: s * boost for d, s in found.items()}
    return found
