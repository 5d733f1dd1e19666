"""Forms for the social prescribing pages (Flask-WTF: CSRF on, plain-English messages)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from prescribing.casework import CONTACT_METHODS, CONTACT_OUTCOMES
from prescribing.followups import GOAL_STATUSES, ONWARD_LABELS, OUTCOME_LABELS, SIGNPOST_LABELS
from prescribing.measures import (
    DEFAULT_PROFILE_AREAS,
    ONS4_QUESTIONS,
    SWEMWBS_ANSWERS,
    SWEMWBS_ITEMS,
)
from prescribing.models import ReferralSource
from prescribing.operations import CONTACT_PREFERENCES
from prescribing.reasons import REFERRAL_REASONS

try:  # WTForms 3.3+ wants SelectChoice; tuples are deprecated there
    from wtforms.fields.choices import SelectChoice as _SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    _SelectChoice = None


def choices_of(pairs: Any) -> list[Any]:
    """(value, label) pairs as the choices this WTForms version wants."""
    return [
        _SelectChoice(str(v), label) if _SelectChoice else (str(v), label) for v, label in pairs
    ]


TEXT = Length(max=5000, message="Please keep this to 5,000 characters or fewer.")
EMAIL = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    message="Enter an email address like name@example.com, or leave it empty.",
)


class DateInput(DateField):
    """A date box whose error says what to type."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, for example 2026-03-27.") from None


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(mapping: dict[Any, str]) -> list[tuple[str, str]]:
    return [(str(key), label) for key, label in mapping.items()]


class PersonFields(FlaskForm):
    given_name = StringField(
        "First name",
        validators=[DataRequired(message="Enter the person's first name."), Length(max=100)],
    )
    family_name = StringField(
        "Last name",
        validators=[DataRequired(message="Enter the person's last name."), Length(max=100)],
    )
    date_of_birth = DateInput("Date of birth (optional)", validators=[Optional()])
    postcode = StringField(
        "Postcode",
        validators=[
            Optional(),
            Length(max=8, message=("A postcode has at most 8 characters, for example PE30 1EX.")),
        ],
    )
    phone = StringField("Phone number", validators=[Optional(), Length(max=40)])
    email = EmailField("Email address", validators=[Optional(), EMAIL, Length(max=254)])
    preferred_contact = RadioField(
        "How would they like to be contacted?",
        choices=choices_of(_choices(CONTACT_PREFERENCES)),
        default="phone",
        validators=[InputRequired(message=("Choose how the person would like to be contacted."))],
    )
    contact_notes = StringField(
        "Best times or other contact notes (optional)", validators=[Optional(), Length(max=500)]
    )


class ReferralForm(PersonFields):
    """The GP or agency referral form (and the phone line's)."""

    nhs_number = StringField("NHS number (optional)", validators=[Optional(), Length(max=20)])
    source = SelectField(
        "Referred from",
        choices=choices_of(
            [
                (s.value, s.value.replace("_", " ").capitalize())
                for s in ReferralSource
                if s not in (ReferralSource.SELF_REFERRAL, ReferralSource.PHONE_LINE)
            ]
        ),
        default=ReferralSource.GP_PRACTICE.value,
    )
    reasons = MultiCheckbox(
        "Reasons for the referral", choices=choices_of(_choices(REFERRAL_REASONS))
    )
    reason_text = TextAreaField("Anything more about why (optional)", validators=[Optional(), TEXT])
    what_person_wants = TextAreaField(
        "What the person would like help with", validators=[Optional(), TEXT]
    )
    urgency = RadioField(
        "How soon should we make contact?",
        choices=choices_of(
            [
                ("routine", "Routine (within two weeks)"),
                ("urgent", "Urgent (within two working days)"),
            ]
        ),
        default="routine",
        validators=[InputRequired(message=("Choose how soon we should make contact."))],
    )
    risks = TextAreaField(
        "Risks for a worker visiting or calling (optional)", validators=[Optional(), TEXT]
    )
    person_agreed = BooleanField(
        "The person agreed to be referred to social prescribing",
        validators=[
            DataRequired(
                message=(
                    "The person must agree to be referred. Please check with "
                    "them first and tick the box."
                )
            )
        ],
    )


