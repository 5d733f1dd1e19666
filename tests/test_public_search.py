"""The results page: summary, key facts, filters with counts, pages, did-you-mean, bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from directory.public.usage import SearchEvent
from search_index.store import close_cached_searchers
from signpost.extensions import db
from tests.search_helpers import HUNSTANTON, KINGS_LYNN, add_places


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


@pytest.fixture
def lunch_clubs(app, make_service, make_location, make_taxonomy_term):
    add_places()
    food = make_taxonomy_term("Food and meals", slug="food")
    near = make_location(latitude=KINGS_LYNN[0], longitude=KINGS_LYNN[1])
    far = make_location(
        latitude=HUNSTANTON[0], longitude=HUNSTANTON[1], city="Hunstanton", postcode="PE36 5AA"
    )
    return {
        "near": make_service(
            name="Lynn Lunch Club",
            summary="A hot lunch and company.",
            locations=[near],
            terms=[food],
            phone="01632 960 010",
            schedules=[(d, "11:30", "14:00") for d in range(7)],
        ),
        "far": make_service(
            name="Hunstanton Lunch Club",
            locations=[far],
            terms=[food],
            is_free=False,
            fees_description="£4 a meal",
            email="h@example.org",
        ),
        "phone": make_service(
            name="Telephone Lunch Club Friends",
            with_location=False,
            modes=["phone"],
            areas=["PE30"],
        ),
    }


def test_results_show_summary_and_key_facts(page, lunch_clubs):
    html = page("/search?q=lunch+club&where=PE30+1EX&radius=5")
    assert (
        html.select_one(".results-summary").get_text()
        == "2 services for ‘lunch club’ within 5 miles of PE30 1EX"
    )
    results = html.select(".result")
    names = [r.h3.get_text(strip=True) for r in results]
    assert names[0] == "Lynn Lunch Club" and "Hunstanton Lunch Club" not in names
    first = results[0].get_text(" ", strip=True)
    assert "Run" not in first and "Less than 0.1 miles away" in first
    assert "Cost: Free" in first and "Call 01632 960 010" in first
    assert "Open now" in first or "Opens today" in first or "Next open" in first
    phone_line = next(r for r in results if "Telephone" in r.h3.get_text())
    assert "Covers your area" in phone_line.get_text()
    assert html.title.get_text().startswith("2 services for")


def test_wider_radius_finds_the_far_club_with_its_cost(page, lunch_clubs):
    html = page("/search?q=lunch+club&where=PE30+1EX&radius=20&sort=nearest")
    names = [r.h3.get_text(strip=True) for r in html.select(".result")]
    assert "Hunstanton Lunch Club" in names
    far = html.select(".result")[names.index("Hunstanton Lunch Club")].get_text(" ", strip=True)
    assert "There is a charge: £4 a meal" in far and "miles away" in far


def test_filters_work_as_a_plain_get_form_with_counts(page, lunch_clubs):
    html = page("/search?q=lunch&where=PE30&radius=20")
    form = html.find("form", role="search")
    assert form["method"] == "get" and form.find("input", {"name": "csrf_token"}) is None
    free_label = html.find("label", {"for": "free"}).get_text(" ", strip=True)
    assert free_label == "Free only (2)"
    html = page("/search?q=lunch&where=PE30&radius=20&free=y")
    names = {r.h3.get_text(strip=True) for r in html.select(".result")}
    assert "Hunstanton Lunch Club" not in names and "Lynn Lunch Club" in names
    assert html.find("input", id="free").has_attr("checked")


def test_category_facet_lists_terms_with_counts(page, lunch_clubs):
    html = page("/search?q=lunch")
    labels = [label.get_text(" ", strip=True) for label in html.select("label[for^=category-]")]
    assert "Food and meals (2)" in labels


def test_pagination_and_a_page_past_the_end(page, make_service):
    for n in range(23):
        make_service(name=f"Walking group {n:02d}")
    html = page("/search?q=walking")
    assert len(html.select(".result")) == 20
    assert "Page 1 of 2" in html.select_one(".pagination").get_text()
    assert "page=2" in html.find("a", rel="next")["href"]
    html = page("/search?q=walking&page=99999")
    assert "only 2 pages of results, so here is the last one" in html.get_text()
    assert len(html.select(".result")) == 3


def test_did_you_mean_for_a_misspelling(page, make_service):
    make_service(name="Befriending service", description="Someone to talk to every week.")
    html = page("/search?q=befreinding")
    text = html.get_text(" ", strip=True)
    assert "Befriending service" in text
    assert "Nothing matched ‘befreinding’" in text


def test_zero_results_give_advice(page, lunch_clubs):
    html = page("/search?q=lunch&where=PE30&radius=1&free=y&mode=online")
    advice = html.select_one(".zero-results").get_text(" ", strip=True)
    assert "Search a wider area" in advice and "Remove one or more filters" in advice
    assert "Call us on" in advice


def test_unknown_postcode_is_a_friendly_message_linked_to_the_field(page, lunch_clubs):
    html = page("/search?q=lunch&where=ZZ99+9ZZ")
    summary = html.select_one(".error-summary")
    assert summary is not None and summary.a["href"] == "#where"
    assert html.find(id="where")["aria-invalid"] == "true"
    assert html.find(id="where")["value"] == "ZZ99 9ZZ"  # kept, so it can be corrected


@pytest.mark.parametrize("radius", ["100000", "-3", "lots", "0"])
def test_absurd_radius_gets_a_message_and_no_error_page(page, lunch_clubs, radius):
    html = page(f"/search?q=lunch&where=PE30&radius={radius}", status=400)
    assert [a["href"] for a in html.select(".error-summary a")] == ["#radius"]
    assert "miles" in html.select_one(".error-summary").get_text()
    assert html.select(".result") == []
    assert html.title.get_text().startswith("Error:")


@pytest.mark.parametrize(
    "query", ['"(', "AND OR NOT", "x" * 5000, "🙂🙂", "'; DROP TABLE service;--"]
)
def test_odd_text_never_breaks_the_page(client, lunch_clubs, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code in (200, 400)
    assert "There is a problem" in response.get_data(as_text=True) or response.status_code == 200


def test_unknown_filter_values_are_ignored(page, lunch_clubs):
    html = page("/search?q=lunch&mode=teleport&access=jetpack&day=9&sort=random&page=-4")
    assert html.select(".result")


def test_each_search_is_counted_with_the_outcode_only(client, lunch_clubs):
    client.get("/search?q=Lunch+Club&where=pe30+1ex&radius=5&channel=champion")
    event = db.session.scalars(select(SearchEvent)).one()
    assert (event.query, event.area, event.result_count, event.channel) == (
        "lunch club",
        "PE30",
        2,
        "champion",
    )
    assert "1EX" not in event.filters


def test_map_view_lists_the_same_results_with_coordinates(page, lunch_clubs):
    html = page("/search/map?q=lunch+club&where=PE30&radius=5")
    items = html.select(".map-points li")
    near = next(i for i in items if "Lynn Lunch Club" in i.get_text())
    assert near["data-lat"].startswith("52.75") and near["data-url"].startswith("/services/")
    assert html.find(id="results-map") is None  # no tile server configured: the list is the map
    assert html.find("script") is None


class TestMapWithTiles:
    @pytest.fixture
    def app_config(self):
        return {
            "MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
            "MAP_TILE_ATTRIBUTION": "Tiles by Example",
        }

    def test_map_is_drawn_from_data_attributes_by_our_own_script(self, page, client, lunch_clubs):
        html = page("/search/map?q=lunch+club&where=PE30&radius=5")
        box = html.find(id="results-map")
        assert box["data-tiles"].startswith("https://tiles.example.org/")
        assert box["data-attribution"] == "Tiles by Example"
        sources = [s["src"] for s in html.find_all("script")]
        assert all(src.startswith("/") for src in sources)  # served by us, no CDN
        assert not [s for s in html.find_all("script") if s.string]  # no inline script
        leaflet_js = next(src for src in sources if "leaflet" in src)
        with client.get(leaflet_js) as response:
            assert response.status_code == 200 and b"Leaflet" in response.data[:2000]
