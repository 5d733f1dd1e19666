"""'Did you mean' from the in-memory vocabulary agrees with Whoosh's own corrector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import current_app

from search_index.spelling import closest_word, edit_distance
from search_index.store import close_cached_searchers
from search_index.sync import live_searcher, rebuild
from tests.search_helpers import find

WORDS = (
    "befriending dementia benefits advocacy library lunch club carers bereavement "
    "counselling allotment gardening swimming wellbeing loneliness isolation memory "
    "mental health debt housing homeless foodbank pantry transport shopping walking"
)


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("befriending", "befriending", 0),
        ("befreinding", "befriending", 1),
        ("demensia", "dementia", 1),
        ("libary", "library", 1),
        ("lunhc", "lunch", 1),
        ("abc", "ca", 3),
        ("carres", "carers", 1),
        ("lunch", "lnuhc", 2),
        ("", "ab", 2),
        ("kitten", "sitting", 3),
    ],
)
def test_edit_distance_counts_swaps_as_one_edit(a, b, expected):
    limit = 3
    assert edit_distance(a, b, limit) == min(expected, limit + 1)
    assert edit_distance(b, a, limit) == min(expected, limit + 1)
    assert edit_distance(a, b, 0) == (0 if expected == 0 else 1)


def test_suggestions_match_whooshs_corrector(make_service):
    for n, chunk in enumerate([WORDS[i : i + 60] for i in range(0, len(WORDS), 60)]):
        make_service(name=f"Service {n}", description=chunk + " " + WORDS.split()[n])
    rebuild(current_app)
    make_service(name="Bereavement befriending cafe")  # a second segment, applied inline
    searcher = live_searcher(current_app)
    typos = [
        "befreinding",
        "demensia",
        "benifits",
        "advocasy",
        "libary",
        "lunhc",
        "carres",
        "bereavment",
        "counseling",
        "alotment",
        "gardenning",
        "swiming",
        "welbeing",
        "lonelyness",
        "isolaton",
        "memroy",
        "mentel",
        "helth",
        "dept",
        "housng",
        "homles",
        "fodbank",
        "pantyr",
        "transprot",
        "shoping",
        "walkng",
        "xylophone",
        "cafee",
    ]
    for typo in typos:
        maxdist = 1 if len(typo) <= 4 else 2
        theirs = searcher.suggest("spell", typo, limit=1, maxdist=maxdist, prefix=1)
        assert closest_word(searcher, typo, maxdist) == (theirs[0] if theirs else None), typo
    result = find(text="befreinding")
    assert result.suggestion == "befriending" and result.total >= 1