class SelfReferralForm(PersonFields):
    """The public "ask for help" form: no account, a honeypot and a rate limit."""

    what_person_wants = TextAreaField(
        "What would you like help with?",
        validators=[
            DataRequired(message="Tell us a little about what you would like help with."),
            TEXT,
        ],
    )
    person_agreed = BooleanField(
        "I am asking for myself, or the person I am asking for knows and agrees",
        validators=[
            DataRequired(
                message=(
                    "Please confirm that you are asking for yourself, or "
                    "that the person knows and agrees."
                )
            )
        ],
    )
    website = StringField("Leave this empty")


class ContactAttemptForm(FlaskForm):
    method = SelectField("How", choices=choices_of(_choices(CONTACT_METHODS)))
    outcome = SelectField("What happened", choices=choices_of(_choices(CONTACT_OUTCOMES)))
    notes = StringField("Notes (optional)", validators=[Optional(), Length(max=1000)])


class StateForm(FlaskForm):
    target = SelectField(
        "Change the referral to",
        choices=choices_of(
            [
                ("declined", "Declined"),
                ("unable_to_contact", "Unable to contact"),
                ("not_appropriate", "Not appropriate"),
                ("withdrawn", "Withdrawn"),
                ("contacting", "Reopen (back to contacting)"),
            ]
        ),
    )
    note = StringField("Why (optional)", validators=[Optional(), Length(max=1000)])


class AssignForm(FlaskForm):
    coordinator_id = SelectField("Coordinator", coerce=int, validate_choice=False)


def _answer_choices(values: range, labels: dict[int, str] | None = None) -> list[tuple[str, str]]:
    return [("", "Not answered")] + [(str(v), (labels or {}).get(v, str(v))) for v in values]


SWEMWBS_FIELDS = [f"swemwbs_{i}" for i in range(1, len(SWEMWBS_ITEMS) + 1)]
ONS4_FIELDS = [f"ons4_{key}" for key, _ in ONS4_QUESTIONS]
PROFILE_FIELDS = {f"profile_{i}": area for i, area in enumerate(DEFAULT_PROFILE_AREAS, start=1)}


class MeasureFields(FlaskForm):
    """SWEMWBS, ONS4 and the life-areas profile, each answer optional here (the rules are in
    `casework.build_measures`)."""


for _i, _item in enumerate(SWEMWBS_ITEMS, start=1):
    setattr(
        MeasureFields,
        f"swemwbs_{_i}",
        SelectField(
            _item,
            choices=choices_of(
                _answer_choices(
                    range(1, 6), {n: f"{n} – {a}" for n, a in enumerate(SWEMWBS_ANSWERS, start=1)}
                )
            ),
            default="",
        ),
    )
for _key, _question in ONS4_QUESTIONS:
    setattr(
        MeasureFields,
        f"ons4_{_key}",
        SelectField(
            _question,
            choices=choices_of(
                _answer_choices(range(0, 11), {0: "0 – not at all", 10: "10 – completely"})
            ),
            default="",
        ),
    )
for _name, _area in PROFILE_FIELDS.items():
    setattr(
        MeasureFields,
        _name,
        SelectField(
            _area,
            choices=choices_of(
                _answer_choices(range(1, 11), {1: "1 – struggling", 10: "10 – thriving"})
            ),
            default="",
        ),
    )


