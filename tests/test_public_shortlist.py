"""The shortlist: kept in a signed cookie without an account, printable, shareable, emailable."""

from __future__ import annotations

from sqlalchemy import select

from directory.public import shortlist
from signpost.extensions import db
from signpost.messaging import OutboxMessage


def _cookie(client) -> str | None:
    cookie = client.get_cookie(shortlist.COOKIE_NAME)
    return cookie.value if cookie else None


def test_adding_a_service_puts_it_on_the_shortlist_page(client, page, make_service):
    service = make_service(name="Tuesday Lunch Club", phone="01632 960 001")
    response = client.post("/shortlist/add", data={"service_id": service.id, "next": "/shortlist"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/shortlist")
    html = page("/shortlist")
    assert "Tuesday Lunch Club" in html.get_text()
    assert html.find("a", href="tel:01632960001") is not None
    assert "Tuesday Lunch Club is on your shortlist." in html.get_text()
    # the header shows how many are saved
    assert html.select_one(".nav .badge").get_text(" ", strip=True).startswith("1")


def test_removing_a_service_empties_the_shortlist(client, page, make_service):
    service = make_service()
    client.post("/shortlist/add", data={"service_id": service.id})
    client.post("/shortlist/remove", data={"service_id": service.id})
    assert "Your shortlist is empty." in page("/shortlist").get_text()


def test_adding_an_unknown_service_says_so_and_changes_nothing(client, page, make_service):
    kept = make_service(name="Kept")
    client.post("/shortlist/add", data={"service_id": kept.id})
    before = _cookie(client)
    client.post("/shortlist/add", data={"service_id": "no-such-service"})
    assert _cookie(client) == before
    html = page("/shortlist")
    assert "could not find that service" in html.get_text()
    assert "Kept" in html.get_text()


def test_a_tampered_cookie_gives_an_empty_list_and_a_message(client, page, make_service):
    service = make_service(name="Real Service")
    client.post("/shortlist/add", data={"service_id": service.id})
    client.get("/")  # shows (and so clears) the "added" message
    value = _cookie(client)
    client.set_cookie(
        shortlist.COOKIE_NAME, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    )
    response = client.get("/shortlist")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "could not read your saved shortlist" in text
    assert "Real Service" not in text
    assert "Your shortlist is empty." in text
    assert _cookie(client) is None  # the bad cookie is removed


def test_garbage_cookie_is_treated_the_same_way(client):
    client.set_cookie(shortlist.COOKIE_NAME, "%%%not-a-cookie{{")
    response = client.get("/")
    assert response.status_code == 200
    assert "could not read your saved shortlist" in response.get_data(as_text=True)


def test_next_must_be_a_path_on_this_site(client, make_service):
    service = make_service()
    response = client.post(
        "/shortlist/add", data={"service_id": service.id, "next": "https://evil.example/"}
    )
    assert response.headers["Location"].endswith("/shortlist")
    response = client.post(
        "/shortlist/add", data={"service_id": service.id, "next": "//evil.example"}
    )
    assert "evil" not in response.headers["Location"]


def test_shortlist_holds_at_most_the_limit(app):
    items = shortlist.Shortlist()
    for n in range(shortlist.MAX_ITEMS + 5):
        items = items.with_added(f"id-{n}")
    assert len(items) == shortlist.MAX_ITEMS
    raw = shortlist.dump_shortlist(items, "k")
    assert shortlist.load_shortlist(raw, "k").ids == items.ids
    assert shortlist.load_shortlist(raw, "another-key").was_tampered


def test_print_view_lists_every_contact_detail(client, page, make_service):
    service = make_service(
        name="Memory Cafe",
        phone="01632 960 002",
        email="cafe@example.org",
        url="https://cafe.example.org",
        schedules=[(1, "10:00", "12:00")],
    )
    client.post("/shortlist/add", data={"service_id": service.id})
    html = page("/shortlist/print")
    text = html.get_text(" ", strip=True)
    for expected in (
        "Memory Cafe",
        "01632 960 002",
        "cafe@example.org",
        "https://cafe.example.org",
        "1 High Street, King's Lynn, PE30 1EX",
        "Tuesday 10:00 to 12:00",
    ):
        assert expected in text
    assert f"/shortlist/shared?ids={service.id}" in text  # the short link, printed in full
    assert "print-view" in html.body["class"]


def test_shared_link_shows_services_and_keeps_them(client, page, make_service):
    one, two = make_service(name="One"), make_service(name="Two")
    html = page(f"/shortlist/shared?ids={two.id},{one.id},bogus!!,{two.id}")
    names = [h.get_text() for h in html.select(".item-name")]
    assert names == ["Two", "One"]
    client.post("/shortlist/shared", data={"ids": html.find("input", {"name": "ids"})["value"]})
    names = [h.get_text() for h in page("/shortlist").select(".item-name")]
    assert names == ["Two", "One"]


def test_shared_link_with_no_known_services_explains(page):
    assert "no longer listed" in page("/shortlist/shared?ids=nope").get_text()


def test_emailing_the_shortlist_queues_text_and_html(client, page, make_service):
    service = make_service(name="Walking Group", phone="01632 960 003")
    client.post("/shortlist/add", data={"service_id": service.id})
    response = client.post("/shortlist/email", data={"email": "relative@example.org"})
    assert response.status_code == 302
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "relative@example.org"
    assert message.purpose == "shortlist"
    assert "Walking Group" in message.text_body and "01632 960 003" in message.text_body
    assert message.html_body and "Walking Group" in message.html_body


def test_emailing_with_a_bad_address_shows_an_error_and_queues_nothing(client, make_service):
    service = make_service()
    client.post("/shortlist/add", data={"service_id": service.id})
    response = client.post("/shortlist/email", data={"email": "not an address"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "There is a problem" in text and 'href="#email"' in text
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_emailing_an_empty_shortlist_explains(client, page):
    response = client.post("/shortlist/email", data={"email": "a@example.org"})
    assert response.status_code == 302
    assert "nothing to send" in page("/shortlist").get_text()
    assert db.session.scalars(select(OutboxMessage)).all() == []
