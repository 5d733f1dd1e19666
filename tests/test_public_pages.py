"""Home and service pages, plus the quality bars every public page must meet (structure, weight,
no third-party requests)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from directory.models import Contact, Language
from search_index.store import close_cached_searchers
from signpost.extensions import db

WEIGHT_LIMIT = 60 * 1024


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_cached_searchers()


@pytest.fixture
def full_service(make_service, make_location, make_taxonomy_term):
    food = make_taxonomy_term("Food and meals", slug="food")
    hall = make_location(name="St Faith's Hall", accessibility=("wheelchair", "hearing_loop"))
    service = make_service(
        name="Lynn Lunch Club",
        summary="A hot two-course lunch and good company.",
        description="Meet people over a hot meal.\n\nTransport can be arranged.",
        locations=[hall],
        terms=[food],
        phone="01632 960 010",
        email="lunch@example.org",
        url="https://lunch.example.org",
        schedules=[(1, "11:30", "14:00")],
        is_free=False,
        fees_description="£4 a meal",
        minimum_age=60,
        eligibility_description="Older people",
        assured_date=date(2026, 2, 3),
        referral_route="drop_in",
    )
    service.languages.append(Language(name="Polish"))
    service.contacts.append(Contact(name="Jo Smith", title="Organiser"))
    db.session.commit()
    return service


def test_home_has_one_search_categories_and_the_phone_line(page, make_service, make_taxonomy_term):
    food = make_taxonomy_term("Food", slug="food")
    make_service(terms=[food])
    html = page("/")
    forms = html.find_all("form", role="search")
    assert len(forms) == 1 and forms[0]["action"] == "/search" and forms[0]["method"] == "get"
    assert {i["name"] for i in forms[0].find_all("input")} == {"q", "where"}
    assert html.find("a", string="Food")["href"].endswith("/categories/food")
    assert html.find("a", href="tel:01632960123") is not None


def test_service_page_shows_everything_a_person_needs(page, full_service):
    html = page(f"/services/{full_service.id}")
    text = html.get_text(" ", strip=True)
    for expected in (
        "Lynn Lunch Club",
        "Who it is for",
        "60 and over",
        "Older people",
        "There is a charge: £4 a meal",
        "Just turn up",
        "St Faith's Hall",
        "1 High Street, King's Lynn, PE30 1EX",
        "Tuesday",
        "11:30 to 14:00",
        "Wheelchair accessible",
        "Hearing loop",
        "Polish",
        "Jo Smith, Organiser",
        "Information last checked on 3 February 2026",
    ):
        assert expected in text, expected
    assert html.find("a", href="tel:01632960010") and html.find(
        "a", href="mailto:lunch@example.org"
    )
    assert any(b.get_text().startswith("Add to shortlist") for b in html.find_all("button"))
    assert html.find("a", string="Report a problem with this page")


def test_service_page_says_when_not_yet_checked(page, make_service):
    service = make_service(assured_date=None)
    assert "has not yet been checked" in page(f"/services/{service.id}").get_text()


def test_unknown_service_is_a_friendly_not_found_page(page):
    html = page("/services/does-not-exist", status=404)
    assert html.h1.get_text() == "Page not found"


def test_service_page_map_only_when_tiles_are_configured(page, full_service):
    html = page(f"/services/{full_service.id}")
    assert html.select(".map") == [] and html.find("script") is None


def _public_urls(service_id: str) -> list[str]:
    return [
        "/",
        "/search?q=lunch&where=PE30&radius=5",
        "/search?q=zzzzqqq",
        "/search/map?q=lunch",
        f"/services/{service_id}",
        "/categories",
        "/shortlist",
        "/shortlist/print",
        f"/shortlist/shared?ids={service_id}",
        "/suggest",
        f"/services/{service_id}/report",
        "/search?q=lunch&radius=9999",
    ]


def _assets(client, html: BeautifulSoup) -> list[bytes]:
    bodies = []
    for tag in html.find_all(["link", "script"]):
        url = tag.get("href") if tag.name == "link" else tag.get("src")
        if not url:
            continue
        assert not urlsplit(url).netloc, f"third-party request to {url}"
        with client.get(url) as response:
            assert response.status_code == 200, url
            bodies.append(response.data)
    return bodies


class TestEveryPublicPage:
    @pytest.fixture
    def app_config(self):
        # With tiles configured, pages that can show a map load Leaflet too: the heaviest case.
        return {
            "MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
            "MAP_TILE_ATTRIBUTION": "Example",
        }

    def test_structure_weight_and_no_third_party_requests(self, client, full_service):
        client.post("/shortlist/add", data={"service_id": full_service.id})
        for url in _public_urls(full_service.id):
            response = client.get(url)
            assert response.status_code in (200, 400), url
            html = BeautifulSoup(response.get_data(as_text=True), "html.parser")
            assert len(html.find_all("h1")) == 1, url
            assert html.find("a", class_="skip-link")["href"] == "#main", url
            assert html.find("main", id="main") and html.find("header") and html.find("footer")
            assert html.html["lang"] == "en-GB"
            title = html.title.get_text()
            assert title.endswith("– Signpost") and len(title) > len("– Signpost") + 3, url
            for field in html.find_all(["input", "select", "textarea"]):
                if field.get("type") in ("hidden", "submit"):
                    continue
                assert html.find("label", attrs={"for": field["id"]}), (url, field)
            assert not [s for s in html.find_all("script") if s.string and s.string.strip()], url
            assert not html.select("[style]"), url  # the CSP forbids inline styles
            weight = len(gzip.compress(response.data)) + sum(
                len(gzip.compress(body)) for body in _assets(client, html)
            )
            assert weight < WEIGHT_LIMIT, f"{url} weighs {weight} bytes compressed"
