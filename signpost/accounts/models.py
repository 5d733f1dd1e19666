"""Staff accounts: users, their roles, teams, referring organisations and single-use tokens.

Members of the public never have accounts; every user here is a member of staff or a partner
(a GP practice, a provider) and is held to the same need-to-know rules.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.extensions import db
from signpost.types import UTCDateTime, utcnow, value_enum


class Role(enum.StrEnum):
    CHAMPION = "champion"
    CALL_HANDLER = "call_handler"
    COORDINATOR = "coordinator"
    REFERRER = "referrer"
    EDITOR = "editor"
    PROVIDER = "provider"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CHAMPION: "Community champion (assisted search, no personal data)",
    Role.CALL_HANDLER: "Phone line call handler",
    Role.COORDINATOR: "Link worker / coordinator",
    Role.REFERRER: "Referrer (GP practice or other agency)",
    Role.EDITOR: "Directory editor",
    Role.PROVIDER: "Service provider (their organisation's listings)",
    Role.MANAGER: "Manager (aggregate reports only)",
    Role.ADMIN: "Administrator",
}

# Roles that can reach people's personal data (or manage who can): two-factor sign-in is
# required before any of their pages open.
ROLES_REQUIRING_MFA = frozenset(
    {Role.CALL_HANDLER, Role.COORDINATOR, Role.REFERRER, Role.MANAGER, Role.ADMIN}
)


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    INVITATION = "invitation"


class ReferringOrganisation(db.Model):
    """A GP practice or other agency that refers people (ODS code where it has one)."""

    __tablename__ = "referring_organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    ods_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="gp_practice")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<ReferringOrganisation {self.id} {self.ods_code}>"


class Team(db.Model):
    """A team of coordinators; its lead sees the team's unassigned work as well."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", use_alter=True, ondelete="SET NULL")
    )

    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id], post_update=True)
    members: Mapped[list[User]] = relationship(back_populates="team", foreign_keys="User.team_id")


class User(db.Model):
    """A member of staff or partner who signs in."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # None until an invited user chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last TOTP time-step accepted, so one code cannot be used twice.
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)

    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped to end every session at once ("sign out everywhere", password change).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    referring_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("referring_organisation.id"), index=True
    )
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"), index=True)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    referring_organisation: Mapped[ReferringOrganisation | None] = relationship()
    organization = relationship("Organization")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session holds id and session version, so bumping the version ends old sessions."""
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role | str) -> bool:
        mine = self.roles
        return any(Role(r) in mine for r in roles)

    @property
    def mfa_required(self) -> bool:
        return bool(self.roles & ROLES_REQUIRING_MFA)

    @property
    def needs_mfa_setup(self) -> bool:
        return self.mfa_required and not self.mfa_enabled

    @property
    def leads_team_ids(self) -> set[int]:
        return {t.id for t in db.session.scalars(db.select(Team).where(Team.lead_id == self.id))}

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(value_enum(Role, "role"))

    user: Mapped[User] = relationship(back_populates="role_rows")


class RecoveryCode(db.Model):
    """A one-time code for signing in without the authenticator app (stored hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class AccountToken(db.Model):
    """A single-use, expiring token sent by email (password reset, invitation); stored hashed."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(value_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
