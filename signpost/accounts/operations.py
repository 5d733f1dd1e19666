"""Managing staff accounts: create, invite, change roles, disable, passwords, two-factor set-up.

``actor`` is the signed-in user doing the work; ``None`` means the trusted command line
(``flask users ...``). Every change is checked with ``signpost.permissions.require`` and
written to the audit log in the same transaction. Nothing here commits: the request (or the
command) does, and a change that fails is rolled back by ``@operation``.
"""

from __future__ import annotations

from collections.abc import Iterable

from signpost.accounts import passwords, totp
from signpost.accounts.authentication import find_user_by_email, normalise_email
from signpost.accounts.models import (
    RecoveryCode,
    ReferringOrganisation,
    Role,
    Team,
    User,
    UserRole,
)
from signpost.audit import record_event
from signpost.contact_details import is_email_address
from signpost.extensions import db
from signpost.permissions import ACCOUNT_USE, USERS_MANAGE, require
from signpost.unit_of_work import operation


class AccountError(ValueError):
    """A request about an account cannot be carried out; the message says why."""


def require_manager(actor: User | None) -> int | None:
    if actor is not None:
        require(actor, USERS_MANAGE)
        return actor.id
    return None


def _parse_roles(roles: Iterable[str]) -> set[Role]:
    chosen = set()
    for role in roles:
        try:
            chosen.add(Role(role))
        except ValueError:
            raise AccountError(
                f"{role!r} is not a role. Choose from: " + ", ".join(r.value for r in Role) + "."
            ) from None
    return chosen


def _check_links(
    roles: set[Role],
    *,
    team_id: int | None,
    referring_organisation_id: int | None,
    organization_id: str | None,
) -> None:
    if Role.REFERRER in roles and referring_organisation_id is None:
        raise AccountError("A referrer must be linked to their practice or organisation.")
    if Role.PROVIDER in roles and organization_id is None:
        raise AccountError("A provider must be linked to their organisation in the directory.")
    if Role.COORDINATOR in roles and team_id is None:
        raise AccountError("A coordinator must belong to a team.")
    if team_id is not None and db.session.get(Team, team_id) is None:
        raise AccountError("That team does not exist.")
    if (
        referring_organisation_id is not None
        and db.session.get(ReferringOrganisation, referring_organisation_id) is None
    ):
        raise AccountError("That referring organisation does not exist.")
    if organization_id is not None:
        from directory.models import Organization

        if db.session.get(Organization, organization_id) is None:
            raise AccountError("That organisation is not in the directory.")


@operation
def create_user(
    email: str,
    name: str,
    roles: Iterable[str],
    *,
    actor: User | None,
    password: str | None = None,
    team_id: int | None = None,
    referring_organisation_id: int | None = None,
    organization_id: str | None = None,
) -> User:
    """Create an account (without a password it can only be used through an invitation).

    Raises:
        PermissionDenied: the actor may not manage users.
        AccountError: bad email, duplicate email, unknown role, missing link, weak password.
    """
    actor_id = require_manager(actor)
    email = normalise_email(email)
    name = (name or "").strip()
    if not is_email_address(email):
        raise AccountError("Enter a valid email address, like name@example.org.")
    if not name:
        raise AccountError("Enter the person's name.")
    if find_user_by_email(email) is not None:
        raise AccountError("There is already an account with that email address.")
    chosen = _parse_roles(roles)
    if not chosen:
        raise AccountError("Choose at least one role.")
    _check_links(
        chosen,
        team_id=team_id,
        referring_organisation_id=referring_organisation_id,
        organization_id=organization_id,
    )
    user = User(
        email=email,
        name=name,
        team_id=team_id,
        organization_id=organization_id,
        referring_organisation_id=referring_organisation_id,
        active=True,
        session_version=1,
        failed_attempts=0,
        mfa_enabled=False,
    )
    if password is not None:
        try:
            passwords.check_password_policy(password, email=email, name=name)
        except passwords.WeakPassword as exc:
            raise AccountError(str(exc)) from None
        user.password_hash = passwords.hash_password(password)
    user.role_rows = [UserRole(role=r) for r in sorted(chosen)]
    db.session.add(user)
    db.session.flush()
    record_event(
        "user.create",
        actor_id=actor_id,
        subject_type="user",
        subject_id=str(user.id),
        detail={"roles": sorted(chosen)},
    )
    return user


