"""A fixed, deterministic mix of benchmark queries.

Five kinds, in fixed shares: text only; text + postcode/outcode + radius; category + place;
text + place + filters (free, day, time, mode, age, accessibility); misspelt words. Places and
postcodes come from the corpus's first services (present at every corpus size of at least
``POSTCODE_SOURCE`` services), so the same queries run against every N.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import time

from bench import vocabulary as v
from bench.corpus import build_corpus, load_outcodes, slugify, taxonomy_terms

POSTCODE_SOURCE = 2000
KINDS = ("text", "text_place", "category_place", "filtered", "misspelt")
SHARES = {
    "text": 0.25,
    "text_place": 0.25,
    "category_place": 0.15,
    "filtered": 0.2,
    "misspelt": 0.15,
}

# What people type: everyday words and phrases, some matching the category words directly and
# some that only a synonym list would connect (the engine should do better than FTS5 on those).
EVERYDAY = (
    "lunch club",
    "befriending",
    "food bank",
    "dementia",
    "memory cafe",
    "carers",
    "walking group",
    "benefits advice",
    "debt",
    "counselling",
    "youth club",
    "choir",
    "men's shed",
    "help with forms",
    "lonely",
    "memory problems",
    "food",
    "exercise",
    "housing advice",
    "homeless",
    "stop smoking",
    "knitting",
    "gardening",
    "computer help",
    "english classes",
    "bereavement",
    "respite",
    "transport",
    "parent and toddler",
    "autism",
    "diabetes",
    "hearing aids",
    "tai chi",
    "chair exercise",
    "energy bills",
    "domestic abuse",
    "legal advice",
    "volunteering",
    "job club",
    "reading group",
    "warm space",
    "community cafe",
    "art class",
    "singing",
    "mental health",
    "anxiety",
    "isolation",
    "older people",
    "young carers",
    "holiday club",
    "breastfeeding",
    "advocacy",
    "wheelchair loan",
    "falls",
    "universal credit",
    "pension credit",
    "hot meal",
    "coffee morning",
    "day centre",
)

WEEKDAY_TIMES = (time(10), time(11, 30), time(14), time(19), time(23, 30), time(1))
MODES = ("in_person", "phone", "online", "home_visit")
ACCESS = ("wheelchair", "step_free", "hearing_loop", "accessible_toilet", "parking")
RADII = (1.0, 3.0, 5.0, 10.0, 25.0)


@dataclass(frozen=True)
class BenchQuery:
    """One benchmark query, independent of any engine (see the adapters in bench_search)."""

    kind: str
    text: str = ""
    where: str = ""
    radius_miles: float | None = None
    term_slugs: tuple[str, ...] = ()
    free_only: bool = False
    day: int | None = None
    at_time: time | None = None
    modes: tuple[str, ...] = ()
    age: int | None = None
    accessibility: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        parts = [f"{self.kind}:", repr(self.text)]
        if self.where:
            parts.append(f"@{self.where}~{self.radius_miles}mi")
        for name in ("term_slugs", "free_only", "day", "at_time", "modes", "age", "accessibility"):
            value = getattr(self, name)
            if value not in ((), None, False):
                parts.append(f"{name}={value}")
        return " ".join(parts)


def misspell(word: str, rng: random.Random) -> str:
    """One plausible typo: a swapped pair, a dropped or doubled letter, or a wrong vowel."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 4:
        return word + word[-1]
    i = rng.choice(letters[1:-1])
    kind = rng.randrange(4)
    if kind == 0 and i + 1 < len(word) and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    vowels = [ch for ch in "aeiou" if ch != word[i]]
    return word[:i] + rng.choice(vowels) + word[i + 1 :]


def _category_phrases() -> list[str]:
    phrases = []
    for children in v.TREE.values():
        for cat in children:
            phrases.extend(cat.nouns[:2])
            phrases.extend(w for w in cat.words[:3] if len(w.split()) <= 3)
    return phrases


def build_queries(count: int = 240, seed: int = 1) -> list[BenchQuery]:
    """``count`` queries (at least 200 recommended) in fixed shares of the five kinds."""
    rng = random.Random(seed * 104729 + 17)
    early = list(build_corpus(POSTCODE_SOURCE, seed))
    postcodes = sorted({s.postcode for s in early if s.postcode})
    outcodes = sorted({s.outcode for s in early})
    towns = sorted({o.town for o in load_outcodes() if o.town and o.outcode in set(outcodes)})
    texts = list(EVERYDAY) + _category_phrases()
    leaves = [slug for slug, _name, parent in taxonomy_terms() if parent]
    parents = [slug for slug, _name, parent in taxonomy_terms() if not parent]

    def place() -> tuple[str, float]:
        roll = rng.random()
        where = (
            rng.choice(postcodes)
            if roll < 0.5
            else rng.choice(outcodes)
            if roll < 0.8
            else rng.choice(towns)
        )
        return where, rng.choice(RADII)

    queries: list[BenchQuery] = []
    for kind in KINDS:
        for _ in range(max(1, round(count * SHARES[kind]))):
            if kind == "text":
                queries.append(BenchQuery(kind, text=rng.choice(texts)))
            elif kind == "text_place":
                where, radius = place()
                queries.append(
                    BenchQuery(kind, text=rng.choice(texts), where=where, radius_miles=radius)
                )
            elif kind == "category_place":
                where, radius = place()
                slug = rng.choice(parents) if rng.random() < 0.3 else rng.choice(leaves)
                queries.append(
                    BenchQuery(kind, where=where, radius_miles=radius, term_slugs=(slug,))
                )
            elif kind == "filtered":
                where, radius = place()
                day = rng.randrange(7) if rng.random() < 0.5 else None
                queries.append(
                    BenchQuery(
                        kind,
                        text=rng.choice(texts) if rng.random() < 0.7 else "",
                        where=where,
                        radius_miles=max(radius, 5.0),
                        free_only=rng.random() < 0.4,
                        day=day,
                        at_time=rng.choice(WEEKDAY_TIMES) if rng.random() < 0.3 else None,
                        modes=(rng.choice(MODES),) if rng.random() < 0.3 else (),
                        age=rng.choice([8, 15, 30, 70, 82]) if rng.random() < 0.4 else None,
                        accessibility=(rng.choice(ACCESS),) if rng.random() < 0.2 else (),
                        term_slugs=(rng.choice(parents),) if rng.random() < 0.2 else (),
                    )
                )
            else:
                words = rng.choice(texts).split()
                j = max(range(len(words)), key=lambda k: len(words[k]))
                words[j] = misspell(words[j], rng)
                where, radius = place()
                with_place = rng.random() < 0.5
                queries.append(
                    BenchQuery(
                        kind,
                        text=" ".join(words),
                        where=where if with_place else "",
                        radius_miles=radius if with_place else None,
                    )
                )
    rng.shuffle(queries)
    return queries[:count] if len(queries) >= count else queries


def term_slug_ok(slug: str) -> bool:
    """True when the slug is one of the corpus's categories (used by tests)."""
    return slug in {slugify(name) for _slug, name, _parent in taxonomy_terms()}
