"""Forms for signing in and managing accounts (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from signpost.accounts.models import Role
from signpost.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from signpost.forms import EmailAddress, MultiCheckboxField, choice

__all__ = ["choice"]  # the admin views build their options with it

# A typing slip is caught here; the real check is that the emailed link arrives.
EMAIL_MESSAGE = "Enter an email address like name@example.org."


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address."), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)]
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[
            DataRequired("Enter the code from your authenticator app, or a recovery code."),
            Length(max=20),
        ],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=f"Your password must be {MIN_LENGTH} to {MAX_LENGTH} characters long.",
            ),
        ],
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("password", "The two passwords are not the same."),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            EmailAddress(EMAIL_MESSAGE),
            Length(max=254),
        ],
    )


class ConfirmForm(FlaskForm):
    """A button with nothing but the CSRF token (sign out, disable, reset two-factor...)."""


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None


def _optional_str(value: object) -> str | None:
    return str(value) if value not in (None, "", "None") else None


class UserForm(FlaskForm):
    """Invite or edit a user; the choices for the links are filled in by the view."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter the person's email address."),
            EmailAddress(EMAIL_MESSAGE),
            Length(max=254),
        ],
    )
    name = StringField(
        "Name", validators=[DataRequired("Enter the person's name."), Length(max=200)]
    )
    roles = MultiCheckboxField(
        "Roles",
        choices=[choice(r.value, r.label) for r in Role],
        validators=[DataRequired("Choose at least one role.")],
    )
    team_id = SelectField("Team (coordinators)", coerce=_optional_int, validate_choice=True)
    referring_organisation_id = SelectField(
        "Practice or referring organisation (referrers)", coerce=_optional_int
    )
    organization_id = SelectField("Directory organisation (providers)", coerce=_optional_str)
    active = BooleanField("Account can sign in", default=True)
