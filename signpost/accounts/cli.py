"""``flask users ...``: create the first admin, list, disable, reset two-factor, teams, practices."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from signpost.accounts import operations
from signpost.accounts.authentication import find_user_by_email
from signpost.accounts.models import Role, User
from signpost.extensions import db

users_cli = AppGroup("users", help="Manage staff accounts.")


def _user_or_fail(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account with the email address {email}.")
    return user


@users_cli.command("create")
@click.option("--email", required=True, help="Their email address (the sign-in name).")
@click.option("--name", required=True, help="Their full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="A role; repeat for several.",
)
@click.option("--team", "team_name", help="Team name (coordinators).")
@click.option("--ods-code", help="ODS code of their practice or organisation (referrers).")
@click.option("--organization-id", help="Directory organisation id (providers).")
@click.password_option(
    "--password",
    prompt="Password (at least 12 characters)",
    help="Prompted for when not given; never shown.",
)
def create_command(
    email: str,
    name: str,
    roles: tuple[str, ...],
    team_name: str | None,
    ods_code: str | None,
    organization_id: str | None,
    password: str,
) -> None:
    """Create an account with a password (use this for the first admin)."""
    from signpost.accounts.models import ReferringOrganisation, Team

    team_id = practice_id = None
    if team_name:
        team = db.session.scalar(db.select(Team).where(Team.name == team_name))
        if team is None:
            raise click.ClickException(f"There is no team called {team_name}.")
        team_id = team.id
    if ods_code:
        practice = db.session.scalar(
            db.select(ReferringOrganisation).where(
                ReferringOrganisation.ods_code == ods_code.strip().upper()
            )
        )
        if practice is None:
            raise click.ClickException(
                f"There is no referring organisation with ODS code {ods_code}."
            )
        practice_id = practice.id
    try:
        user = operations.create_user(
            email,
            name,
            roles,
            actor=None,
            password=password,
            team_id=team_id,
            referring_organisation_id=practice_id,
            organization_id=organization_id,
        )
    except operations.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()  # a command owns its transaction
    click.echo(f"Created account {user.id} for {user.email} ({', '.join(sorted(user.roles))}).")
    if user.mfa_required:
        click.echo("They will be asked to set up two-factor sign-in when they first sign in.")


@users_cli.command("list")
@click.option("--all", "include_disabled", is_flag=True, help="Include disabled accounts.")
def list_command(include_disabled: bool) -> None:
    """List accounts: id, email, roles, two-factor, status."""
    for user in operations.list_users(actor=None, include_disabled=include_disabled):
        status = "active" if user.active else "disabled"
        mfa = "2FA on" if user.mfa_enabled else "2FA off"
        click.echo(f"{user.id}\t{user.email}\t{','.join(sorted(user.roles))}\t{mfa}\t{status}")


@users_cli.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Stop an account signing in (and end its sessions)."""
    user = operations.set_active(_user_or_fail(email), False, actor=None)
    db.session.commit()  # a command owns its transaction
    click.echo(f"Disabled {user.email}.")


@users_cli.command("enable")
@click.argument("email")
def enable_command(email: str) -> None:
    """Let a disabled account sign in again."""
    user = operations.set_active(_user_or_fail(email), True, actor=None)
    db.session.commit()  # a command owns its transaction
    click.echo(f"Enabled {user.email}.")


@users_cli.command("reset-mfa")
@click.argument("email")
def reset_mfa_command(email: str) -> None:
    """Remove two-factor set-up (a lost phone); they set it up again at next sign-in."""
    user = operations.reset_mfa(_user_or_fail(email), actor=None)
    db.session.commit()  # a command owns its transaction
    click.echo(f"Two-factor sign-in reset for {user.email}.")


@users_cli.command("add-team")
@click.argument("name")
def add_team_command(name: str) -> None:
    """Create a team of coordinators."""
    try:
        team = operations.create_team(name, actor=None)
    except operations.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()  # a command owns its transaction
    click.echo(f"Created team {team.id}: {team.name}.")


@users_cli.command("add-practice")
@click.argument("name")
@click.option("--ods-code", help="The practice's ODS code, e.g. A81001.")
@click.option(
    "--kind",
    default="gp_practice",
    show_default=True,
    help="gp_practice, nhs, local_authority, voluntary, other.",
)
def add_practice_command(name: str, ods_code: str | None, kind: str) -> None:
    """Create a referring organisation (a GP practice or another agency)."""
    try:
        org = operations.create_referring_organisation(name, ods_code, actor=None, kind=kind)
    except operations.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()  # a command owns its transaction
    click.echo(f"Created referring organisation {org.id}: {org.name}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
