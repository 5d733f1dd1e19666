"""The in-memory search table: shared between searchers of the same index state, rebuilt
after any change."""

from __future__ import annotations

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
