"""The vocabularies migration keeps every existing row, renames the signpost table to
suggested_service, and from then on the database itself refuses a value outside a vocabulary
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from signpost.extensions import db
from tests.test_migrations import _migrated_app
from tests.test_migrations import empty_database_url as empty_database_url  # noqa: F401 - fixture

NOW = "2026-03-02 10:00:00+00:00"
ROWS = [
    "INSERT INTO organization (id, name, description, created_at, last_modified) "
    f"VALUES ('org-1', 'Lunch Club Trust', '', '{NOW}', '{NOW}')",
    "INSERT INTO service (id, organization_id, name, summary, description, status, is_free, "
    "referral_route, moderation_state, created_at, last_modified) VALUES ('svc-1', 'org-1', "
    f"'Lunch Club', '', '', 'active', true, 'drop_in', 'approved', '{NOW}', '{NOW}')",
    "INSERT INTO person (id, given_name, family_name, preferred_contact, created_at) "
    f"VALUES (1, 'Ada', 'Lovelace', 'text', '{NOW}'), (2, 'Sam', 'Jones', 'pigeon', '{NOW}')",
    "INSERT INTO referral (id, person_id, source, reason_text, what_person_wants, urgency, "
    "person_agreed, state, received_at, safeguarding_flag) VALUES (1, 1, 'gp_practice', '', '', "
    f"'routine', true, 'active', '{NOW}', false)",
    "INSERT INTO goal (id, referral_id, text, status) VALUES (1, 1, 'Walk twice a week', 'met')",
    "INSERT INTO contact_attempt (id, referral_id, at, method, outcome, successful) "
    f"VALUES (1, 1, '{NOW}', 'phone', 'spoke', true)",
    "INSERT INTO signpost (id, referral_id, service_id, status, accompanied_visit, buddy, "
    f"created_at, updated_at) VALUES (7, 1, 'svc-1', 'attending', true, false, '{NOW}', '{NOW}')",
]


def _scalar(sql: str) -> object:
    with db.engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def test_rows_survive_the_upgrade_and_bad_values_are_refused_after_it(
    empty_database_url,  # noqa: F811 - the fixture
    tmp_path,
) -> None:
    app = _migrated_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            for statement in ROWS:
                connection.execute(text(statement))
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert "suggested_service" in tables and "signpost" not in tables
        assert _scalar("SELECT status FROM suggested_service WHERE id = 7") == "attending"
        assert _scalar("SELECT preferred_contact FROM person WHERE id = 1") == "text"
        assert _scalar("SELECT preferred_contact FROM person WHERE id = 2") == "phone"
        assert _scalar("SELECT status FROM goal WHERE id = 1") == "met"
        assert _scalar("SELECT COUNT(*) FROM referral") == 1
        assert _scalar("SELECT outcome FROM contact_attempt WHERE id = 1") == "spoke"
        for bad in (
            "UPDATE goal SET status = 'sort of' WHERE id = 1",
            "UPDATE contact_attempt SET method = 'pigeon' WHERE id = 1",
            "UPDATE contact_attempt SET outcome = 'maybe' WHERE id = 1",
            "UPDATE person SET preferred_contact = 'smoke signal' WHERE id = 1",
            "UPDATE suggested_service SET status = 'loved it' WHERE id = 7",
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(text(bad))
        # New rows carry on numbering after the copied ones.
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO suggested_service (referral_id, service_id, status, "
                    "accompanied_visit, buddy, created_at, updated_at) VALUES (1, 'svc-1', "
                    f"'suggested', false, false, '{NOW}', '{NOW}')"
                )
            )
        assert _scalar("SELECT MAX(id) FROM suggested_service") == 8
        downgrade(revision="0001")
        assert _scalar("SELECT COUNT(*) FROM signpost") == 2
        db.engine.dispose()
