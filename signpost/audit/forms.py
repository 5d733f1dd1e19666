"""The audit search form (a GET form: it changes nothing, so it needs no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Optional, Regexp, ValidationError


class DayField(DateField):
    """A date typed as YYYY-MM-DD, with a plain-English message when it is not one."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(f"Enter the '{self.label.text}' date like 2024-05-31.") from exc


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
    since = DayField(
        "From",
        validators=[Optional()],
        description="For example 2024-05-31",
        render_kw={"placeholder": "YYYY-MM-DD"},
    )
    until = DayField("To", validators=[Optional()], render_kw={"placeholder": "YYYY-MM-DD"})

    def validate_until(self, field: DayField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The 'To' date must be the same as or after the 'From' date.")
