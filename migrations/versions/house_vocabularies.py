"""Vocabularies checked by the database; the signpost table becomes suggested_service

Goal status, contact attempt method and outcome, and a person's preferred contact get CHECK
constraints listing their values (prescribing/vocabulary.py). The ``signpost`` table, named like
the project, becomes ``suggested_service`` (a directory service suggested to the person) with a
CHECK on its status. Existing rows are kept: values outside a list where there is an obvious
default (preferred contact: phone; goal: still open) are set to it first; any other value
outside its list stops the upgrade with the database's error rather than being rewritten.

On SQLite a CHECK can only be added by rebuilding the table. ``person`` is referenced by
referrals, so its rebuild runs with foreign keys off (SQLite's DROP TABLE would otherwise count
the referencing rows as broken, and deferring does not forgive them once the new table takes its
place), followed by ``PRAGMA foreign_key_check``, as SQLite's own procedure for altering a table
says. The pragma works only outside a transaction, so the work before it is committed first;
SQLite migrations are not transactional anyway.

Revision ID: house_vocabularies
Revises: 0001
"""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

revision = "house_vocabularies"
down_revision = "0001"
branch_labels = None
depends_on = None

GOAL_STATUSES = ("open", "met", "partly", "not_met")
CONTACT_METHODS = ("phone", "text", "email", "letter", "visit")
CONTACT_OUTCOMES = ("spoke", "no_answer", "left_message", "wrong_number", "sent")
CONTACT_PREFERENCES = ("phone", "text", "email", "letter")
SUGGESTION_STATUSES = ("suggested", "contacted", "attending", "not_taken_up")
SUGGESTION_COLUMNS = (
    "id, referral_id, service_id, status, not_taken_up_reason, accompanied_visit, buddy, "
    "created_at, updated_at"
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _suggestion_table(name: str, status_type: sa.types.TypeEngine) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("status", status_type, nullable=False),
        sa.Column("not_taken_up_reason", sa.Text(), nullable=True),
        sa.Column("accompanied_visit", sa.Boolean(), nullable=False),
        sa.Column("buddy", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f(f"fk_{name}_referral_id_referral"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f(f"fk_{name}_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_referral_id"), ["referral_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{name}_service_id"), ["service_id"], unique=False)


def _move_rows(source: str, target: str) -> None:
    op.execute(
        f"INSERT INTO {target} ({SUGGESTION_COLUMNS}) SELECT {SUGGESTION_COLUMNS} FROM {source}"
    )
    op.drop_table(source)
    if op.get_context().dialect.name == "postgresql":  # carry on numbering after the copied ids
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{target}', 'id'), "
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {target}"
        )


@contextmanager
def _foreign_keys_off_on_sqlite() -> Iterator[None]:
    if op.get_context().dialect.name != "sqlite":
        yield
        return
    driver = op.get_bind().connection.driver_connection
    driver.commit()
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"Rebuilding a table left broken references: {broken[:5]}")
        driver.commit()
    finally:
        driver.execute("PRAGMA foreign_keys = ON")


def upgrade():
    op.execute(
        f"UPDATE person SET preferred_contact = 'phone' "
        f"WHERE NOT ({_in('preferred_contact', CONTACT_PREFERENCES)})"
    )
    op.execute(f"UPDATE goal SET status = 'open' WHERE NOT ({_in('status', GOAL_STATUSES)})")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_goal_goal_status"), _in("status", GOAL_STATUSES))
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_contact_attempt_contact_method"), _in("method", CONTACT_METHODS)
        )
        batch_op.create_check_constraint(
            op.f("ck_contact_attempt_contact_outcome"), _in("outcome", CONTACT_OUTCOMES)
        )
    with _foreign_keys_off_on_sqlite(), op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_person_contact_preference"),
            _in("preferred_contact", CONTACT_PREFERENCES),
        )

    _suggestion_table(
        "suggested_service",
        sa.Enum(
            *SUGGESTION_STATUSES,
            name="suggestion_status",
            native_enum=False,
            length=32,
            create_constraint=True,
        ),
    )
    _move_rows("signpost", "suggested_service")


def downgrade():
    _suggestion_table(
        "signpost",
        sa.Enum(*SUGGESTION_STATUSES, name="signpost_status", native_enum=False, length=32),
    )
    _move_rows("suggested_service", "signpost")
    with _foreign_keys_off_on_sqlite(), op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_person_contact_preference"), type_="check")
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contact_attempt_contact_outcome"), type_="check")
        batch_op.drop_constraint(op.f("ck_contact_attempt_contact_method"), type_="check")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_goal_goal_status"), type_="check")