class ConversationForm(MeasureFields):
    held_on = DateInput(
        "Date of the conversation",
        default=date.today,
        validators=[InputRequired(message="Enter the date of the conversation.")],
    )
    who_was_there = StringField(
        "Who was there (optional)", validators=[Optional(), Length(max=500)]
    )
    what_matters = TextAreaField(
        "What matters to the person",
        validators=[DataRequired(message="Write down what matters to the person."), TEXT],
    )
    needs = MultiCheckbox(
        "Needs, by life area", choices=choices_of([(a, a) for a in DEFAULT_PROFILE_AREAS])
    )
    goal_1 = StringField(
        "Goal, in the person's own words", validators=[Optional(), Length(max=500)]
    )
    goal_2 = StringField("Another goal (optional)", validators=[Optional(), Length(max=500)])
    goal_3 = StringField("Another goal (optional)", validators=[Optional(), Length(max=500)])
    consent_to_share = BooleanField("The person agreed we may share their information")
    share_with = StringField(
        "Who with (for example: their GP, the buddy service)",
        validators=[Optional(), Length(max=500)],
    )
    notes = TextAreaField("Notes (optional)", validators=[Optional(), TEXT])


class MoveConversationForm(FlaskForm):
    held_on = DateInput("Correct date", validators=[InputRequired(message="Enter the date.")])


class AddSignpostForm(FlaskForm):
    service_id = HiddenField(validators=[DataRequired(message="Choose a service.")])
    accompanied_visit = BooleanField("Accompanied visit")
    buddy = BooleanField("With a buddy")


class SignpostStatusForm(FlaskForm):
    status = SelectField(
        "How it went",
        choices=choices_of([(s.value, label) for s, label in SIGNPOST_LABELS.items()]),
    )
    reason = StringField("If not taken up, why", validators=[Optional(), Length(max=1000)])
    accompanied_visit = BooleanField("Accompanied visit")
    buddy = BooleanField("With a buddy")


class OnwardForm(FlaskForm):
    kind = SelectField(
        "Refer on to", choices=choices_of([(k.value, label) for k, label in ONWARD_LABELS.items()])
    )
    notes = TextAreaField(
        "Notes (required for a safeguarding concern)", validators=[Optional(), TEXT]
    )


class CheckForm(FlaskForm):
    done_on = DateInput(
        "Date of the call",
        default=date.today,
        validators=[InputRequired(message="Enter the date of the call.")],
    )
    progress = TextAreaField(
        "How are they getting on?",
        validators=[
            DataRequired(message="Write a few words about how the person is getting on."),
            TEXT,
        ],
    )
    other_support_needed = BooleanField("Other support is needed")


OUTCOME_CHOICES = [("", "Choose an outcome")] + [
    (o.value, label) for o, label in OUTCOME_LABELS.items()
]


class ReviewForm(MeasureFields):
    done_on = DateInput(
        "Date of the review",
        default=date.today,
        validators=[InputRequired(message="Enter the date of the review.")],
    )
    notes = TextAreaField("Notes (optional)", validators=[Optional(), TEXT])
    decision = RadioField(
        "What next?",
        choices=choices_of(
            [("continue", "Continue with another cycle"), ("close", "Close the referral")]
        ),
        validators=[
            InputRequired(message=("Choose whether to close the referral or continue support."))
        ],
    )
    outcome = SelectField("Outcome (when closing)", choices=choices_of(OUTCOME_CHOICES), default="")


class CloseForm(FlaskForm):
    outcome = SelectField(
        "Outcome",
        choices=choices_of(OUTCOME_CHOICES),
        validators=[DataRequired(message="Choose an outcome.")],
    )
    notes = TextAreaField("Notes (optional)", validators=[Optional(), TEXT])


def goal_status_choices() -> list[tuple[str, str]]:
    return list(GOAL_STATUSES.items())


def measure_answers(form: MeasureFields) -> Any:
    """The measure answers from a form, as `casework.MeasureAnswers`."""
    from prescribing.casework import MeasureAnswers

    def number(name: str) -> int | None:
        value = getattr(form, name).data
        return int(value) if value not in (None, "") else None

    return MeasureAnswers(
        swemwbs=[number(n) for n in SWEMWBS_FIELDS],
        ons4={key: number(f"ons4_{key}") for key, _ in ONS4_QUESTIONS},
        profile={area: number(name) for name, area in PROFILE_FIELDS.items()},
    )
