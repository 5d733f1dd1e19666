"""The admin page that searches the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from signpost.audit import AuditEvent
from signpost.extensions import db
from signpost.types import utcnow
from tests.accounts_support import FAST_HASHING, audit_events, sign_in_as


@pytest.fixture
def app_config() -> dict[str, Any]:
    return FAST_HASHING


def _event(
    action: str,
    *,
    actor_id: int | None = 1,
    subject: tuple[str, str] | None = None,
    days_ago: int = 0,
) -> None:
    db.session.execute(
        AuditEvent.__table__.insert().values(
            at=utcnow() - timedelta(days=days_ago),
            action=action,
            actor_id=actor_id,
            subject_type=subject[0] if subject else None,
            subject_id=subject[1] if subject else None,
            detail={},
            channel="web",
        )
    )
    db.session.commit()


def _rows(soup) -> list[list[str]]:
    return [
        [td.get_text(" ", strip=True) for td in row.find_all("td")]
        for row in soup.select("tr.audit-event")
    ]


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user("admin")
    sign_in_as(client, admin)
    client.admin = admin
    return client


@pytest.fixture
def events() -> None:
    _event("sign_in", actor_id=11, days_ago=10)
    _event("person.view", actor_id=12, subject=("person", "7"), days_ago=5)
    _event("referral.update", actor_id=12, subject=("referral", "42"), days_ago=3)
    _event("referral.view", actor_id=13, subject=("referral", "42"), days_ago=1)


def _get(client, url: str, status: int = 200):
    from bs4 import BeautifulSoup

    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["referral.view", "referral.update", "person.view", "sign_in"]),
        ("?actor=12", ["referral.update", "person.view"]),
        ("?action=referral.", ["referral.view", "referral.update"]),
        ("?action=sign_in", ["sign_in"]),
        ("?subject_type=referral&subject_id=42", ["referral.view", "referral.update"]),
        ("?subject_type=person", ["person.view"]),
    ],
)
def test_admin_finds_events_by_actor_action_and_record(admin_client, events, query, expected):
    soup = _get(admin_client, "/admin/audit/" + query)
    assert [row[2] for row in _rows(soup)] == expected


def test_admin_finds_events_in_a_date_range(admin_client, events):
    today = utcnow().date()
    since, until = today - timedelta(days=6), today - timedelta(days=2)
    soup = _get(admin_client, f"/admin/audit/?since={since}&until={until}")
    assert [row[2] for row in _rows(soup)] == ["referral.update", "person.view"]


def test_results_come_a_page_at_a_time_keeping_the_filters(admin_client):
    for n in range(55):
        _event("sign_in" if n % 2 else "sign_out", actor_id=5, days_ago=0)
    soup = _get(admin_client, "/admin/audit/?action=sign_in")
    assert len(_rows(soup)) == 27
    soup = _get(admin_client, "/admin/audit/")
    assert len(_rows(soup)) == 50 and "Page 1 of 2" in soup.text
    next_link = soup.find("a", rel="next")["href"]
    soup = _get(admin_client, next_link)
    # 55 events plus the audit.search events recorded by the two searches above.
    assert len(_rows(soup)) == 57 - 50 and "Page 2 of 2" in soup.text


def test_bad_filters_are_explained_and_show_no_results(admin_client, events):
    soup = _get(admin_client, "/admin/audit/?actor=abc&since=2024-05-01&until=2024-04-01", 400)
    summary = soup.select_one(".error-summary").get_text(" ", strip=True)
    assert "Enter a user number, like 42." in summary
    assert "The 'To' date must be the same as or after the 'From' date." in summary
    assert _rows(soup) == []
    assert audit_events("audit.search") == []


def test_a_mistyped_date_gets_a_plain_message(admin_client, events):
    soup = _get(admin_client, "/admin/audit/?since=31/05/2024", 400)
    assert "Enter a real date, for example 2026-03-27." in soup.select_one(".error-summary").text


def test_each_search_is_itself_audited(admin_client, events):
    _get(admin_client, "/admin/audit/?subject_type=referral&subject_id=42")
    [search] = audit_events("audit.search")
    assert search.actor_id == admin_client.admin.id
    assert search.detail == {"subject_type": "referral", "subject_id": "42"}
    assert search.channel == "web" and search.request_id


@pytest.mark.parametrize("role", ["coordinator", "manager", "editor"])
def test_other_roles_cannot_read_the_audit_log(client, make_user, events, role):
    sign_in_as(client, make_user(role))
    soup = _get(client, "/admin/audit/", 403)
    assert "You cannot see this page" in soup.text
    assert "referral.update" not in soup.text


def test_signed_out_visitors_are_sent_to_sign_in(client, events):
    response = client.get("/admin/audit/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert response.headers["Cache-Control"] == "no-store"
