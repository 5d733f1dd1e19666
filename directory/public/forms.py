"""Forms of the public site. The search form is a GET form with CSRF off; the rest POST with CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from directory.models import AccessibilityFeature, DeliveryMode
from signpost.forms import EmailAddress, HoneypotField

RADIUS_CHOICES = [
    ("1", "1 mile"),
    ("2", "2 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("20", "20 miles"),
    ("50", "50 miles"),
]
DAY_CHOICES = [
    ("", "Any day"),
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
SORT_CHOICES = [("best", "Best match"), ("nearest", "Nearest first")]
MAX_RADIUS_MILES = 100
MAX_PAGE = 10_000


class MultiValue(Field):
    """Several values of one GET parameter (checkboxes); unknown values are dropped, not an
    error (an old bookmark, a hand-edited URL). The template draws the checkboxes."""

    def __init__(self, label: str, allowed: list[str], **kwargs: object) -> None:
        super().__init__(label, **kwargs)
        self.allowed = allowed
        self.data: list[str] = []

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [v for v in dict.fromkeys(valuelist) if v in self.allowed]

    def _value(self) -> str:
        return ",".join(self.data)


class SearchForm(FlaskForm):
    """What the results page accepts; bad values get a message that says how to fix them."""

    class Meta:
        csrf = False

    q = StringField(
        "What are you looking for?",
        validators=[
            Optional(),
            Length(max=200, message=("Search words must be 200 characters or fewer.")),
        ],
    )
    where = StringField(
        "Where? (postcode, town or village)",
        validators=[
            Optional(),
            Length(max=60, message="Enter a postcode, town or village of 60 characters or fewer."),
        ],
    )
    radius = StringField("Distance", default="5")
    category = StringField("Category", validators=[Optional(), Length(max=120)])
    free = BooleanField("Free only")
    open_now = BooleanField("Open now")
    day = StringField("Open on", default="")
    mode = MultiValue("How it is delivered", [m.value for m in DeliveryMode])
    access = MultiValue("Accessibility", [f.value for f in AccessibilityFeature])
    age = IntegerField(
        "Age of the person",
        validators=[
            Optional(),
            NumberRange(min=0, max=120, message="Enter an age between 0 and 120."),
        ],
    )
    sort = StringField("Sort by", default="best")
    page = IntegerField("Page", default=1, validators=[Optional()])

    def validate_radius(self, field: StringField) -> None:
        raw = (field.data or "").strip() or "5"
        try:
            miles = float(raw)
        except ValueError:
            raise ValidationError("Enter the distance as a number of miles, like 5.") from None
        if not 0 < miles <= MAX_RADIUS_MILES:
            raise ValidationError(f"Choose a distance between 1 and {MAX_RADIUS_MILES} miles.")
        field.data = raw

    def validate_day(self, field: StringField) -> None:
        if field.data not in {value for value, _ in DAY_CHOICES}:
            field.data = ""

    def validate_sort(self, field: StringField) -> None:
        if field.data not in {"best", "nearest"}:
            field.data = "best"

    def validate_page(self, field: IntegerField) -> None:
        if field.data is None or field.data < 1:
            field.data = 1
        elif field.data > MAX_PAGE:
            field.data = MAX_PAGE

    @property
    def radius_miles(self) -> float:
        try:
            return float(self.radius.data or 5)
        except ValueError:
            return 5.0


class ReportProblemForm(FlaskForm):
    problem = TextAreaField(
        "What is wrong or out of date?",
        validators=[
            DataRequired(message="Tell us what is wrong with this page."),
            Length(max=5000, message="Please keep this to 5,000 characters or fewer."),
        ],
    )
    reply_email = EmailField(
        "Your email address (optional, if you would like a reply)",
        validators=[
            Optional(),
            EmailAddress("Enter an email address like name@example.com, or leave it empty."),
        ],
    )
    # A honeypot: hidden from people, filled in by robots. Not named like a real field.
    website = HoneypotField()


class SuggestServiceForm(FlaskForm):
    name = StringField(
        "Name of the service or group",
        validators=[
            DataRequired(message="Enter the name of the service or group."),
            Length(max=255),
        ],
    )
    organisation = StringField("Who runs it (optional)", validators=[Optional(), Length(max=255)])
    description = TextAreaField(
        "What does it do, and who is it for?",
        validators=[DataRequired(message="Tell us what the service does."), Length(max=5000)],
    )
    where = StringField("Where is it? (optional)", validators=[Optional(), Length(max=255)])
    how_to_contact = TextAreaField(
        "How can people get in touch? (optional)", validators=[Optional(), Length(max=2000)]
    )
    reply_email = EmailField(
        "Your email address (optional, if you would like a reply)",
        validators=[
            Optional(),
            EmailAddress("Enter an email address like name@example.com, or leave it empty."),
        ],
    )
    website = HoneypotField()


class EmailShortlistForm(FlaskForm):
    email = EmailField(
        "Email address to send the list to",
        validators=[
            DataRequired(message="Enter the email address to send the list to."),
            EmailAddress("Enter an email address like name@example.com."),
        ],
    )
