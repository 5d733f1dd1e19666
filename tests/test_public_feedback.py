"""Tell us: problem reports and suggestions are stored for editors, robots are quietly ignored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory.public.feedback import ProblemReport, ServiceSuggestion
from signpost.extensions import db
from tests.accounts_support import sign_in_as


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_service_page_links_to_report_a_problem(page, make_service):
    service = make_service(name="Knit and Natter")
    link = page(f"/services/{service.id}").find("a", string="Report a problem with this page")
    assert link["href"].endswith(f"/services/{service.id}/report")


def test_a_problem_report_is_stored_and_the_sender_thanked(client, page, make_service):
    service = make_service(name="Knit and Natter")
    response = client.post(
        f"/services/{service.id}/report",
        data={"problem": "They now meet on Thursdays.", "reply_email": "me@example.org"},
    )
    assert response.status_code == 302
    report = db.session.scalars(select(ProblemReport)).one()
    assert (report.service_id, report.service_name, report.problem, report.reply_email) == (
        service.id,
        "Knit and Natter",
        "They now meet on Thursdays.",
        "me@example.org",
    )
    assert "We have received your report" in page(response.headers["Location"]).get_text()


def test_an_empty_report_shows_an_error_summary_and_stores_nothing(page, make_service):
    service = make_service()
    html = page(
        f"/services/{service.id}/report",
        status=400,
        method="post",
        data={"problem": "  ", "reply_email": "not-an-email"},
    )
    links = {a["href"]: a.get_text() for a in html.select(".error-summary a")}
    assert links == {
        "#problem": "Tell us what is wrong with this page.",
        "#reply_email": "Enter an email address like name@example.com, or leave it empty.",
    }
    assert html.title.get_text().startswith("Error:")
    assert html.find(id="problem")["aria-invalid"] == "true"
    assert _count(ProblemReport) == 0


def test_a_filled_honeypot_is_thanked_but_not_stored(client, make_service):
    service = make_service()
    response = client.post(
        f"/services/{service.id}/report",
        data={"problem": "Buy cheap watches", "website": "http://spam.example"},
    )
    assert response.status_code == 302 and "thank-you" in response.headers["Location"]
    assert _count(ProblemReport) == 0


def test_reporting_on_an_unknown_service_is_a_friendly_404(page):
    html = page("/services/nope/report", status=404)
    assert "Page not found" in html.get_text()


def test_a_suggestion_is_stored_and_listed_for_staff(client, page):
    response = client.post(
        "/suggest",
        data={
            "name": "Men's Shed",
            "description": "Woodwork and company for older men.",
            "where": "Downham Market",
            "how_to_contact": "01632 960 777",
        },
    )
    assert response.status_code == 302
    suggestion = db.session.scalars(select(ServiceSuggestion)).one()
    assert (suggestion.name, suggestion.where, suggestion.reply_email) == (
        "Men's Shed",
        "Downham Market",
        None,
    )
    assert "We have received your suggestion" in page(response.headers["Location"]).get_text()


def test_a_suggestion_without_a_name_is_refused(page):
    html = page("/suggest", status=400, method="post", data={"description": "Something"})
    assert [a["href"] for a in html.select(".error-summary a")] == ["#name"]
    assert _count(ServiceSuggestion) == 0


def test_staff_feedback_list_needs_a_signed_in_editor(client):
    response = client.get("/staff/feedback")
    assert response.status_code == 302 and "sign" in response.headers["Location"]


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True}

    def test_more_than_ten_suggestions_an_hour_are_turned_away(self, client):
        data = {"name": "Group", "description": "Stuff"}
        codes = [client.post("/suggest", data=data).status_code for _ in range(11)]
        assert codes[:10] == [302] * 10 and codes[10] == 429
        assert _count(ServiceSuggestion) == 10


def test_an_editor_sees_reports_and_suggestions(client, page, make_service, make_user):
    service = make_service(name="Knit and Natter")
    client.post(f"/services/{service.id}/report", data={"problem": "New phone number."})
    client.post("/suggest", data={"name": "Men's Shed", "description": "Woodwork."})
    sign_in_as(client, make_user("editor", mfa=True))
    text = page("/staff/feedback").get_text(" ", strip=True)
    assert "Knit and Natter" in text and "New phone number." in text and "Men's Shed" in text


def test_a_champion_may_not_see_the_feedback_list(client, make_user):
    sign_in_as(client, make_user("champion", mfa=True))
    assert client.get("/staff/feedback").status_code == 403
