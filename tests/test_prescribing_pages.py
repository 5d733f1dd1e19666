"""The social prescribing pages: need-to-know access (ids changed in the URL too), bad input on
every form, worklists' order, the referrer's page and the managers' suppressed figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from prescribing.models import FollowUp, Referral
from prescribing.operations import casework, followups, support
from prescribing.operations.wellbeing import MeasureAnswers
from prescribing.vocabulary import Urgency
from prescribing.workflow import ReferralState
from signpost.extensions import db
from tests.accounts_support import FAST_HASHING, audit_actions, sign_in_as
from tests.prescribing_support import ALL_FOUR, converse, outbox, refer

S = ReferralState

GOOD_FORM = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1950-12-10",
    "postcode": "PE30 1EX",
    "phone": "01632 960 555",
    "preferred_contact": "phone",
    "reasons": ["loneliness", "bereavement"],
    "what_person_wants": "Company",
    "urgency": "routine",
    "person_agreed": "y",
    "source": "gp_practice",
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return FAST_HASHING


def as_user(app: Any, user: Any) -> Any:
    client = app.test_client()
    sign_in_as(client, user)
    return client


def count(model: Any = Referral) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- doors in -------------------------------------------------------------------------------


def test_gp_form_creates_a_referral_for_their_practice(app, world):
    client = as_user(app, world["gp"])
    response = client.post("/referrals/new", data=GOOD_FORM, follow_redirects=True)
    assert response.status_code == 200
    referral = db.session.scalars(select(Referral)).one()
    assert f"SP-{referral.id}" in response.get_data(as_text=True)
    assert referral.referring_organisation_id == world["practice"].id
    assert sorted(r.code for r in referral.reasons) == ["bereavement", "loneliness"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"person_agreed": None}, "The person must agree to be referred"),
        ({"given_name": ""}, "Enter the person&#39;s first name"),
        ({"nhs_number": "1234567890"}, "not a valid NHS number"),
        ({"date_of_birth": "1950-13-45"}, "Enter a real date"),
        ({"email": "not-an-email"}, "Enter an email address like"),
        ({"reasons": [], "reason_text": ""}, "at least one reason"),
        ({"urgency": "yesterday"}, "Not a valid choice"),
    ],
)
def test_gp_form_bad_input_is_explained_and_nothing_saved(app, world, change, message):
    client = as_user(app, world["gp"])
    data = {k: v for k, v in {**GOOD_FORM, **change}.items() if v is not None}
    response = client.post("/referrals/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert count() == 0 and outbox() == []


def test_ask_for_help_works_without_an_account(client):
    data = {
        "given_name": "Sam",
        "family_name": "Jones",
        "email": "sam@example.org",
        "preferred_contact": "email",
        "what_person_wants": "I feel alone",
        "person_agreed": "y",
    }
    response = client.post("/ask-for-help", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/thank-you")
    referral = db.session.scalars(select(Referral)).one()
    assert referral.source.value == "self_referral"
    assert [m.recipient for m in outbox("prescribing.acknowledgement")] == ["sam@example.org"]


def test_ask_for_help_bad_input_and_robots_keep_nothing(client):
    response = client.post(
        "/ask-for-help",
        data={"given_name": "Sam", "family_name": "Jones", "preferred_contact": "email"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tell us a little about what you would like help with" in html
    assert "Please confirm that you are asking for yourself" in html
    no_contact = client.post(
        "/ask-for-help",
        data={
            "given_name": "Sam",
            "family_name": "Jones",
            "preferred_contact": "email",
            "what_person_wants": "Help",
            "person_agreed": "y",
        },
    )
    assert no_contact.status_code == 400 and "one way to reach" in no_contact.get_data(as_text=True)
    robot = client.post(
        "/ask-for-help",
        data={
            "given_name": "Sam",
            "family_name": "Jones",
            "email": "bot@example.org",
            "preferred_contact": "email",
            "what_person_wants": "Buy now",
            "person_agreed": "y",
            "website": "http://spam.example",
        },
    )
    assert robot.status_code == 302
    assert count() == 0 and outbox() == []


@pytest.mark.parametrize(
    "app_config",
    [{**FAST_HASHING, "RATELIMIT_ENABLED": True, "PRESCRIBING_SELF_REFERRAL_LIMIT": "2 per hour"}],
)
def test_ask_for_help_is_rate_limited(client):
    statuses = [client.post("/ask-for-help", data={}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_phone_line_form_for_call_handlers(app, world):
    client = as_user(app, world["call_handler"])
    data = {k: v for k, v in GOOD_FORM.items() if k != "source"}
    assert client.post("/referrals/phone", data=data).status_code == 302
    assert db.session.scalars(select(Referral)).one().source.value == "phone_line"
    assert as_user(app, world["gp"]).get("/referrals/phone").status_code == 403


# --- need to know ---------------------------------------------------------------------------


def test_referrer_sees_own_practice_only_even_by_changing_the_id(app, world, make_user):
    mine = refer(world)
    theirs = db.session.get(Referral, refer(world).id)
    theirs.referring_organisation_id = world["other_practice"].id
    db.session.commit()
    client = as_user(app, world["gp"])
    listing = client.get("/referrals/mine").get_data(as_text=True)
    assert f"SP-{mine.id}" in listing and f"SP-{theirs.id}" not in listing
    assert client.get(f"/referrals/{mine.id}/status").status_code == 200
    response = client.get(f"/referrals/{theirs.id}/status")
    assert response.status_code == 404
    assert "Lovelace" not in response.get_data(as_text=True)
    assert client.get(f"/referrals/{mine.id}").status_code == 403  # no case page for referrers
    assert "referral.view_denied" in audit_actions(actor_id=world["gp"].id)


def test_coordinator_sees_only_their_team(app, world):
    referral = refer(world)
    casework.assign(world["lead"], referral, world["coordinator"].id)
    assert as_user(app, world["coordinator"]).get(f"/referrals/{referral.id}").status_code == 200
    other = as_user(app, world["other_coordinator"])
    assert other.get(f"/referrals/{referral.id}").status_code == 404
    assert (
        other.post(
            f"/referrals/{referral.id}/contact",
            data={"contact-method": "phone", "contact-outcome": "spoke"},
        ).status_code
        == 404
    )
    assert db.session.get(Referral, referral.id).contact_attempts == []
    assert f"SP-{referral.id}" not in other.get("/caseload?list=team").get_data(as_text=True)


def test_manager_sees_figures_but_never_a_case(app, world):
    referral = refer(world)
    client = as_user(app, world["manager"])
    assert client.get(f"/referrals/{referral.id}").status_code == 403
    assert client.get(f"/referrals/{referral.id}/status").status_code == 403
    assert client.get("/caseload").status_code == 403
    html = client.get("/staff/prescribing/figures").get_data(as_text=True)
    assert "Lovelace" not in html and "fewer than 5" in html


def test_case_page_view_is_audited(app, world):
    referral = refer(world)
    casework.assign(world["lead"], referral, world["coordinator"].id)
    as_user(app, world["coordinator"]).get(f"/referrals/{referral.id}")
    assert "referral.view" in audit_actions(subject_id=str(referral.id))


# --- worklists ------------------------------------------------------------------------------


def test_new_referrals_list_puts_urgent_first_then_oldest(app, world):
    made = []
    for days_ago, urgency in ((3, Urgency.ROUTINE), (10, Urgency.ROUTINE), (1, Urgency.URGENT)):
        referral = refer(world, urgency=urgency)
        referral.received_at = datetime.now(UTC) - timedelta(days=days_ago)
        made.append(referral)
    db.session.commit()
    html = as_user(app, world["lead"]).get("/caseload?list=new").get_data(as_text=True)
    positions = [html.index(f">SP-{r.id}<") for r in made]
    assert positions[2] < positions[1] < positions[0]
    assert "worklist.view" in audit_actions(actor_id=world["lead"].id)


def test_due_and_overdue_follow_ups_lists(app, world):
    referral = refer(world)
    casework.assign(world["lead"], referral, world["coordinator"].id)
    referral.received_at = datetime.now(UTC) - timedelta(days=60)
    db.session.commit()
    converse(world, referral, held_on=date.today() - timedelta(days=30))
    client = as_user(app, world["coordinator"])
    overdue = client.get("/caseload?list=overdue").get_data(as_text=True)
    assert "Three-week phone check" in overdue and "overdue" in overdue
    assert "Six-week review" not in overdue
    assert "Three-week phone check" not in client.get("/caseload?list=due").get_data(as_text=True)
    review = db.session.scalars(select(FollowUp).where(FollowUp.cycle == 1)).all()[1]
    review.due_on = date.today()
    review.window_closes = date.today() + timedelta(days=5)
    db.session.commit()
    assert "Six-week review" in client.get("/caseload?list=due").get_data(as_text=True)
    mine = client.get("/caseload?list=mine").get_data(as_text=True)
    assert f"SP-{referral.id}" in mine


# --- the case page's forms: bad input changes nothing ---------------------------------------


@pytest.fixture
def case(world):
    referral = refer(world)
    casework.assign(world["lead"], referral, world["coordinator"].id)
    return referral


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("contact", {"contact-method": "owl", "contact-outcome": "spoke"}, "Not a valid choice"),
        ("state", {"state-target": "closed"}, "Not a valid choice"),
        ("state", {"state-target": "unable_to_contact"}, "cannot be marked unable to contact"),
        ("close", {"close-outcome": ""}, "Choose an outcome"),
        ("close", {"close-outcome": "goals_met"}, "cannot be marked closed"),
        (
            "onward",
            {"onward-kind": "adult_safeguarding", "onward-notes": ""},
            "Describe the safeguarding",
        ),
        ("assign", {"assign-coordinator_id": "999999"}, "Choose an active coordinator"),
    ],
)
def test_case_forms_explain_bad_input_and_change_nothing(app, world, case, path, data, message):
    client = as_user(app, world["coordinator"])
    response = client.post(f"/referrals/{case.id}/{path}", data=data)
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    fresh = db.session.get(Referral, case.id)
    assert fresh.state is S.RECEIVED and fresh.contact_attempts == []
    assert fresh.onward_referrals == [] and not fresh.safeguarding_flag
    assert len(fresh.state_changes) == 1 and fresh.coordinator_id == world["coordinator"].id


def test_unable_to_contact_from_the_page_needs_enough_attempts(app, world, case):
    client = as_user(app, world["coordinator"])
    client.post(
        f"/referrals/{case.id}/contact",
        data={"contact-method": "phone", "contact-outcome": "no_answer"},
    )
    response = client.post(
        f"/referrals/{case.id}/state", data={"state-target": "unable_to_contact"}
    )
    assert response.status_code == 400
    assert "at least 3 attempts over at least 14 days (so far: 1 over 0 days)" in (
        response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.get(Referral, case.id).state is S.CONTACTING


def _conversation_form(**kw: Any) -> dict[str, Any]:
    data = {
        "held_on": date.today().isoformat(),
        "what_matters": "My garden",
        "goal_1": "Join a gardening club",
        "needs": ["Feeling positive"],
    }
    data.update({f"swemwbs_{i}": str(v) for i, v in enumerate(ALL_FOUR, start=1)})
    data.update(kw)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"swemwbs_3": ""}, "Answer all seven wellbeing statements"),
        ({"held_on": "soon"}, "Enter a real date"),
        ({"what_matters": ""}, "Write down what matters"),
        ({"consent_to_share": "y", "share_with": ""}, "Say who the person agreed"),
        ({"swemwbs_1": "9"}, "Not a valid choice"),
    ],
)
def test_conversation_form_bad_input(app, world, case, change, message):
    client = as_user(app, world["coordinator"])
    response = client.post(f"/referrals/{case.id}/conversation", data=_conversation_form(**change))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    db.session.expire_all()
    assert db.session.get(Referral, case.id).state is S.RECEIVED


def test_conversation_form_then_follow_up_forms(app, world, case):
    client = as_user(app, world["coordinator"])
    page = client.get(f"/referrals/{case.id}/conversation").get_data(as_text=True)
    assert "SWEMWBS © NHS Health Scotland" in page
    assert (
        client.post(f"/referrals/{case.id}/conversation", data=_conversation_form()).status_code
        == 302
    )
    check, review = db.session.get(Referral, case.id).follow_ups
    bad = client.post(
        f"/referrals/{case.id}/follow-ups/{check.id}",
        data={"done_on": date.today().isoformat(), "progress": ""},
    )
    assert bad.status_code == 400 and "how the person is getting on" in bad.get_data(as_text=True)
    assert (
        client.post(
            f"/referrals/{case.id}/follow-ups/{check.id}",
            data={"done_on": date.today().isoformat(), "progress": "Enjoying it"},
        ).status_code
        == 302
    )
    no_measure = client.post(
        f"/referrals/{case.id}/follow-ups/{review.id}",
        data={"done_on": date.today().isoformat(), "decision": "close", "outcome": "goals_met"},
    )
    assert no_measure.status_code == 400
    assert "Please complete the wellbeing scale" in no_measure.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Referral, case.id).state is S.ENGAGED
    goal = db.session.get(Referral, case.id).goals[0]
    done = client.post(
        f"/referrals/{case.id}/follow-ups/{review.id}",
        data={
            "done_on": date.today().isoformat(),
            "decision": "close",
            "outcome": "goals_met",
            f"goal_{goal.id}": "met",
            **{f"swemwbs_{i}": "5" for i in range(1, 8)},
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Referral, case.id)
    assert fresh.state is S.CLOSED and fresh.goals[0].status == "met"
    status = as_user(app, world["gp"]).get(f"/referrals/{case.id}/status").get_data(as_text=True)
    assert "Goals met" in status and "871731000000106" in status and "35.00" in status


def test_printable_plan_shows_goals_and_next_contact(app, world, case):
    converse(world, case)
    html = (
        as_user(app, world["coordinator"]).get(f"/referrals/{case.id}/plan").get_data(as_text=True)
    )
    assert "Get out of the house twice a week" in html and "A phone call around" in html
    assert "referral.print_plan" in audit_actions(subject_id=str(case.id))


# --- figures --------------------------------------------------------------------------------


def test_figures_are_aggregates_with_small_numbers_suppressed(app, world, make_service):
    service = make_service(name="Lunch Club")
    for n in range(6):
        referral = refer(world)
        casework.assign(world["lead"], referral, world["coordinator"].id)
        referral.received_at = datetime.now(UTC) - timedelta(days=50)
        db.session.commit()
        converse(world, referral, held_on=date.today() - timedelta(days=42))
        support.suggest_service(world["coordinator"], referral, service.id)
        review = referral.follow_ups[1]
        followups.complete_review(
            world["coordinator"],
            referral,
            review.id,
            followups.ReviewDetails(
                done_on=date.today(),
                measures=MeasureAnswers(swemwbs=[4, 4, 4, 4, 4, 4, 4 + (n % 2)]),
                decision="continue",
            ),
        )
    refer(world, reasons=["housing"])  # one referral for housing: suppressed
    html = as_user(app, world["manager"]).get("/staff/prescribing/figures").get_data(as_text=True)
    assert "Loneliness or social isolation</td><td>6" in html
    assert "Housing problems</td><td>fewer than 5" in html
    # baseline raw 25 (22.35) -> raw 28 (25.03) or 29 (26.02): mean change +3.17, n = 6
    assert "+3.17 (n = 6)" in html
    assert "Lunch Club: 6" in html
    bad = as_user(app, world["manager"]).get("/staff/prescribing/figures?from=yesterday")
    assert "Enter a real date, for example 2026-03-27." in bad.get_data(as_text=True)
