"""The Whoosh schema for services and how a Service row becomes one index document."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh.analysis import STOP_WORDS, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.formats import Frequency
from whoosh.lang.porter import stem
from whoosh.system import pack_uint

from directory.models import (
    DeliveryMode,
    Location,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)

META_ID = "__meta__"
"""The id of the one document that records the last outbox sequence applied (same commit)."""

INDEX_FORMAT = 3
"""The shape of the index this code writes and reads: the schema, the analysis and the stored
``attrs`` record. Bump it with any change to those; an index of another format is rebuilt, or
refused with "rebuild needed" (see `search_index.sync.check_format`). Stored in the meta document.
1: before the format was recorded. 2: separate segment files, fast indexing analysis.
3: each service-at-location link with its point (``links``) instead of bare points."""

REMOTE_MODES = frozenset(
    {DeliveryMode.PHONE.value, DeliveryMode.ONLINE.value, DeliveryMode.HOME_VISIT.value}
)
NO_MIN_AGE = 0
NO_MAX_AGE = 150

# Text fields and how much a match in each counts.
FIELD_BOOSTS: dict[str, float] = {
    "name": 4.0,
    "terms_text": 3.0,
    "summary": 2.0,
    "org": 1.5,
    "audience_text": 1.2,
    "description": 1.0,
    "places": 1.0,
}

STEM = StemmingAnalyzer()
PLAIN = StandardAnalyzer()

# The same steps as STEM (the query side), without a Token object per word: the tokenizer's
# pattern, lower case, stop words and words shorter than 2 dropped, Porter stems (cached).
_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*", re.UNICODE)
_STOPS = frozenset(STOP_WORDS)
_stem = lru_cache(maxsize=100_000)(stem)


def fast_stems(text: str) -> list[str]:
    """The tokens STEM gives for `text`, quickly (indexing); tested to agree with STEM."""
    words = (w.lower() for w in _TOKEN.findall(text))
    return [_stem(w) for w in words if len(w) >= 2 and w not in _STOPS]


class WordCounts(tuple):
    """(word, count) pairs already analysed, for a field whose format is FastFrequency."""


def plain_word_counts(counts: dict[str, int]) -> WordCounts:
    """Counted lower-case words as PLAIN would keep them (no stop words, none shorter than 2)."""
    return WordCounts((w, c) for w, c in counts.items() if len(w) >= 2 and w not in _STOPS)


class FastFrequency(Frequency):
    """Whoosh's term-frequency postings format without a Token object per word: stemmed
    fields analyse plain text with `fast_stems`; any field takes `WordCounts` as they are."""

    def __init__(self, field_boost: float = 1.0, stemmed: bool = True) -> None:
        super().__init__(field_boost=field_boost)
        self.stemmed = stemmed

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        boost = self.field_boost
        if isinstance(value, WordCounts):
            return [(word, freq, freq * boost, pack_uint(freq)) for word, freq in value]
        if not isinstance(value, str) or not getattr(self, "stemmed", True):
            return super().word_values(value, analyzer, **kwargs)
        return [
            (word, freq, freq * boost, pack_uint(freq))
            for word, freq in Counter(fast_stems(value)).items()
        ]


def build_schema() -> Schema:
    """Text to rank on, plus one small stored record of the facts searches filter and rank on.

    Filters, distances, opening times and facets are answered from an in-memory table built
    from the stored ``attrs`` record (see `search_index.table`), not from index keywords, so
    documents stay small and Whoosh only matches and scores text.
    """
    # Boosts are applied at query time (FIELD_BOOSTS) so they can be tuned without a rebuild.
    text_fields = {name: TEXT(analyzer=STEM, phrase=False) for name in FIELD_BOOSTS}
    for text_field in text_fields.values():
        text_field.format = FastFrequency(field_boost=text_field.format.field_boost)
    spell = TEXT(analyzer=PLAIN, phrase=False)  # unstemmed words for "did you mean"
    spell.format = FastFrequency(field_boost=spell.format.field_boost, stemmed=False)
    return Schema(
        id=ID(stored=True, unique=True),
        spell=spell,
        attrs=STORED(),
        seq=STORED(),
        format=STORED(),
        **text_fields,
    )


def is_audience_term(term: TaxonomyTerm) -> bool:
    """Audience terms ("Carers", "Older people") live in a taxonomy whose name says audience."""
    return term.taxonomy is not None and "audience" in term.taxonomy.name.lower()


def _minutes(value: Any) -> int:
    return value.hour * 60 + value.minute


def schedule_spans(service: Service) -> list[tuple[int, int, int]]:
    """(weekday, opens minute, closes minute); closes <= opens means past midnight."""
    return [(s.weekday, _minutes(s.opens_at), _minutes(s.closes_at)) for s in service.schedules]


def load_services(session: Session, ids: Sequence[str]) -> list[Service]:
    """Load services with everything a document needs, in a handful of queries."""
    if not ids:
        return []
    stmt = (
        select(Service)
        .where(Service.id.in_(list(ids)))
        .options(
            selectinload(Service.organization),
            selectinload(Service.taxonomy_terms).selectinload(TaxonomyTerm.taxonomy),
            selectinload(Service.delivery_modes),
            selectinload(Service.schedules),
            selectinload(Service.service_areas),
            selectinload(Service.service_at_locations)
            .selectinload(ServiceAtLocation.location)
            .options(selectinload(Location.addresses), selectinload(Location.accessibility)),
        )
    )
    return list(session.scalars(stmt))


def _term_chain(term: TaxonomyTerm) -> list[TaxonomyTerm]:
    return [term, *term.ancestors()]


def service_document(service: Service) -> dict[str, Any]:
    """The index document for one public service."""
    term_keys: set[str] = set()
    audience_keys: set[str] = set()
    term_names: list[str] = []
    audience_names: list[str] = []
    for term in service.taxonomy_terms:
        for node in _term_chain(term):
            keys = {node.id, *(f"slug:{k}" for k in (node.slug, node.code) if k)}
            if is_audience_term(term):
                audience_keys |= keys
                audience_names.append(node.name)
            else:
                term_keys |= keys
                term_names.append(node.name)
    links: list[tuple[str, float | None, float | None]] = []
    place_words: list[str] = []
    access: set[str] = set()
    for sal in service.service_at_locations:
        loc = sal.location
        links.append((sal.id, loc.latitude, loc.longitude))
        place_words.append(loc.name or "")
        for addr in loc.addresses:
            place_words += [addr.address_1, addr.address_2 or "", addr.city, addr.postal_code]
        access |= {a.feature.value for a in loc.accessibility if a.feature is not None}
    modes = {m.mode.value for m in service.delivery_modes}
    areas = set()
    for area in service.service_areas:
        if area.area_type == "national":
            areas.add("national")
        elif area.code:
            prefix = "la" if area.area_type == "local_authority" else "outcode"
            areas.add(f"{prefix}:{area.code.strip().upper().replace(' ', '')}")
    spans = schedule_spans(service)
    org_name = service.organization.name if service.organization else ""
    audience_text = " ".join([service.eligibility_description or "", *audience_names])
    texts = {
        "name": " ".join([service.name, service.alternate_name or ""]),
        "terms_text": " ".join(term_names),
        "summary": service.summary or "",
        "org": org_name,
        "audience_text": audience_text,
        "description": service.description or "",
        "places": " ".join(place_words),
    }
    attrs = {
        "closed": service.status == ServiceStatus.TEMPORARILY_CLOSED,
        "free": bool(service.is_free),
        "remote": bool(modes & REMOTE_MODES),
        "ages": (
            service.minimum_age if service.minimum_age is not None else NO_MIN_AGE,
            service.maximum_age if service.maximum_age is not None else NO_MAX_AGE,
        ),
        "terms": tuple(sorted(term_keys)),
        "audience": tuple(sorted(audience_keys)),
        "modes": tuple(sorted(modes)),
        "access": tuple(sorted(access)),
        "areas": tuple(sorted(areas)),
        "links": tuple(sorted(links)),
        "spans": tuple(spans),
        "sortname": service.name.lower()[:80],
    }
    return document_from_parts(service.id, texts, attrs)


def document_from_parts(
    service_id: str, texts: dict[str, str], attrs: dict[str, Any]
) -> dict[str, Any]:
    """The index document from its text fields and its stored ``attrs`` record."""
    return {"id": service_id, **texts, "spell": " ".join(texts.values()), "attrs": attrs}
