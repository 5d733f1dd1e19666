"""The index records its format; an index in another format is rebuilt or refused, never misread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import Schema

from search_index import sync
from search_index.schema import INDEX_FORMAT, META_ID, STEM, build_schema, fast_stems
from search_index.store import IndexStore, cached_searcher, close_cached_searchers, index_format
from search_index.sync import IndexNeedsRebuild, apply_pending, index_status, rebuild
from signpost.extensions import db
from tests.search_helpers import find, ids


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


def _mark_format(app, found: int) -> None:  # noqa: ANN001
    """Pretend the live index was written by another version: rewrite its meta record."""
    ix = IndexStore(app.config["SEARCH_INDEX_DIR"]).open()
    with ix.searcher() as searcher:
        seq = searcher.document(id=META_ID)["seq"]
    writer = ix.writer()
    writer.update_document(id=META_ID, seq=seq, format=found)
    writer.commit()
    close_cached_searchers()


def test_a_fresh_index_records_the_current_format(make_service, app):
    make_service(name="Lunch club")
    assert index_format(cached_searcher(app.config["SEARCH_INDEX_DIR"])) == INDEX_FORMAT
    rebuild(app)
    close_cached_searchers()
    assert index_format(cached_searcher(app.config["SEARCH_INDEX_DIR"])) == INDEX_FORMAT
    assert not index_status(app).needs_rebuild


def test_a_small_index_in_an_old_format_is_rebuilt_on_first_search(make_service, app):
    club = make_service(name="Lunch club")
    _mark_format(app, INDEX_FORMAT - 1)
    store = IndexStore(app.config["SEARCH_INDEX_DIR"])
    before = store.current_name()
    assert index_status(app).needs_rebuild
    assert ids(find(text="lunch")) == [club.id]
    assert store.current_name() != before
    assert not index_status(app).needs_rebuild


def test_a_big_index_in_an_old_format_is_refused_until_rebuilt(
    make_service, app, runner, monkeypatch
):
    club = make_service(name="Lunch club")
    _mark_format(app, INDEX_FORMAT + 1)
    monkeypatch.setattr(sync, "AUTO_REBUILD_MAX_DOCUMENTS", 0)
    with pytest.raises(IndexNeedsRebuild, match="flask search rebuild"):
        find(text="lunch")
    status = runner.invoke(args=["search", "status"])
    assert f"Index format: {INDEX_FORMAT + 1}" in status.output
    assert "Rebuild needed" in status.output and "flask search rebuild" in status.output

    # Edits wait in the outbox instead of being mixed into the old index.
    club.name = "Lunch club and befriending"
    db.session.commit()
    assert apply_pending(app) == 0
    assert index_status(app).lag == 1

    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    close_cached_searchers()
    status = runner.invoke(args=["search", "status"])
    assert "Rebuild needed" not in status.output and "Waiting to apply: 0" in status.output
    assert ids(find(text="befriending")) == [club.id]


def test_an_index_from_before_formats_were_recorded_counts_as_format_1(make_service, app):
    make_service(name="Lunch club")
    old_fields = {name: field for name, field in build_schema().items() if name != "format"}
    store = IndexStore(app.config["SEARCH_INDEX_DIR"])
    name, _ = store.new_generation()
    ix = whoosh_index.create_in(str(store.root / name), Schema(**old_fields))
    writer = ix.writer()
    writer.add_document(id=META_ID, seq=0)
    writer.commit()
    store.publish(name)
    close_cached_searchers()
    assert index_format(cached_searcher(app.config["SEARCH_INDEX_DIR"])) == 1
    assert index_status(app).needs_rebuild
    assert find(text="lunch").total == 1  # small: rebuilt on first search
    assert not index_status(app).needs_rebuild


@pytest.mark.parametrize(
    "text",
    [
        "Don't e.g. U.S.A. 3.5km café naïve *star* foo_bar 12:30 I a an of x-ray",
        "ÉCOLE İstanbul ǅ straße Befriending SERVICES for older people's lunch-clubs",
        "",
        "   ",
        "a an the of",
        "🙂 emoji ☕ and 中文 text",
    ],
)
def test_fast_indexing_analysis_gives_the_same_words_as_the_query_side(text):
    assert fast_stems(text) == [t.text for t in STEM(text)]


def test_a_big_rebuild_writes_segments_in_parallel_with_the_same_results(
    make_service, app, monkeypatch
):
    clubs = {make_service(name=f"Lunch club {n}").id for n in range(6)}
    monkeypatch.setattr(sync, "PARALLEL_MIN_SERVICES", 0)
    monkeypatch.setattr(sync.os, "cpu_count", lambda: 2)
    options = []
    real_writer = sync.segment_writer

    def spy(ix, **kwargs):  # noqa: ANN001, ANN202
        options.append(kwargs)
        return real_writer(ix, **kwargs)

    monkeypatch.setattr(sync, "segment_writer", spy)
    assert rebuild(app) == 6
    assert options[0]["procs"] == 2 and options[0]["multisegment"]
    close_cached_searchers()
    assert set(ids(find(text="lunch club"))) == clubs
    assert index_status(app).documents == 6 and not index_status(app).needs_rebuild


def test_a_build_that_lost_documents_is_redone_in_one_process(make_service, app, monkeypatch):
    club = make_service(name="Lunch club")
    real_build = sync._build
    calls = []

    def losing_build(store, session, ids_, start, batch, procs):  # noqa: ANN001, ANN202
        calls.append(procs)
        name, written = real_build(store, session, ids_, start, batch, procs)
        return name, (None if len(calls) == 1 else written)

    monkeypatch.setattr(sync, "_build", losing_build)
    assert rebuild(app) == 1
    assert len(calls) == 2 and calls[1] == 1
    close_cached_searchers()
    assert ids(find(text="lunch")) == [club.id]
    store = IndexStore(app.config["SEARCH_INDEX_DIR"])
    assert len(list(store.root.glob("gen-*"))) <= 2  # the incomplete one was removed
