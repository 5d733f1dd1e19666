"""Finding the way in: the public "ask for support" route from the home page and every footer,
and the staff area of the header (sign in; each role's own pages; sign out with CSRF)."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.accounts_support import FAST_HASHING, csrf_token_from, sign_in_as

ASK = "Ask for support from a link worker"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {**FAST_HASHING, "WTF_CSRF_ENABLED": True}


def staff_area(html: str) -> BeautifulSoup:
    nav = BeautifulSoup(html, "html.parser").find("nav", attrs={"aria-label": "Staff"})
    assert nav is not None, "no staff area in the header"
    return nav


def staff_links(html: str) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in staff_area(html).find_all("a")}


def test_home_page_and_footer_lead_to_the_self_referral_form(client):
    html = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    in_main = html.find("main").find("a", string=ASK)
    in_footer = html.find("footer").find("a", string=ASK)
    assert in_main["href"] == in_footer["href"] == "/ask-for-help"
    form_page = BeautifulSoup(client.get(in_main["href"]).get_data(as_text=True), "html.parser")
    assert form_page.find("h1").get_text() == "Ask for help"
    other = BeautifulSoup(client.get("/categories").get_data(as_text=True), "html.parser")
    assert other.find("footer").find("a", string=ASK)["href"] == "/ask-for-help"


def test_signed_out_header_offers_staff_sign_in_only(client):
    html = client.get("/").get_data(as_text=True)
    assert staff_links(html) == {"Staff sign in": "/sign-in"}
    assert staff_area(html).find("form") is None
    assert "Sign in" in client.get("/sign-in").get_data(as_text=True)


def test_coordinator_sees_worklists_and_referral_forms_not_admin_pages(app, make_user, make_team):
    coordinator = make_user("coordinator", team=make_team())
    client = app.test_client()
    sign_in_as(client, coordinator)
    links = staff_links(client.get("/").get_data(as_text=True))
    assert links == {
        "Worklists": "/caseload",
        "Make a referral": "/referrals/new",
        "Phone referral": "/referrals/phone",
        "Your account": "/account",
    }
    for url in links.values():  # every page offered opens for them
        assert client.get(url).status_code == 200, url


def test_referrer_sees_their_referrals_not_worklists(app, make_user, make_practice):
    gp = make_user("referrer", practice=make_practice())
    client = app.test_client()
    sign_in_as(client, gp)
    html = client.get("/").get_data(as_text=True)
    links = staff_links(html)
    assert links == {
        "Make a referral": "/referrals/new",
        "Your referrals": "/referrals/mine",
        "Your account": "/account",
    }
    assert "Worklists" not in links and "Staff sign in" not in links
    for url in links.values():
        assert client.get(url).status_code == 200, url
    assert client.get("/caseload").status_code == 403  # hidden, and refused as well


def test_manager_and_admin_see_their_own_pages(app, make_user):
    manager, admin = make_user("manager"), make_user("admin")
    for user, expected, absent in (
        (manager, {"Figures", "Usage", "Your account"}, {"Users", "Audit log", "Worklists"}),
        (admin, {"Users", "Audit log", "Figures", "Usage", "Feedback", "Worklists"}, set()),
    ):
        client = app.test_client()
        sign_in_as(client, user)
        links = staff_links(client.get("/").get_data(as_text=True))
        assert expected <= set(links) and not absent & set(links), links
        for url in links.values():
            assert client.get(url).status_code == 200, url


def test_someone_still_to_set_up_two_factor_is_only_offered_set_up(app, make_user, make_team):
    coordinator = make_user("coordinator", team=make_team(), mfa=False)
    client = app.test_client()
    sign_in_as(client, coordinator)
    assert staff_links(client.get("/").get_data(as_text=True)) == {
        "Set up two-factor sign-in": "/account/two-factor"
    }


def test_sign_out_from_the_header_is_a_post_with_csrf(app, make_user, make_practice):
    gp = make_user("referrer", practice=make_practice())
    client = app.test_client()
    sign_in_as(client, gp)
    html = client.get("/").get_data(as_text=True)
    form = staff_area(html).find("form")
    assert form["method"] == "post" and form["action"] == "/sign-out"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert client.post("/sign-out").status_code == 400  # no token: refused, still signed in
    assert "Your referrals" in staff_links(client.get("/").get_data(as_text=True))
    response = client.post(
        "/sign-out", data={"csrf_token": csrf_token_from(html)}, follow_redirects=True
    )
    assert "You have signed out." in response.get_data(as_text=True)
    assert staff_links(client.get("/").get_data(as_text=True)) == {"Staff sign in": "/sign-in"}
