"""Forms of the public site. The search form is a GET form with CSRF off; the rest POST with CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from directory.models import AccessibilityFeature, DeliveryMode

RADIUS_CHOICES = [("1", "1 mile"), ("2", "2 miles"), ("5", "5 miles"), ("10", "10 miles"),
                  ("20", "20 miles"), ("50", "50 miles")]
DAY_CHOICES = [("", "Any day"), ("0", "Monday"), ("1", "Tuesday"), ("2", "Wednesday"),
               ("3", "Thursday"), ("4", "Friday"), ("5", "Saturday"), ("6", "Sunday")]
SORT_CHOICES = [("best", "Best match"), ("nearest", "Nearest first")]
MAX_RADIUS_MILES = 100
MAX_PAGE = 10_000
# Deliberately simple: something@something.something, no spaces. The outbox reports bounces.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def Email(message: str) -> Regexp:  # noqa: N802 - reads like the WTForms validator it stands in for
    return Regexp(EMAIL_PATTERN, message=message)


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: object) -> None:
        # Unknown values (an old bookmark, a hand-edited URL) are dropped, not an error.
        known = {value for value, _label in self.choices}
        self.data = [v for v in (self.data or []) if v in known]


class SearchForm(FlaskForm):
    """What the results page accepts; bad values get a message that says how to fix them."""

    class Meta:
        csrf = False

    q = StringField("What are you looking for?", validators=[Optional(), Length(max=200, message=(
        "Search words must be 200 characters or fewer."))])
    where = StringField("Where? (postcode, town or village)", validators=[Optional(), Length(
        max=60, message="Enter a postcode, town or village of 60 characters or fewer.")])
    radius = StringField("Distance", default="5")
    category = StringField("Category", validators=[Optional(), Length(max=120)])
    free = BooleanField("Free only")
    open_now = BooleanField("Open now")
    day = SelectField("Open on", choices=DAY_CHOICES, default="", validate_choice=False)
    mode = CheckboxList("How it is delivered",
                        choices=[(m.value, m.label) for m in DeliveryMode])
    access = CheckboxList("Accessibility",
                          choices=[(f.value, f.label) for f in AccessibilityFeature])
    age = IntegerField("Age of the person", validators=[Optional(), NumberRange(
        min=0, max=120, message="Enter an age between 0 and 120.")])
    sort = SelectField("Sort by", choices=SORT_CHOICES, default="best", validate_choice=False)
    page = IntegerField("Page", default=1, validators=[Optional()])

    def validate_radius(self, field: StringField) -> None:
        raw = (field.data or "").strip() or "5"
        try:
            miles = float(raw)
        except ValueError:
            raise ValidationError("Enter the distance as a number of miles, like 5.") from None
        if not 0 < miles <= MAX_RADIUS_MILES:
            raise ValidationError(
                f"Choose a distance between 1 and {MAX_RADIUS_MILES} miles.")
        field.data = raw

    def validate_day(self, field: SelectField) -> None:
        if field.data not in {value for value, _ in DAY_CHOICES}:
            field.data = ""

    def validate_sort(self, field: SelectField) -> None:
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
    problem = TextAreaField("What is wrong or out of date?", validators=[
        InputRequired(message="Tell us what is wrong with this page."),
        Length(max=5000, message="Please keep this to 5,000 characters or fewer.")])
    reply_email = EmailField("Your email address (optional, if you would like a reply)",
                             validators=[Optional(), Email(message=(
                                 "Enter an email address like name@example.com, or leave it empty."))])
    # A honeypot: hidden from people, filled in by robots. Not named like a real field.
    website = StringField("Leave this empty")


class SuggestServiceForm(FlaskForm):
    name = StringField("Name of the service or group", validators=[
        InputRequired(message="Enter the name of the service or group."), Length(max=255)])
    organisation = StringField("Who runs it (optional)", validators=[Optional(), Length(max=255)])
    description = TextAreaField("What does it do, and who is it for?", validators=[
        InputRequired(message="Tell us what the service does."), Length(max=5000)])
    where = StringField("Where is it? (optional)", validators=[Optional(), Length(max=255)])
    how_to_contact = TextAreaField("How can people get in touch? (optional)",
                                   validators=[Optional(), Length(max=2000)])
    reply_email = EmailField("Your email address (optional, if you would like a reply)",
                             validators=[Optional(), Email(message=(
                                 "Enter an email address like name@example.com, or leave it empty."))])
    website = StringField("Leave this empty")


class EmailShortlistForm(FlaskForm):
    email = EmailField("Email address to send the list to", validators=[
        InputRequired(message="Enter the email address to send the list to."),
        Email(message="Enter an email address like name@example.com.")])
