"""The social prescribing pathway in a real browser: a GP refers → the coordinator makes contact,
holds the guided conversation and signposts → three-week check → six-week review → close → the
GP sees the outcome. Both sign in with password and a TOTP code; axe-core checks the main pages."""

from __future__ import annotations

from typing import Any

import pytest

from signpost.accounts import totp
from signpost.extensions import db
from tests.accounts_support import FAST_HASHING, PASSWORD


@pytest.fixture
def app_config(port: int) -> dict[str, Any]:
    return {"SERVER_NAME": f"127.0.0.1:{port}", "WTF_CSRF_ENABLED": True, **FAST_HASHING}


def _sign_in(page: Any, base: str, user: Any) -> None:
    page.goto(base + "/sign-in")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.fill("#code", totp.code_at(user.mfa_secret))
    page.click("button[type=submit]")


def _axe(page: Any, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    return list(
        page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => v.id + ': ' + v.help);
    }""")
    )


def test_gp_referral_to_outcome(
    browser, live_server, demo, make_user, make_team, make_practice, axe_source, artifacts
):
    practice, team = make_practice(name="Riverside Surgery"), make_team()
    gp = make_user("referrer", practice=practice, email="gp@example.org")
    coordinator = make_user("coordinator", team=team, email="coord@example.org", name="Chris Link")
    team.lead_id = coordinator.id
    db.session.commit()
    problems: dict[str, list[str]] = {}

    gp_context = browser.new_context(bypass_csp=True)
    gp_page = gp_context.new_page()
    _sign_in(gp_page, live_server, gp)
    gp_page.goto(live_server + "/referrals/new")
    problems["refer"] = _axe(gp_page, axe_source)
    gp_page.click("button:has-text('Send referral')")  # empty: the error summary
    assert "There is a problem" in gp_page.inner_text(".error-summary")
    gp_page.fill("#given_name", "Ada")
    gp_page.fill("#family_name", "Lovelace")
    gp_page.fill("#postcode", "PE30 1EX")
    gp_page.fill("#phone", "01632 960 555")
    gp_page.check("input[name=reasons][value=loneliness]")
    gp_page.fill("#what_person_wants", "To meet people")
    gp_page.check("#person_agreed")
    gp_page.click("button:has-text('Send referral')")
    assert "has been sent" in gp_page.inner_text(".flashes")
    assert "Received" in gp_page.inner_text("table")

    page = browser.new_context(bypass_csp=True).new_page()
    _sign_in(page, live_server, coordinator)
    page.goto(live_server + "/caseload?list=new")
    problems["worklist"] = _axe(page, axe_source)
    page.click("td >> a:has-text('SP-')")
    page.select_option("#assign-coordinator_id", label="Chris Link")
    page.click("button:has-text('Assign')")
    page.select_option("#contact-outcome", "spoke")
    page.click("button:has-text('Record attempt')")
    assert "Contact attempt recorded" in page.inner_text(".flashes")
    problems["case"] = _axe(page, axe_source)
    page.click("text=Record the guided conversation")
    page.fill("#what_matters", "Getting out of the house")
    page.fill("#goal_1", "Go to a lunch club every week")
    for i, answer in enumerate([3, 3, 2, 3, 3, 2, 3], start=1):
        page.select_option(f"#swemwbs_{i}", str(answer))
    problems["conversation"] = _axe(page, axe_source)
    page.click("button:has-text('Save the conversation')")
    assert "follow-ups are planned" in page.inner_text(".flashes")
    page.click("text=Find services to suggest")
    page.fill("#q", "lunch club")
    page.click("button:has-text('Search')")
    page.click("li.result:has-text('Lynn Lunch Club') >> button:has-text('Suggest')")
    assert "Service suggested" in page.inner_text(".flashes")
    assert "Active" in page.inner_text("h1 + p")

    page.click("a:has-text('Three-week phone check')")
    page.fill("#progress", "Went to the lunch club twice")
    page.click("button:has-text('Save the check')")
    page.click("a:has-text('Six-week review')")
    for i in range(1, 8):
        page.select_option(f"#swemwbs_{i}", "4")
    page.check("input[name=decision][value=close]")
    page.select_option("#outcome", "goals_met")
    page.click("button:has-text('Save the review')")
    assert "Goals met" in page.inner_text("#outcome")

    gp_page.goto(live_server + "/referrals/mine")
    gp_page.click("a:has-text('SP-')")
    assert "Closed" in gp_page.inner_text("#status")
    assert "Goals met" in gp_page.inner_text("#outcome")
    body = gp_page.inner_text("main")
    assert "871731000000106" in body and "First 17.98, latest 25.03" in body
    problems["status"] = _axe(gp_page, axe_source)
    gp_page.screenshot(path=str(artifacts / "prescribing-outcome.png"), full_page=True)
    assert not any(problems.values()), problems
