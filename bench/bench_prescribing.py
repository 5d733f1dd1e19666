"""Prescribing benchmark: the coordinators' worklists and the case page with N referrals.

Run from the project root::

    python -m bench.bench_prescribing --referrals 100000 --requests 200 --db-dir /tmp/signpost-bench-sp
    python -m bench.bench_prescribing --database-url postgresql+psycopg://postgres@127.0.0.1:5432/sp_bench

With ``--database-url`` every table in that database is dropped and rebuilt: give it a database of
its own. ``--reuse`` times an already built database again without rebuilding it.

Builds N made-up referrals (bulk inserts) spread over 10 teams of 5 coordinators, with
conversations, follow-ups, contact attempts and state changes in believable proportions, then
times full requests through the app (signed-in coordinator, permission checks, audit writes,
templates): each worklist and the case page. Prints p50/p95/max per page. Target: p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

TARGET_P95_MS = 100.0
TEAMS, PER_TEAM = 10, 5
STATES = (
    ["received"] * 5
    + ["contacting"] * 10
    + ["engaged"] * 10
    + ["active"] * 25
    + ["closed"] * 40
    + ["declined"] * 4
    + ["unable_to_contact"] * 3
    + ["withdrawn"] * 3
)
FIRST = ["Ada", "Sam", "Priya", "Tom", "Mary", "John", "Aisha", "Wei", "Olu", "Kate"]
LAST = ["Lovelace", "Jones", "Patel", "Smith", "Brown", "Khan", "Taylor", "Evans", "Ng", "Hughes"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def make_app(database_url: str, folder: Path) -> Any:
    from signpost import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "SECRET_KEY": "benchmark-only-" + "x" * 32,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
        }
    )


def build(n: int, seed: int = 6) -> dict[str, Any]:
    """Insert the users and N referrals with everything hanging off them; return who is who."""
    from sqlalchemy import insert

    from prescribing.models import (
        ContactAttempt,
        Conversation,
        FollowUp,
        Person,
        Referral,
        ReferralReason,
        StateChange,
    )
    from prescribing.reasons import REFERRAL_REASONS
    from signpost.accounts import totp
    from signpost.accounts.models import ReferringOrganisation, Team, User, UserRole
    from signpost.extensions import db

    rng = random.Random(seed)
    practices = [
        ReferringOrganisation(name=f"Practice {i}", ods_code=f"B{i:05d}") for i in range(40)
    ]
    db.session.add_all(practices)
    teams = [Team(name=f"Team {i}") for i in range(TEAMS)]
    db.session.add_all(teams)
    db.session.flush()
    coordinators: list[User] = []
    for team in teams:
        for j in range(PER_TEAM):
            user = User(
                email=f"c{team.id}-{j}@example.org",
                name=f"Coordinator {team.id}.{j}",
                team_id=team.id,
                mfa_secret=totp.new_secret(),
                mfa_enabled=True,
                active=True,
                session_version=1,
                failed_attempts=0,
            )
            user.role_rows = [UserRole(role="coordinator")]
            coordinators.append(user)
    db.session.add_all(coordinators)
    db.session.flush()
    for team in teams:
        team.lead_id = next(c.id for c in coordinators if c.team_id == team.id)
    db.session.commit()

    today = date.today()
    now = datetime.now(UTC)
    reasons = list(REFERRAL_REASONS)
    people, referrals, reason_rows, changes, attempts, conversations, follow_ups = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for i in range(1, n + 1):
        state = rng.choice(STATES)
        received = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
        coordinator = (
            rng.choice(coordinators) if state != "received" or rng.random() < 0.5 else None
        )
        people.append(
            {
                "id": i,
                "given_name": rng.choice(FIRST),
                "family_name": rng.choice(LAST),
                "date_of_birth": date(1930 + i % 70, 1 + i % 12, 1 + i % 28),
                "postcode": f"PE{30 + i % 10} {i % 9}AB",
                "preferred_contact": "phone",
                "phone": "01632 960 000",
                "created_at": received,
            }
        )
        engaged = state in ("engaged", "active", "closed")
        referrals.append(
            {
                "id": i,
                "person_id": i,
                "source": "gp_practice",
                "referring_organisation_id": practices[i % len(practices)].id,
                "reason_text": "",
                "what_person_wants": "Company",
                "person_agreed": True,
                "urgency": "urgent" if rng.random() < 0.1 else "routine",
                "state": state,
                "team_id": coordinator.team_id if coordinator else None,
                "coordinator_id": coordinator.id if coordinator else None,
                "received_at": received,
                "first_contact_at": received + timedelta(days=3) if engaged else None,
                "closed_at": received + timedelta(days=60)
                if state not in ("received", "contacting", "engaged", "active")
                else None,
                "safeguarding_flag": False,
            }
        )
        reason_rows.append({"referral_id": i, "code": rng.choice(reasons)})
        changes.append(
            {"referral_id": i, "from_state": None, "to_state": "received", "at": received}
        )
        if state != "received":
            attempts.append(
                {
                    "referral_id": i,
                    "at": received + timedelta(days=1),
                    "method": "phone",
                    "outcome": "spoke" if engaged else "no_answer",
                    "successful": engaged,
                }
            )
            changes.append(
                {
                    "referral_id": i,
                    "from_state": "received",
                    "to_state": state,
                    "at": received + timedelta(days=2),
                    "by_user_id": coordinator.id if coordinator else None,
                }
            )
        if engaged:
            held = min(today, (received + timedelta(days=5)).date())
            if state in ("engaged", "active"):  # open cases: conversations recent enough to matter
                held = today - timedelta(days=rng.randint(0, 60))
            conversations.append(
                {
                    "referral_id": i,
                    "held_on": held,
                    "consent_to_share": True,
                    "what_matters": "Getting out more",
                    "needs": ["Lifestyle"],
                }
            )
            for kind, offset in (("three_week_check", 21), ("six_week_review", 42)):
                due = held + timedelta(days=offset)
                done = due if (state == "closed" or due < today - timedelta(days=10)) else None
                follow_ups.append(
                    {
                        "referral_id": i,
                        "kind": kind,
                        "cycle": 1,
                        "due_on": due,
                        "window_opens": due - timedelta(days=2),
                        "window_closes": due + timedelta(days=5),
                        "done_on": done,
                        # the app keeps this copy of the referral's team in step
                        "team_id": referrals[-1]["team_id"],
                    }
                )
    for model, rows in (
        (Person, people),
        (Referral, referrals),
        (ReferralReason, reason_rows),
        (StateChange, changes),
        (ContactAttempt, attempts),
        (Conversation, conversations),
        (FollowUp, follow_ups),
    ):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start : start + 5000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # what autovacuum does on a live server
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
    return who_is_who()


def who_is_who() -> dict[str, Any]:
    """The coordinators and team leads of a built database."""
    from sqlalchemy import select

    from signpost.accounts.models import Team, User
    from signpost.extensions import db

    return {
        "coordinators": list(db.session.scalars(select(User.id).where(User.team_id.is_not(None)))),
        "leads": list(db.session.scalars(select(Team.lead_id).order_by(Team.id))),
    }


def time_pages(
    app: Any, who: dict[str, Any], requests: int, seed: int = 7
) -> dict[str, list[float]]:
    """Time each page through the test client as a signed-in coordinator (a team lead)."""
    from sqlalchemy import select

    from prescribing.models import Referral
    from signpost.accounts import IDLE_KEY
    from signpost.accounts.models import User
    from signpost.extensions import db

    rng = random.Random(seed)
    lead = db.session.get(User, who["leads"][0])
    team_cases = list(
        db.session.scalars(select(Referral.id).where(Referral.team_id == lead.team_id))
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = lead.get_id()
        session["_fresh"] = True
        session[IDLE_KEY] = int(time.time())
    pages = {
        f"worklist {name}": f"/caseload?list={name}"
        for name in ("new", "due", "overdue", "mine", "team")
    }
    timings: dict[str, list[float]] = {name: [] for name in [*pages, "case page"]}
    for _ in range(3):  # warm caches and templates
        for url in pages.values():
            client.get(url)
    for i in range(requests):
        for name, url in pages.items():
            if i % len(pages) == list(pages).index(name) or requests <= 50:
                started = time.perf_counter()
                response = client.get(url)
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
        case_id = rng.choice(team_cases)
        started = time.perf_counter()
        response = client.get(f"/referrals/{case_id}")
        timings["case page"].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (case_id, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        help="case page requests (each worklist gets about a fifth as many)",
    )
    parser.add_argument(
        "--db-dir",
        default="/tmp/signpost-bench-prescribing",
        help="folder for the SQLite file and search index",
    )
    parser.add_argument("--database-url", help="a database of its own (all its tables are dropped)")
    parser.add_argument("--reuse", action="store_true", help="time an already built database")
    args = parser.parse_args()

    from signpost.extensions import db

    folder = Path(args.db_dir)
    if not args.reuse:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    app = make_app(args.database_url or f"sqlite:///{folder / 'bench.db'}", folder)
    with app.app_context():
        print(f"database: {db.engine.dialect.name}")
        if args.reuse:
            who = who_is_who()
        else:
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            who = build(args.referrals)
            print(f"built {args.referrals:,} referrals in {time.perf_counter() - started:.1f} s")
        timings = time_pages(app, who, args.requests)
    print(
        f"{'page':<20} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95 <= "
        f"{TARGET_P95_MS:.0f} ms"
    )
    worst = 0.0
    for name, values in timings.items():
        p95 = percentile(values, 95)
        worst = max(worst, p95)
        print(
            f"{name:<20} {len(values):>5} {statistics.median(values):>8.1f} {p95:>8.1f} "
            f"{max(values):>8.1f}  {'ok' if p95 <= TARGET_P95_MS else 'SLOW'}"
        )
    print(
        f"worst p95: {worst:.1f} ms ({'meets' if worst <= TARGET_P95_MS else 'misses'} the target)"
    )


if __name__ == "__main__":
    main()
