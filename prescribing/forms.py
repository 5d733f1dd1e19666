"""Forms for the social prescribing pages (Flask-WTF: CSRF on, plain-English messages)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from prescribing.measures import (
    DEFAULT_PROFILE_AREAS,
    ONS4_QUESTIONS,
    SWEMWBS_ANSWERS,
    SWEMWBS_ITEMS,
)
from prescribing.operations.wellbeing import MeasureAnswers
from prescribing.reasons import REFERRAL_REASONS
from prescribing.vocabulary import (
    CloseOutcome,
    ContactMethod,
    ContactOutcome,
    ContactPreference,
    OnwardKind,
    ReferralSource,
    SuggestionStatus,
    Urgency,
)
from prescribing.workflow import ReferralState
from signpost.forms import (
    DateInput,
    EmailAddress,
    HoneypotField,
    MultiCheckboxField,
    choices_of,
    vocabulary_choices,
)

TEXT = Length(max=5000, message="Please keep this to 5,000 characters or fewer.")
# The ways out a coordinator can choose by hand (closing with an outcome has its own form).
SIDE_EXITS = (
    ReferralState.DECLINED,
    ReferralState.UNABLE_TO_CONTACT,
    ReferralState.NOT_APPROPRIATE,
    ReferralState.WITHDRAWN,
)


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
    email = EmailField(
        "Email address",
        validators=[
            Optional(),
            EmailAddress("Enter an email address like name@example.com, or leave it empty."),
            Length(max=254),
        ],
    )
    preferred_contact = RadioField(
        "How would they like to be contacted?",
        choices=vocabulary_choices(ContactPreference),
        default=ContactPreference.PHONE.value,
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
        choices=vocabulary_choices(
            ReferralSource, leave_out=(ReferralSource.SELF_REFERRAL, ReferralSource.PHONE_LINE)
        ),
        default=ReferralSource.GP_PRACTICE.value,
    )
    reasons = MultiCheckboxField(
        "Reasons for the referral", choices=choices_of(REFERRAL_REASONS.items())
    )
    reason_text = TextAreaField("Anything more about why (optional)", validators=[Optional(), TEXT])
    what_person_wants = TextAreaField(
        "What the person would like help with", validators=[Optional(), TEXT]
    )
    urgency = RadioField(
        "How soon should we make contact?",
        choices=choices_of((u.value, f"{u.label} ({u.contact_within})") for u in Urgency),
        default=Urgency.ROUTINE.value,
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
    website = HoneypotField()


class ContactAttemptForm(FlaskForm):
    method = SelectField("How", choices=vocabulary_choices(ContactMethod))
    outcome = SelectField("What happened", choices=vocabulary_choices(ContactOutcome))
    notes = StringField("Notes (optional)", validators=[Optional(), Length(max=1000)])


class StateForm(FlaskForm):
    target = SelectField(
        "Change the referral to",
        choices=choices_of(
            [(state.value, state.label) for state in SIDE_EXITS]
            + [(ReferralState.CONTACTING.value, "Reopen (back to contacting)")]
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
    needs = MultiCheckboxField(
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


class AddSuggestionForm(FlaskForm):
    service_id = HiddenField(validators=[DataRequired(message="Choose a service.")])
    accompanied_visit = BooleanField("Accompanied visit")
    buddy = BooleanField("With a buddy")


class SuggestionStatusForm(FlaskForm):
    status = SelectField("How it went", choices=vocabulary_choices(SuggestionStatus))
    reason = StringField("If not taken up, why", validators=[Optional(), Length(max=1000)])
    accompanied_visit = BooleanField("Accompanied visit")
    buddy = BooleanField("With a buddy")


class OnwardForm(FlaskForm):
    kind = SelectField("Refer on to", choices=vocabulary_choices(OnwardKind))
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
    outcome = SelectField(
        "Outcome (when closing)",
        choices=vocabulary_choices(CloseOutcome, blank="Choose an outcome"),
        default="",
    )


class FiguresForm(FlaskForm):
    """The managers' figures: an optional date range (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    since = DateInput("From", name="from", validators=[Optional()])
    until = DateInput("To", name="to", validators=[Optional()])


class CloseForm(FlaskForm):
    outcome = SelectField(
        "Outcome",
        choices=vocabulary_choices(CloseOutcome, blank="Choose an outcome"),
        validators=[DataRequired(message="Choose an outcome.")],
    )
    notes = TextAreaField("Notes (optional)", validators=[Optional(), TEXT])


def measure_answers(form: MeasureFields) -> MeasureAnswers:
    """The measure answers from a form, as `wellbeing.MeasureAnswers`."""

    def number(name: str) -> int | None:
        value = getattr(form, name).data
        return int(value) if value not in (None, "") else None

    return MeasureAnswers(
        swemwbs=[number(n) for n in SWEMWBS_FIELDS],
        ons4={key: number(f"ons4_{key}") for key, _ in ONS4_QUESTIONS},
        profile={area: number(name) for name, area in PROFILE_FIELDS.items()},
    )
