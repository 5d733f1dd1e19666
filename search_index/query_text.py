"""Turning what a person typed into a Whoosh query: plain words, synonyms, spelling.

Nothing the person types is parsed as query syntax: text is split into words, so quotes,
brackets, ``AND OR``, emoji or SQL are just (mostly ignored) words and never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from whoosh import query as Q
from whoosh.searching import Searcher

from search_index.schema import FIELD_BOOSTS, STEM
from search_index.spelling import closest_word

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
MAX_WORDS = 24
MAX_PHRASE_WORDS = 6
SYNONYM_WEIGHT = 0.7
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The plain words in `text`, lower case, at most MAX_WORDS of them."""
    return [w.lower() for w in _WORD.findall(text[:2000])][:MAX_WORDS]


def stems_of(text: str) -> tuple[str, ...]:
    """Stemmed, stop-word-free tokens, exactly as the index stores them."""
    return tuple(t.text for t in STEM(text))


@dataclass(frozen=True)
class SynonymTable:
    """Stemmed phrase -> the stemmed phrases to search as well."""

    expansions: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    words: frozenset[str]  # every plain word in the file (never "corrected")

    @cached_property
    def longest(self) -> int:
        """The most stems in any phrase (computed once per table)."""
        return max((len(k) for k in self.expansions), default=1)


def parse_synonyms(text: str) -> SynonymTable:
    """Read the synonym file format (see synonyms.txt)."""
    expansions: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    words: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words.update(words_of(line))
        if "=>" in line:
            left, right = line.split("=>", 1)
            sources = [p.strip() for p in left.split(",") if p.strip()]
            targets = [p.strip() for p in right.split(",") if p.strip()]
        else:
            sources = targets = [p.strip() for p in line.split(",") if p.strip()]
        target_stems = [s for s in (stems_of(t) for t in targets) if s]
        for source in sources:
            key = stems_of(source)
            if not key or len(key) > MAX_PHRASE_WORDS:
                continue
            bucket = expansions.setdefault(key, [])
            for t in target_stems:
                if t != key and t not in bucket:
                    bucket.append(t)
    return SynonymTable({k: tuple(v) for k, v in expansions.items()}, frozenset(words))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> SynonymTable:
    return parse_synonyms(Path(path).read_text(encoding="utf-8"))


def synonym_table(path: Path = SYNONYMS_FILE) -> SynonymTable:
    """The synonym table, re-read when the file changes."""
    return _load(str(path), path.stat().st_mtime)


def _stem_query(stem: str, weight: float) -> Q.Query:
    return Q.Or(
        [Q.Term(field, stem, boost=boost * weight) for field, boost in FIELD_BOOSTS.items()]
    )


def _phrase_query(stems: tuple[str, ...], weight: float) -> Q.Query:
    parts = [_stem_query(s, weight) for s in stems]
    return parts[0] if len(parts) == 1 else Q.And(parts)


def clauses_for(text: str, table: SynonymTable | None = None) -> list[Q.Query]:
    """One clause per word or recognised phrase; a phrase's clause also matches its synonyms."""
    table = table or synonym_table()
    stems = stems_of(" ".join(words_of(text)))
    clauses: list[Q.Query] = []
    i = 0
    while i < len(stems):
        for size in range(min(table.longest, len(stems) - i), 0, -1):
            key = stems[i : i + size]
            if key in table.expansions:
                alternatives = [_phrase_query(key, 1.0)]
                alternatives += [_phrase_query(t, SYNONYM_WEIGHT) for t in table.expansions[key]]
                clauses.append(Q.Or(alternatives))
                i += size
                break
        else:
            clauses.append(_stem_query(stems[i], 1.0))
            i += 1
    return clauses


def text_query(text: str, *, match_all_words: bool = True) -> Q.Query | None:
    """The query for `text`: every clause (default) or any clause; None when there are no words."""
    clauses = clauses_for(text)
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    return Q.And(clauses) if match_all_words else Q.Or(clauses)


def suggest_spelling(searcher: Searcher, text: str) -> str | None:
    """Replace words the index has never seen with the closest word it has, or None."""
    table = synonym_table()
    reader = searcher.reader()
    changed = False
    out: list[str] = []
    for word in words_of(text):
        replacement = word
        if (
            len(word) >= 4
            and word.isalpha()
            and word not in table.words
            and stems_of(word) != ()
            and not reader.frequency("spell", word)
        ):
            found = closest_word(searcher, word, 1 if len(word) <= 4 else 2)
            if found and found != word:
                replacement = found
                changed = True
        out.append(replacement)
    return " ".join(out) if changed else None
