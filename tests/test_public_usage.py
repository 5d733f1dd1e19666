"""Usage counts without tracking people: outcode only, no IP, no tracking cookie."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from directory.public import usage
from directory.public.usage import SearchEvent, ServicePageView
from signpost.extensions import db
from tests.accounts_support import sign_in_as


def test_a_full_postcode_is_cut_to_its_outcode():
    assert usage.area_for_usage("pe30 1ex") == "PE30"
    assert usage.area_for_usage("PE301EX") == "PE30"
    assert usage.area_for_usage("Hunstanton") == "hunstanton"
    assert usage.area_for_usage("12 Acacia Avenue") == ""  # an address: keep nothing


def test_record_search_keeps_only_the_allowed_facts(app):
    usage.record_search(
        query="  Lunch   CLUB ",
        where="PE30 1EX",
        filters={"free": True, "day": None},
        result_count=3,
        channel="champion",
    )
    event = db.session.scalars(select(SearchEvent)).one()
    assert (
        event.query,
        event.area,
        json.loads(event.filters),
        event.result_count,
        event.channel,
    ) == ("lunch club", "PE30", {"free": True}, 3, "champion")
    columns = set(SearchEvent.__table__.columns.keys())
    assert not columns & {"ip", "ip_address", "session_id", "user_agent", "postcode"}


def test_unknown_channel_is_counted_as_web(app):
    usage.record_search(query="x", where="", filters={}, result_count=0, channel="hacker")
    assert db.session.scalars(select(SearchEvent.channel)).one() == "web"


def test_service_page_view_is_counted_with_the_channel(client, make_service):
    service = make_service()
    client.get(f"/services/{service.id}?channel=popup")
    client.get(f"/services/{service.id}")  # the channel is remembered for the session
    views = db.session.scalars(select(ServicePageView)).all()
    assert [(v.service_id, v.channel) for v in views] == [(service.id, "popup")] * 2


def test_channel_flag_shows_an_assisted_banner_and_kiosk_layout(page):
    html = page("/?channel=access_point")
    assert "Assisted search: community access point" in html.get_text()
    assert "kiosk" in html.body["class"]
    html = page("/?channel=web")
    assert "Assisted search" not in html.get_text()


def test_public_pages_set_no_cookie_without_a_reason(client):
    response = client.get("/")
    assert response.headers.getlist("Set-Cookie") == []


def test_summary_counts_per_day_top_and_zero_result_queries(app, make_service):
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    for query, count, day in [
        ("lunch club", 4, 9),
        ("lunch club", 2, 10),
        ("befriending", 0, 10),
        ("befriending", 0, 10),
        ("yoga", 1, 10),
    ]:
        db.session.add(
            SearchEvent(
                query=query,
                result_count=count,
                channel="web",
                searched_at=datetime(2026, 3, day, 9, tzinfo=UTC),
            )
        )
    db.session.commit()
    summary = usage.usage_summary(30, now=now)
    assert summary.total_searches == 5
    assert [(d.day, n) for d, n in summary.searches_per_day] == [(10, 4), (9, 1)]
    assert summary.top_queries[:2] == [("befriending", 2), ("lunch club", 2)]
    assert summary.zero_result_queries == [("befriending", 2)]


def test_staff_usage_page_needs_sign_in(client):
    response = client.get("/staff/usage")
    assert response.status_code == 302 and "sign" in response.headers["Location"]


def test_a_manager_sees_the_usage_page(client, page, make_user):
    usage.record_search(query="lunch club", where="PE30", filters={}, result_count=0, channel="web")
    sign_in_as(client, make_user("manager", mfa=True))
    html = page("/staff/usage")
    assert html.h1.get_text() == "Usage in the last 30 days"
    zero = html.find("h2", string="Searches that found nothing").find_next("table")
    assert "lunch club" in zero.get_text()
