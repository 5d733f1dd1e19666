"""Closest known word for a word the index has never seen ("did you mean"), in memory.

Whoosh's corrector walks the spelling field's word list through a Levenshtein automaton in pure
Python for every unknown word, which took most of a misspelt query's time at 50,000 services.
This keeps each index generation's words once (a few MB), rules most of them out with numpy
(same first letter, length within the distance, and a bit set of the letters each word has: a
word missing k of the query's letters is at least k edits away), and measures the survivors.

The choice is Whoosh's: the nearest words (1 edit, else 2), the most frequent of those, then
alphabetical. Distance counts insertions, deletions, substitutions and swaps of neighbours.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_index.table import segment_key

SPELL_FIELD = "spell"
_SUGGESTION_CACHE_SIZE = 10_000


def _letters(word: str) -> int:
    mask = 0
    for ch in word:
        mask |= 1 << (ord(ch) % 64)
    return mask


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance between `a` and `b`, or `limit + 1` when above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


class Vocabulary:
    """One segment's spelling words with their frequencies (immutable, like the segment)."""

    def __init__(self, words: list[str], freqs: list[float]) -> None:
        self.words = words
        self.known = dict(zip(words, freqs, strict=True))
        self.first = np.array([ord(w[0]) if w else 0 for w in words], np.int32)
        self.length = np.array([len(w) for w in words], np.int16)
        self.masks = np.array([_letters(w) for w in words], np.uint64)

    @classmethod
    def from_reader(cls, reader: Any) -> Vocabulary:
        """Every word of one segment's spelling field."""
        words: list[str] = []
        freqs: list[float] = []
        if SPELL_FIELD in reader.schema:
            field = reader.schema[SPELL_FIELD]
            for word, info in reader.iter_field(SPELL_FIELD):
                words.append(field.from_bytes(word) if isinstance(word, bytes) else word)
                freqs.append(info.weight())
        return cls(words, freqs)

    def within(self, word: str, maxdist: int) -> list[tuple[int, str]]:
        """(distance, word) for known words within `maxdist` edits sharing the first letter."""
        if not word or not self.words:
            return []
        mask = np.uint64(_letters(word))
        rows = np.flatnonzero(
            (self.first == ord(word[0])) & (np.abs(self.length - len(word)) <= maxdist)
        )
        masks = self.masks[rows]
        rows = rows[(_popcount(masks & ~mask) <= maxdist) & (_popcount(mask & ~masks) <= maxdist)]
        out = []
        for row in rows.tolist():
            other = self.words[row]
            if other != word:
                distance = edit_distance(word, other, maxdist)
                if distance <= maxdist:
                    out.append((distance, other))
        return out


def _popcount(values: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)
    bits = np.unpackbits(values.view(np.uint8).reshape(-1, 8), axis=1)  # pragma: no cover
    return bits.sum(axis=1)  # pragma: no cover


_lock = threading.Lock()
_segments: OrderedDict[str, Vocabulary] = OrderedDict()
_SEGMENT_CACHE_SIZE = 16


def _vocabulary(reader: Any) -> Vocabulary:
    key = segment_key(reader)
    if key is None:
        return Vocabulary.from_reader(reader)
    with _lock:
        found = _segments.get(key)
        if found is not None:
            _segments.move_to_end(key)
            return found
    found = Vocabulary.from_reader(reader)
    with _lock:
        _segments[key] = found
        while len(_segments) > _SEGMENT_CACHE_SIZE:
            _segments.popitem(last=False)
    return found


def closest_word(searcher: Searcher, word: str, maxdist: int) -> str | None:
    """The index word Whoosh's corrector would suggest for `word` (first letter kept)."""
    cache: OrderedDict[tuple[str, int], str | None] = searcher.__dict__.setdefault(
        "_signpost_suggestions", OrderedDict()
    )
    key = (word, maxdist)
    if key in cache:
        return cache[key]
    vocabularies = [_vocabulary(reader) for reader, _ in searcher.reader().leaf_readers()]
    distances: dict[str, int] = {}
    for vocab in vocabularies:
        for distance, other in vocab.within(word, maxdist):
            distances[other] = min(distance, distances.get(other, distance))
    best: tuple[int, float, str] | None = None
    for other, distance in distances.items():
        freq = sum(v.known.get(other, 0.0) for v in vocabularies) or 1.0
        candidate = (distance, -freq, other)
        if best is None or candidate < best:
            best = candidate
    found = best[2] if best is not None else None
    cache[key] = found
    while len(cache) > _SUGGESTION_CACHE_SIZE:
        cache.popitem(last=False)
    return found
