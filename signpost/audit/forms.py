"""The audit search form (a GET form: it changes nothing, so it needs no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional, Regexp, ValidationError

from signpost.forms import DateInput


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(
        "User number",
        validators=[
            Optional(),
            Regexp(r"^[1-9][0-9]{0,9}$", message="Enter a user number, like 42."),
        ],
    )
    action = StringField(
        "Action",
        validators=[
            Optional(),
            Regexp(
                r"^[a-z0-9_.]{1,64}$",
                message="Enter an action name, like sign_in or referral. (ending with a dot finds "
                "every referral action).",
            ),
        ],
    )
    subject_type = StringField(
        "Record type",
        validators=[
            Optional(),
            Regexp(r"^[a-z0-9_]{1,64}$", message="Enter a record type, like referral or person."),
        ],
    )
    subject_id = StringField(
        "Record number",
        validators=[
            Optional(),
            Regexp(
                r"^[A-Za-z0-9-]{1,64}$",
                message="Enter a record number using only letters, digits and dashes.",
            ),
        ],
    )
    since = DateInput("From", validators=[Optional()])
    until = DateInput("To", validators=[Optional()])

    def validate_until(self, field: DateInput) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The 'To' date must be the same as or after the 'From' date.")