def get_user(user_id: int, *, actor: User | None) -> User:
    require_manager(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountError("There is no account with that number.")
    return user


def list_users(*, actor: User | None, include_disabled: bool = True) -> list[User]:
    require_manager(actor)
    query = db.select(User).order_by(User.name, User.id)
    if not include_disabled:
        query = query.where(User.active.is_(True))
    return list(db.session.scalars(query))


@operation
def update_user(
    user: User,
    *,
    actor: User | None,
    name: str,
    roles: Iterable[str],
    team_id: int | None,
    referring_organisation_id: int | None,
    organization_id: str | None,
) -> User:
    """Change a user's name, roles and links; a role change is audited with before and after."""
    actor_id = require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise AccountError("Enter the person's name.")
    chosen = _parse_roles(roles)
    if not chosen:
        raise AccountError("Choose at least one role.")
    _check_links(
        chosen,
        team_id=team_id,
        referring_organisation_id=referring_organisation_id,
        organization_id=organization_id,
    )
    before = set(user.roles)
    if actor is not None and user.id == actor.id and Role.ADMIN in before - chosen:
        raise AccountError("You cannot remove your own administrator role.")
    user.name = name
    user.team_id = team_id
    user.referring_organisation_id = referring_organisation_id
    user.organization_id = organization_id
    if chosen != before:
        user.role_rows = [row for row in user.role_rows if Role(row.role) in chosen] + [
            UserRole(role=r) for r in sorted(chosen - before)
        ]
        # New powers take effect on the next request; removing some ends open sessions.
        if before - chosen:
            user.session_version += 1
        record_event(
            "user.roles_change",
            actor_id=actor_id,
            subject_type="user",
            subject_id=str(user.id),
            detail={"before": sorted(before), "after": sorted(chosen)},
        )
    record_event("user.update", actor_id=actor_id, subject_type="user", subject_id=str(user.id))
    return user


@operation
def set_active(user: User, active: bool, *, actor: User | None) -> User:
    """Disable (ending every session at once) or re-enable an account."""
    actor_id = require_manager(actor)
    if not active and actor is not None and actor.id == user.id:
        raise AccountError("You cannot disable your own account.")
    if user.active == active:
        return user
    user.active = active
    user.session_version += 1
    record_event(
        "user.enable" if active else "user.disable",
        actor_id=actor_id,
        subject_type="user",
        subject_id=str(user.id),
    )
    return user


@operation
def reset_mfa(user: User, *, actor: User | None) -> User:
    """Remove two-factor set-up (a lost phone): they set it up again at next sign-in."""
    actor_id = require_manager(actor)
    user.mfa_secret = None
    user.mfa_enabled = False
    user.mfa_last_step = None
    user.recovery_codes = []
    user.session_version += 1
    record_event("mfa.reset", actor_id=actor_id, subject_type="user", subject_id=str(user.id))
    return user


# --- Passwords -----------------------------------------------------------------------------


@operation
def change_password(user: User, current: str, new: str, *, actor: User) -> None:
    """The user changes their own password; other sessions end."""
    require(actor, ACCOUNT_USE, user)
    if not passwords.verify_password(user.password_hash, current):
        raise AccountError("Your current password is not right.")
    apply_new_password(user, new)
    record_event("password.change", actor_id=actor.id, subject_type="user", subject_id=str(user.id))


def apply_new_password(user: User, new: str) -> None:
    try:
        passwords.check_password_policy(new, email=user.email, name=user.name)
    except passwords.WeakPassword as exc:
        raise AccountError(str(exc)) from None
    user.password_hash = passwords.hash_password(new)
    user.failed_attempts = 0
    user.locked_until = None
    user.session_version += 1


# --- Two-factor set-up ---------------------------------------------------------------------


@operation
def begin_mfa_setup(user: User) -> str:
    """The secret for the user to add to their authenticator (kept until they confirm a code).

    It is stored on the account, not in the browser's cookie, and is not used for signing in
    until ``confirm_mfa_setup`` succeeds.
    """
    if user.mfa_enabled:
        raise AccountError("Two-factor sign-in is already set up on this account.")
    if not user.mfa_secret:
        user.mfa_secret = totp.new_secret()
    return user.mfa_secret


@operation
def confirm_mfa_setup(user: User, code: str, *, at: float | None = None) -> list[str]:
    """Turn two-factor sign-in on once the user proves their app works; return recovery codes."""
    if user.mfa_enabled:
        raise AccountError("Two-factor sign-in is already set up on this account.")
    step = totp.matching_step(user.mfa_secret, code, at=at) if user.mfa_secret else None
    if step is None:
        raise AccountError(
            "That code is not right. Check the time on your phone is correct "
            "and enter the 6-digit code your app shows now."
        )
    user.mfa_enabled = True
    user.mfa_last_step = step
    codes = _replace_recovery_codes(user)
    record_event("mfa.enable", actor_id=user.id, subject_type="user", subject_id=str(user.id))
    return codes


@operation
def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not user.mfa_enabled:
        raise AccountError("Set up two-factor sign-in first.")
    codes = _replace_recovery_codes(user)
    record_event(
        "mfa.recovery_codes_regenerate",
        actor_id=user.id,
        subject_type="user",
        subject_id=str(user.id),
    )
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    codes = totp.new_recovery_codes()
    user.recovery_codes = [RecoveryCode(code_hash=totp.hash_recovery_code(c)) for c in codes]
    return codes


# --- Teams and referring organisations -----------------------------------------------------


@operation
def create_team(name: str, *, actor: User | None, lead: User | None = None) -> Team:
    actor_id = require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise AccountError("Enter the team's name.")
    if db.session.scalar(db.select(Team).where(Team.name == name)) is not None:
        raise AccountError("There is already a team with that name.")
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    if lead is not None:
        team.lead_id = lead.id
        lead.team_id = team.id
    record_event("team.create", actor_id=actor_id, subject_type="team", subject_id=str(team.id))
    return team


@operation
def set_team_lead(team: Team, lead: User | None, *, actor: User | None) -> Team:
    actor_id = require_manager(actor)
    if lead is not None and lead.team_id != team.id:
        raise AccountError("The team lead must be a member of the team.")
    team.lead_id = lead.id if lead else None
    record_event(
        "team.lead_change",
        actor_id=actor_id,
        subject_type="team",
        subject_id=str(team.id),
        detail={"lead_id": team.lead_id},
    )
    return team


@operation
def create_referring_organisation(
    name: str, ods_code: str | None, *, actor: User | None, kind: str = "gp_practice"
) -> ReferringOrganisation:
    actor_id = require_manager(actor)
    name = (name or "").strip()
    code = (ods_code or "").strip().upper() or None
    if not name:
        raise AccountError("Enter the organisation's name.")
    if code is not None and not (code.isalnum() and 3 <= len(code) <= 12):
        raise AccountError("An ODS code is 3 to 12 letters and numbers, like A81001.")
    if (
        code
        and db.session.scalar(
            db.select(ReferringOrganisation).where(ReferringOrganisation.ods_code == code)
        )
        is not None
    ):
        raise AccountError("There is already an organisation with that ODS code.")
    org = ReferringOrganisation(name=name, ods_code=code, kind=kind, active=True)
    db.session.add(org)
    db.session.flush()
    record_event(
        "referring_organisation.create",
        actor_id=actor_id,
        subject_type="referring_organisation",
        subject_id=str(org.id),
    )
    return org


def list_teams() -> list[Team]:
    return list(db.session.scalars(db.select(Team).order_by(Team.name)))


def list_referring_organisations() -> list[ReferringOrganisation]:
    return list(
        db.session.scalars(db.select(ReferringOrganisation).order_by(ReferringOrganisation.name))
    )
