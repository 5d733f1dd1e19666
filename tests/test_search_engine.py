"""search_services over factory data: text, synonyms, spelling, place, filters, ranking, pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest

from directory.models import ModerationState, ServiceArea, ServiceStatus
from search_index.query_text import parse_synonyms, synonym_table
from search_index.store import close_cached_searchers
from signpost.extensions import db
from tests.search_helpers import HUNSTANTON, KINGS_LYNN, NORWICH, add_places, find, ids

MILE_KM = 1.609344


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


@pytest.fixture
def places(app):  # noqa: ANN001, ANN201
    add_places()


@pytest.fixture
def at(make_location):  # noqa: ANN001, ANN201
    """at(lat, lon, town) -> a location there."""

    def make(lat: float, lon: float, city: str = "King's Lynn", **kw):  # noqa: ANN202
        return make_location(latitude=lat, longitude=lon, city=city, **kw)

    return make


# --- Text --------------------------------------------------------------------------------------


def test_text_finds_name_description_organisation_terms_and_town(
    make_service, make_organization, make_taxonomy_term, at
):
    club = make_service(name="Tuesday Lunch Club", description="Hot meals and company.")
    org = make_organization(name="Norfolk Carers Trust")
    carers = make_service(name="Support line", organization=org)
    term = make_taxonomy_term("Walking groups")
    walk = make_service(name="Strollers", terms=[term])
    hunstanton = make_service(name="Seaside craft", locations=[at(*HUNSTANTON, city="Hunstanton")])
    assert ids(find(text="lunch club")) == [club.id]
    assert ids(find(text="carers trust")) == [carers.id]
    assert ids(find(text="walking")) == [walk.id]
    assert ids(find(text="hunstanton")) == [hunstanton.id]
    assert ids(find(text="meal")) == [club.id]  # stemming: meals -> meal


def test_parent_term_name_finds_services_filed_under_a_child(make_service, make_taxonomy_term):
    parent = make_taxonomy_term("Health and wellbeing")
    child = make_taxonomy_term("Chair yoga", parent=parent)
    service = make_service(name="Gentle movement", terms=[child])
    assert ids(find(text="wellbeing")) == [service.id]


def test_a_match_in_the_name_outranks_one_in_the_description(make_service):
    in_description = make_service(
        name="Community hub", description="Includes a befriending scheme."
    )
    in_name = make_service(name="Befriending scheme", description="Weekly visits.")
    assert ids(find(text="befriending")) == [in_name.id, in_description.id]


def test_all_words_are_preferred_but_any_word_is_the_fallback(make_service):
    both = make_service(name="Lunch club", description="")
    lunch_only = make_service(name="Lunch delivery", description="")
    assert ids(find(text="lunch club")) == [both.id]
    fallback = find(text="lunch xylophone")
    assert set(ids(fallback)) == {both.id, lunch_only.id}


@pytest.mark.parametrize(
    "typed, listed",
    [
        ("lonely", "Befriending scheme"),
        ("lonely", "Social isolation project"),
        ("lonely", "Tuesday lunch club"),
        ("help with forms", "Benefits advice surgery"),
        ("help with forms", "Independent advocacy"),
        ("memory problems", "Dementia support group"),
        ("food", "Food bank"),
        ("food", "Tuesday lunch club"),
    ],
)
def test_synonyms_find_what_people_mean(make_service, typed, listed):
    for name in (
        "Befriending scheme",
        "Social isolation project",
        "Tuesday lunch club",
        "Benefits advice surgery",
        "Independent advocacy",
        "Dementia support group",
        "Food bank",
        "Bowls club",
    ):
        make_service(name=name, description="")
    names = {h.service_id for h in find(text=typed).hits}
    wanted = db.session.scalar(
        db.select(db.text("id"))
        .select_from(db.text("service"))
        .where(db.text("name = :n"))
        .params(n=listed)
    )
    assert wanted in names
    bowls = db.session.scalar(
        db.select(db.text("id"))
        .select_from(db.text("service"))
        .where(db.text("name = 'Bowls club'"))
    )
    assert bowls not in names


def test_synonym_file_has_at_least_60_groups_and_parses_both_forms():
    table = synonym_table()
    assert len(table.expansions) >= 60
    parsed = parse_synonyms("# a comment\nsad, low mood\nskint => debt advice, food bank\n")
    assert parsed.expansions[("sad",)] == (("low", "mood"),)
    assert parsed.expansions[("low", "mood")] == (("sad",),)
    assert parsed.expansions[("skint",)] == (("debt", "advic"), ("food", "bank"))
    assert ("debt", "advic") not in parsed.expansions  # one-way: the right side does not expand


@pytest.mark.parametrize("typo, word", [("befreinding", "befriending"), ("demensia", "dementia")])
def test_a_typo_that_finds_nothing_is_corrected(make_service, typo, word):
    service = make_service(name=f"{word.title()} service", description="")
    result = find(text=typo)
    assert result.corrected is True
    assert result.suggestion == word
    assert ids(result) == [service.id]


def test_did_you_mean_is_offered_without_correcting_when_something_matched(make_service):
    make_service(name="Dementia cafe", description="")
    make_service(name="Cafe", description="")
    result = find(text="cafe demensia")
    assert result.corrected is False
    assert result.suggestion == "cafe dementia"
    assert result.total >= 1


def test_no_suggestion_for_correct_words(make_service):
    make_service(name="Dementia cafe")
    assert find(text="dementia").suggestion is None


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "(",
        ")",
        "AND OR",
        "NOT",
        "lunch AND (club OR",
        '"unclosed phrase',
        "*",
        "?",
        "~2",
        "x" * 5000,
        "lunch " * 1000,
        "😀 🍲 lunch",
        "'; DROP TABLE service; --",
        "field:value",
        "name:lunch^5",
        "\x00\x01",
        "   ",
        "über café",
        "[TO]",
        "{}",
    ],
)
def test_any_text_is_searched_as_plain_words_never_an_error(make_service, text):
    club = make_service(name="Lunch club")
    result = find(text=text)
    assert result.location_error is None
    if "lunch" in text and "lunch AND" not in text:
        assert club.id in ids(result)


# --- Where -------------------------------------------------------------------------------------


def test_where_and_radius_keep_near_services_with_their_distance(make_service, places, at):
    near = make_service(name="Lynn lunch club", locations=[at(52.76, 0.40)])
    far = make_service(name="Norwich lunch club", locations=[at(*NORWICH, city="Norwich")])
    result = find(text="lunch club", where="PE30 1EX", radius_miles=5)
    assert ids(result) == [near.id]
    assert result.hits[0].distance_km == pytest.approx(0.66, abs=0.05)
    assert result.hits[0].covers_area is False
    assert result.location is not None and result.location.outcode == "PE30"
    wide = find(text="lunch club", where="PE30", radius_miles=60)
    assert ids(wide) == [near.id, far.id]
    assert far.id not in ids(find(text="lunch club", where="King's Lynn", radius_metres=10_000))


def test_nearest_location_gives_the_distance(make_service, places, at):
    service = make_service(name="Two sites", locations=[at(*NORWICH), at(*KINGS_LYNN)])
    hit = find(where="PE30 1EX", radius_miles=80).hits[0]
    assert hit.service_id == service.id
    assert hit.distance_km == pytest.approx(0.0, abs=0.01)


def test_unknown_place_gives_a_plain_message_and_no_hits(make_service, places):
    make_service(name="Lunch club")
    result = find(text="lunch", where="Atlantis")
    assert result.hits == [] and result.total == 0
    assert "could not find a place called 'Atlantis'" in result.location_error
    assert find(text="lunch", where="ZZ99").location_error.startswith("We could not find")


def test_services_that_cover_the_area_appear_without_a_distance(make_service, places, at):
    phone = make_service(
        name="Phone befriending", modes=["phone"], with_location=False, areas=["PE30"]
    )
    national = make_service(name="National befriending line", modes=["phone"], with_location=False)
    national.service_areas.append(ServiceArea(area_type="national", code=""))
    council = make_service(
        name="Council befriending visits", modes=["home_visit"], with_location=False
    )
    council.service_areas.append(ServiceArea(area_type="local_authority", code="E07000146"))
    elsewhere = make_service(
        name="Norwich phone befriending", modes=["phone"], with_location=False, areas=["NR1"]
    )
    in_person = make_service(name="Befriending cafe", locations=[at(52.76, 0.40)])
    db.session.commit()
    result = find(text="befriending", where="PE30 1EX", radius_miles=5)
    found = {h.service_id: h for h in result.hits}
    assert set(found) == {phone.id, national.id, council.id, in_person.id}
    assert found[phone.id].covers_area and found[phone.id].distance_km is None
    assert not found[in_person.id].covers_area
    assert elsewhere.id not in found
    assert elsewhere.id in ids(find(text="befriending", where="NR1", radius_miles=5))


# --- Filters -----------------------------------------------------------------------------------


def test_term_filter_includes_children_and_facets_count_terms(make_service, make_taxonomy_term):
    parent = make_taxonomy_term("Food")
    child = make_taxonomy_term("Lunch clubs", parent=parent)
    other = make_taxonomy_term("Exercise")
    lunch = make_service(name="Lunch", terms=[child])
    bank = make_service(name="Bank", terms=[parent])
    gym = make_service(name="Gym", terms=[other])
    assert set(ids(find(term_ids=(parent.id,)))) == {lunch.id, bank.id}
    assert ids(find(term_ids=(child.id,))) == [lunch.id]
    assert ids(find(term_ids=(child.slug,))) == [lunch.id]
    facets = find().facets
    assert facets["category"] == {parent.id: 2, child.id: 1, other.id: 1}
    assert gym.id not in ids(find(term_ids=(parent.id,)))


def test_audience_filter(make_service, make_taxonomy_term):
    carers = make_taxonomy_term("Carers", taxonomy_name="Audience")
    older = make_taxonomy_term("Older people", taxonomy_name="Audience")
    for_carers = make_service(name="Carers cafe", terms=[carers])
    make_service(name="Over 60s club", terms=[older])
    result = find(audience_ids=(carers.id,))
    assert ids(result) == [for_carers.id]
    assert ids(find(audiences=(carers.slug,))) == [for_carers.id]
    assert find().facets["audience"] == {carers.id: 1, older.id: 1}
    assert find().facets["category"] == {}


def test_age_filter_keeps_overlapping_ranges(make_service):
    young = make_service(name="Youth club", minimum_age=11, maximum_age=18)
    older = make_service(name="Over 60s", minimum_age=60)
    anyone = make_service(name="Open to all")
    assert set(ids(find(age=15))) == {young.id, anyone.id}
    assert set(ids(find(min_age=17, max_age=65))) == {young.id, older.id, anyone.id}
    assert set(ids(find(min_age=70))) == {older.id, anyone.id}


def test_free_only(make_service):
    free = make_service(name="Free", is_free=True)
    make_service(name="Paid", is_free=False)
    assert ids(find(free_only=True)) == [free.id]
    assert find().facets["free"] == {"free": 1, "paid": 1}


def test_day_and_time_filters_count_spans_past_midnight(make_service):
    morning = make_service(name="Monday morning", schedules=[(0, "09:00", "12:00")])
    night = make_service(name="Friday night shelter", schedules=[(4, "20:00", "02:00")])
    assert set(ids(find(day=0))) == {morning.id}
    assert set(ids(find(day=5))) == {night.id}  # Friday's span runs into Saturday
    assert ids(find(day=0, at_time=time(11, 59))) == [morning.id]
    assert ids(find(day=0, at_time=time(12, 0))) == []
    assert ids(find(day=5, at_time=time(1, 30))) == [night.id]
    assert ids(find(day=5, at_time=time(2, 30))) == []
    assert ids(find(at_time=time(21, 0))) == [night.id]


def test_open_now_uses_london_time(make_service):
    morning = make_service(name="Monday morning", schedules=[(0, "09:00", "12:00")])
    # 10:30 UTC on Monday 1 July 2024 is 11:30 in London (BST): open.
    summer = datetime(2024, 7, 1, 10, 30, tzinfo=UTC)
    assert ids(find(open_now=True, now=summer)) == [morning.id]
    # 11:30 UTC is 12:30 in London: closed.
    assert ids(find(open_now=True, now=datetime(2024, 7, 1, 11, 30, tzinfo=UTC))) == []


def test_mode_and_accessibility_filters_and_facets(make_service, at):
    step_free = make_service(
        name="Hall", locations=[at(52.75, 0.4, accessibility=("wheelchair", "hearing_loop"))]
    )
    phone = make_service(name="Line", modes=["phone"], with_location=False)
    assert ids(find(modes=("phone",))) == [phone.id]
    assert ids(find(accessibility=("wheelchair", "hearing_loop"))) == [step_free.id]
    assert ids(find(accessibility=("wheelchair", "bsl"))) == []
    facets = find().facets
    assert facets["mode"] == {"in_person": 1, "phone": 1}
    assert facets["accessibility"] == {"hearing_loop": 1, "wheelchair": 1}


def test_filters_combine_with_and(make_service):
    match = make_service(name="Free Monday lunch", is_free=True, schedules=[(0, "12:00", "14:00")])
    make_service(name="Paid Monday lunch", is_free=False, schedules=[(0, "12:00", "14:00")])
    make_service(name="Free Tuesday lunch", is_free=True, schedules=[(1, "12:00", "14:00")])
    assert ids(find(text="lunch", free_only=True, day=0)) == [match.id]


# --- Ranking and pages -------------------------------------------------------------------------


def test_great_match_two_miles_away_beats_weak_match_next_door(make_service, places, at):
    great = make_service(
        name="Lunch club",
        summary="Lunch club for older people",
        description="A lunch club.",
        locations=[at(52.7543 + 2 * MILE_KM / 111, 0.3979)],
    )
    weak = make_service(
        name="Community centre",
        description="Rooms to hire for meetings, parties, classes, a lunch club "
        "now and then, exercise groups and much more besides.",
        locations=[at(52.7544, 0.3979)],
    )
    assert ids(find(text="lunch club", where="PE30 1EX", radius_miles=10)) == [great.id, weak.id]


def test_among_similar_matches_the_nearer_wins(make_service, places, at):
    far = make_service(name="Lunch club", locations=[at(52.80, 0.40)])
    near = make_service(name="Lunch club", locations=[at(52.76, 0.40)])
    assert ids(find(text="lunch club", where="PE30 1EX", radius_miles=10)) == [near.id, far.id]


def test_temporarily_closed_services_come_last_and_hidden_ones_never(make_service, places, at):
    closed = make_service(
        name="Lunch club", status=ServiceStatus.TEMPORARILY_CLOSED, locations=[at(52.7543, 0.3979)]
    )
    open_ = make_service(name="Lunch club", locations=[at(52.80, 0.40)])
    make_service(name="Lunch club", status=ServiceStatus.INACTIVE)
    make_service(name="Lunch club", moderation_state=ModerationState.PENDING)
    assert ids(find(text="lunch club")) == [open_.id, closed.id]
    assert ids(find(text="lunch club", where="PE30 1EX")) == [open_.id, closed.id]


def test_sort_by_distance(make_service, places, at):
    strong_far = make_service(name="Lunch club lunch club", locations=[at(52.80, 0.40)])
    weak_near = make_service(name="Hall", description="lunch", locations=[at(52.755, 0.40)])
    result = find(text="lunch", where="PE30 1EX", sort="distance")
    assert ids(result) == [weak_near.id, strong_far.id]
    assert ids(find(text="lunch", where="PE30 1EX")) == [strong_far.id, weak_near.id]


def test_pages_and_a_page_past_the_end(make_service):
    made = {make_service(name=f"Club {n}").id for n in range(5)}
    first, second = find(text="club", per_page=2), find(text="club", per_page=2, page=2)
    third = find(text="club", per_page=2, page=3)
    assert first.total == second.total == 5 and first.total_pages == 3
    assert len(first.hits) == 2 and len(third.hits) == 1
    assert set(ids(first) + ids(second) + ids(third)) == made
    beyond = find(text="club", per_page=2, page=99)
    assert beyond.hits == [] and beyond.total == 5


def test_pages_with_a_place_and_closed_services(make_service, places, at):
    for n in range(3):
        make_service(name=f"Club {n}", locations=[at(52.76, 0.40)])
    closed = make_service(name="Club closed", status=ServiceStatus.TEMPORARILY_CLOSED)
    assert ids(find(text="club", per_page=3, page=2)) == [closed.id]
    assert ids(find(text="club", where="PE30", per_page=3, page=2)) == [closed.id]
    assert find(text="club", where="PE30", page=5).total == 4


# --- Regression: searches without words ------------------------------------------------------


def test_category_only_searches_rank_without_text_scores(
    places, make_service, make_taxonomy_term, at
):
    """A category (+ place, + time) with no words once crashed comparing missing scores."""
    term = make_taxonomy_term("Lunch clubs")
    near = make_service(
        name="Near lunch",
        terms=[term],
        locations=[at(*KINGS_LYNN)],
        schedules=[(0, "11:00", "14:00")],
    )
    far = make_service(
        name="Far lunch",
        terms=[term],
        locations=[at(*HUNSTANTON, city="Hunstanton")],
        schedules=[(0, "11:00", "14:00")],
    )
    shut = make_service(
        name="Shut lunch",
        terms=[term],
        locations=[at(*KINGS_LYNN)],
        status=ServiceStatus.TEMPORARILY_CLOSED,
    )
    make_service(name="Unrelated", locations=[at(*KINGS_LYNN)])
    placed = find(term_ids=(term.id,), where="PE30", radius_miles=25)
    assert ids(placed) == [near.id, far.id, shut.id]
    by_distance = find(term_ids=(term.id,), where="PE30", radius_miles=25, sort="distance")
    assert ids(by_distance) == [near.id, far.id, shut.id]
    at_lunchtime = find(term_ids=(term.id,), day=0, at_time=time(12))
    assert set(ids(at_lunchtime)) == {near.id, far.id}
    assert (
        find(term_ids=(term.id,), where="PE30", radius_miles=25, day=0, at_time=time(12)).total == 2
    )
