"""The in-memory search table: shared between searchers of the same index state, rebuilt
after any change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import numpy as np
import pytest

from search_index.store import IndexStore, close_cached_searchers
from search_index.table import search_table
from signpost.extensions import db


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


def test_searchers_of_the_same_index_state_share_one_table(make_service, app):
    club = make_service(name="Lunch club", is_free=True)
    other = make_service(name="Walking group", is_free=False)
    ix = IndexStore(app.config["SEARCH_INDEX_DIR"]).open()
    with ix.searcher() as first, ix.searcher() as second:
        table = search_table(first)
        assert search_table(second) is table
        assert table.documents == 2
        free = {table.ids[d] for d in np.flatnonzero(table.free & table.alive)}
        assert free == {club.id}

    other.is_free = True
    db.session.commit()  # applied inline: a new segment and a deletion
    with ix.searcher() as third:
        fresh = search_table(third)
        assert fresh is not table and fresh.documents == 2
        free = {fresh.ids[d] for d in np.flatnonzero(fresh.free & fresh.alive)}
        assert free == {club.id, other.id}

    db.session.delete(club)
    db.session.commit()
    with ix.searcher() as fourth:
        after = search_table(fourth)
        assert after.documents == 1
        assert {after.ids[d] for d in np.flatnonzero(after.alive)} == {other.id}


def _browse_order() -> list[str]:
    from search_index import SearchRequest, search_services

    result = search_services(SearchRequest(per_page=100, with_facets=False))
    return [hit.service_id for hit in result.hits]


def test_a_rebuild_writes_the_table_with_its_generation_and_searches_map_it(make_service, app):
    from search_index.sync import rebuild
    from search_index.table_part import Part

    names = ["Oak café", "Birch walk", "Ash lunch club", "Elm choir", "Yew swim"]
    made = {name: make_service(name=name, is_free=name.startswith("Ash")) for name in names}
    rebuild(app)
    store = IndexStore(app.config["SEARCH_INDEX_DIR"])
    saved = Part.load(store.root / store.current_name())
    assert saved is not None and isinstance(saved.ids, np.memmap)
    assert {saved.service_id(d) for d in range(saved.size)} >= {s.id for s in made.values()}
    close_cached_searchers()
    with store.open().searcher() as searcher:
        table = search_table(searcher)
        assert len(table.parts) == 1 and isinstance(table.parts[0].ids, np.memmap)
        assert {table.ids[d] for d in np.flatnonzero(table.free & table.alive)} == {
            made["Ash lunch club"].id
        }
    expected = [made[n].id for n in sorted(names, key=str.lower)]
    assert _browse_order() == expected

    # Edits land in new small segments, built in memory beside the mapped part; names and
    # ids are still ranked across both as one order.
    made["Oak café"].name = "Alder café"
    made["Zebra crossing patrol"] = make_service(name="Zebra crossing patrol")
    made["Cedar hall"] = make_service(name="Cedar hall")
    db.session.commit()
    close_cached_searchers()
    with store.open().searcher() as searcher:
        table = search_table(searcher)
        assert len(table.parts) > 1 and table.parts[0].size == saved.size
        assert table.documents == len(made)
        assert sorted(table.name_rank.tolist()) == list(range(table.size))
        assert sorted(table.id_rank.tolist()) == list(range(table.size))
    expected = sorted(made.values(), key=lambda s: (s.name.lower(), s.id))
    assert _browse_order() == [s.id for s in expected]


def test_a_generation_without_a_saved_table_is_searched_from_its_stored_records(make_service, app):
    """An index written before tables were saved (or by edits alone) still searches the same."""
    from search_index.sync import rebuild
    from search_index.table_part import TABLE_DIR

    made = [make_service(name=n) for n in ("Quiet reading group", "Busy market", "Calm yoga")]
    rebuild(app)
    store = IndexStore(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(store.root / store.current_name() / TABLE_DIR)
    close_cached_searchers()
    expected = sorted(made, key=lambda s: s.name.lower())
    assert _browse_order() == [s.id for s in expected]
