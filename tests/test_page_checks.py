"""The page checks catch what they are there for, and every main page passes them with CSRF
protection on (the rest of the suite runs with it off, so the token check would never run)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from prescribing.operations import support
from signpost.extensions import db
from tests.accounts_support import FAST_HASHING, sign_in_as
from tests.page_checks import PageProblem, check_page
from tests.prescribing_support import converse, refer

GOOD = (
    "<!doctype html><html lang='en'><head><title>Find help – Signpost</title></head>"
    "<body><main id='main'><p>Hello</p></main></body></html>"
)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("<p>Hello</p>", "<p>Hello</span>"), "does not parse"),
        (("<p>Hello</p>", "<p id='main'>Hello</p>"), "more than once: main"),
        (("Find help – Signpost", "Signpost"), "no title of its own"),
        (("<p>Hello</p>", "<div class='error-summary'></div>"), "starting 'Error: '"),
        (("<p>Hello</p>", "<form method='post' action='/x'></form>"), "/x has no CSRF token"),
    ],
)
def test_each_check_fails_a_page_that_breaks_it(change, problem):
    check_page(GOOD, site_name="Signpost", csrf=True)
    with pytest.raises(PageProblem, match=problem):
        check_page(GOOD.replace(*change), site_name="Signpost", csrf=True)


def test_a_post_form_without_a_token_passes_when_csrf_is_off():
    html = GOOD.replace("<p>Hello</p>", "<form method='post'></form>")
    check_page(html, site_name="Signpost", csrf=False)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {**FAST_HASHING, "WTF_CSRF_ENABLED": True}


def test_public_pages_pass_with_csrf_on(page, make_service):
    service = make_service(name="Tuesday Lunch Club")
    for url in (
        "/",
        "/categories",
        "/search?q=lunch",
        f"/services/{service.id}",
        f"/services/{service.id}/report",
        "/suggest",
        "/shortlist",
        "/ask-for-help",
        "/sign-in",
        "/password-reset",
    ):
        page(url)
    page("/search?q=lunch&age=200", status=400)  # a page with an error summary


def test_staff_pages_pass_with_csrf_on(app, client, page, world, make_service, make_user):
    referral = refer(world)
    support_service = make_service(name="Walking Group")
    from prescribing.operations import casework

    casework.assign(world["lead"], referral, world["coordinator"].id)
    referral.received_at -= timedelta(days=30)
    db.session.commit()
    converse(world, referral, held_on=date.today() - timedelta(days=25))
    support.suggest_service(world["coordinator"], referral, support_service.id)
    db.session.commit()
    follow_up = referral.follow_ups[0]

    sign_in_as(client, world["coordinator"])
    for url in (
        "/caseload",
        "/caseload?list=mine",
        "/caseload?list=due",
        f"/referrals/{referral.id}",
        f"/referrals/{referral.id}/conversation",
        f"/referrals/{referral.id}/follow-ups/{follow_up.id}",
        f"/referrals/{referral.id}/signposts/find?q=walking",
        f"/referrals/{referral.id}/plan",
        "/referrals/new",
        "/account",
    ):
        page(url)
    sign_in_as(client, world["gp"])
    page("/referrals/mine", title="Your referrals")
    page(f"/referrals/{referral.id}/status")
    sign_in_as(client, world["manager"])
    page("/staff/prescribing/figures", title="Social prescribing figures")
    page("/staff/prescribing/figures?from=soon", title="Error: Social prescribing figures")
    sign_in_as(client, world["admin"])
    for url in ("/admin/users", "/admin/users/invite", "/admin/teams", "/admin/audit/"):
        page(url)
    page("/admin/audit/?since=yesterday", status=400)
    editor = make_user("editor")
    sign_in_as(client, editor)
    page("/staff/feedback")
