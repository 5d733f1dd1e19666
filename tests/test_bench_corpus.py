"""The benchmark corpus, query mix and FTS5 reference give right, repeatable answers (no timing)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import time

import pytest
from sqlalchemy import func, select

from bench.bench_search import main as bench_main
from bench.bench_search import to_request
from bench.corpus import build_corpus, load_outcodes, write_corpus
from bench.fts5_reference import FTS5Reference, percentile
from bench.queries import KINDS, BenchQuery, build_queries, misspell
from directory.models import (
    DeliveryMode,
    Service,
    ServiceArea,
    ServiceStatus,
    TaxonomyTerm,
    service_taxonomy_term,
)
from search_index.geo import distance_km, resolve_place
from search_index.geo_models import Outcode
from signpost.extensions import db


def test_same_seed_gives_the_same_corpus_and_another_seed_does_not() -> None:
    first = [(s.id, s.name, s.description, s.latitude) for s in build_corpus(50, seed=4)]
    again = [(s.id, s.name, s.description, s.latitude) for s in build_corpus(50, seed=4)]
    other = [(s.id, s.name, s.description, s.latitude) for s in build_corpus(50, seed=5)]
    assert first == again
    assert first != other
    # A bigger corpus starts with the smaller one, so queries built from it fit every size.
    assert [s.id for s in build_corpus(80, seed=4)][:50] == [row[0] for row in first]


def test_text_is_varied_not_a_tiny_repeated_vocabulary() -> None:
    services = list(build_corpus(2000, seed=1))
    words = Counter(w for s in services for w in re.findall(r"[a-z']+", s.description.lower()))
    assert len(words) > 1500
    assert len({s.name for s in services}) > 1500
    # Zipf-like: a few words are everywhere, many are rare.
    assert sum(1 for c in words.values() if c == 1) > 300
    categories = Counter(s.term_slugs[0] for s in services)
    assert len(categories) > 40
    assert categories.most_common(1)[0][1] < 0.15 * len(services)


def test_services_sit_near_real_gb_outcodes() -> None:
    outcodes = {o.outcode: o for o in load_outcodes()}
    assert "AB10" in outcodes and not any(code.startswith("BT") for code in outcodes)
    located = [s for s in build_corpus(500, seed=2) if s.latitude is not None]
    assert len(located) > 300
    for s in located:
        centre = outcodes[s.outcode]
        assert distance_km(s.latitude, s.longitude, centre.latitude, centre.longitude) < 5
        assert s.postcode.startswith(s.outcode + " ")


def test_phone_and_online_services_carry_service_areas() -> None:
    services = list(build_corpus(1000, seed=3))
    remote = [s for s in services if set(s.modes) - {DeliveryMode.IN_PERSON}]
    assert remote and all(s.areas for s in remote)
    assert all(not s.areas for s in services if s.modes == [DeliveryMode.IN_PERSON])
    assert any(closes <= opens for s in services for _d, opens, closes in s.schedules)


def test_write_corpus_fills_the_directory_and_place_lookup(app) -> None:
    stats = write_corpus(300, seed=1)
    assert stats.services == 300
    assert db.session.scalar(select(func.count()).select_from(Service)) == 300
    assert db.session.scalar(select(func.count()).select_from(Outcode)) == stats.outcodes > 2500
    # Every service is filed under at least one category; leaves have parents.
    filed = db.session.scalar(select(func.count(func.distinct(service_taxonomy_term.c.service_id))))
    assert filed == 300
    leaf = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.slug == "lunch-clubs"))
    assert leaf.parent.name == "Social activities and friendship"
    assert db.session.scalar(select(func.count()).select_from(ServiceArea)) > 0
    # The outcodes and towns resolve, as the benchmark's "where" needs.
    assert resolve_place("PE30").kind == "outcode"
    aberdeen = resolve_place("Aberdeen")
    assert aberdeen.kind == "place" and 57 < aberdeen.latitude < 57.3
    first = next(s for s in build_corpus(300, seed=1) if s.postcode)
    found = resolve_place(first.postcode)
    assert found.kind == "postcode" and abs(found.latitude - first.latitude) < 1e-6
    saved = db.session.get(Service, first.id)
    assert saved.name == first.name and saved.locations[0].postcode == first.postcode


def test_query_mix_is_fixed_and_covers_every_kind() -> None:
    queries = build_queries(240, seed=1)
    assert len(queries) >= 200
    assert queries == build_queries(240, seed=1)
    kinds = Counter(q.kind for q in queries)
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 30
    assert any(q.free_only for q in queries) and any(q.day is not None for q in queries)
    assert any(q.modes for q in queries) and any(q.age is not None for q in queries)
    assert all(q.where and q.term_slugs for q in queries if q.kind == "category_place")


def test_misspell_changes_a_word_slightly() -> None:
    import random

    rng = random.Random(1)
    for word in ("befriending", "dementia", "counselling", "gardening"):
        typo = misspell(word, rng)
        assert typo != word and abs(len(typo) - len(word)) <= 1 and typo[0] == word[0]


def test_bench_query_maps_onto_the_engines_request() -> None:
    q = BenchQuery(
        "filtered",
        text="lunch club",
        where="PE30",
        radius_miles=5.0,
        term_slugs=("food",),
        free_only=True,
        day=2,
        at_time=time(10),
        modes=("phone",),
        age=70,
        accessibility=("wheelchair",),
    )
    request = to_request(q)
    assert (request.text, request.where, request.radius_miles) == ("lunch club", "PE30", 5.0)
    assert request.term_ids == ("food",) and request.free_only and request.day == 2
    assert request.modes == ("phone",) and request.age == 70
    assert request.accessibility == ("wheelchair",) and request.at_time == time(10)


def test_bad_sizes_give_a_plain_message(capsys) -> None:
    with pytest.raises(SystemExit):
        bench_main(["--sizes", "lots"])
    assert "--sizes must be whole numbers" in capsys.readouterr().err


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 95) == 95.0
    assert percentile([3.0], 99) == 3.0


@pytest.fixture
def reference(app, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the FTS5 reference reads the SQLite benchmark database")
    write_corpus(400, seed=6)
    db.session.commit()
    ref = FTS5Reference(str(tmp_path / "fts5.db"))
    ref.build(database_url.removeprefix("sqlite:///"))
    yield ref
    ref.close()


def test_reference_finds_by_words_filters_and_distance(reference) -> None:
    corpus = list(build_corpus(400, seed=6))
    public = [
        s for s in corpus if s.status != ServiceStatus.INACTIVE and s.moderation.value == "approved"
    ]
    target = next(s for s in public if s.latitude is not None and s.term_slugs[0] == "food-banks")
    result = reference.search(BenchQuery("text", text="food bank"))
    assert result.total > 0 and target.id in {
        h.service_id
        for h in reference.search(BenchQuery("text", text="food bank"), per_page=400).hits
    }
    # Near its own postcode, with a small radius, every located hit is within the radius.
    near = reference.search(
        BenchQuery("text_place", text="food", where=target.postcode, radius_miles=3.0), per_page=100
    )
    assert target.id in {h.service_id for h in near.hits}
    assert all(h.distance_km <= 3.0 * 1.609344 + 1e-6 for h in near.hits if not h.covers_area)
    # Free only drops paid services.
    paid = {s.id for s in corpus if not s.is_free}
    free = reference.search(BenchQuery("filtered", text="club", free_only=True), per_page=400)
    assert free.total > 0 and not paid & {h.service_id for h in free.hits}
    # Query syntax characters are plain words, never an error.
    for text in ('"', "(", "AND OR NOT", "x" * 5000, "💥 ; DROP TABLE service"):
        assert reference.search(BenchQuery("text", text=text)).total >= 0


def test_reference_open_on_day_includes_services_open_past_midnight(reference) -> None:
    corpus = list(build_corpus(400, seed=6))
    late = next(
        s
        for s in corpus
        if s.status == ServiceStatus.ACTIVE
        and s.moderation.value == "approved"
        and any(c <= o and c != time(0) for _d, o, c in s.schedules)
    )
    day, _opens, closes = next((d, o, c) for d, o, c in late.schedules if c <= o and c != time(0))
    word = late.name.split()[-1]
    # Open into the small hours of the next day, so found then...
    early_next_day = BenchQuery(
        "filtered", text=word, day=(day + 1) % 7, at_time=time(closes.hour - 1, 30)
    )
    assert late.id in {h.service_id for h in reference.search(early_next_day, per_page=400).hits}
    # ...but its overnight spans never cover midday.
    assert all(c <= o for _d, o, c in late.schedules)
    noon = BenchQuery("filtered", text=word, day=(day + 1) % 7, at_time=time(12, 0))
    assert late.id not in {h.service_id for h in reference.search(noon, per_page=400).hits}
