"""The shared form toolkit: choices, checkbox lists, the date input, the honeypot and the
email and mobile rules. Every form in the site builds on these, so each rule and each kind of
input exists once.

Templates draw fields with the macros in ``templates/_macros/forms.html`` (``field``,
``choices``, ``checkbox``, ``honeypot``, ``error_summary``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from wtforms import DateField, Field, SelectMultipleField, StringField
from wtforms.form import BaseForm
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from signpost.contact_details import NotAnAddress, check_email_address, check_mobile_number
from signpost.vocabulary import Vocabulary

try:  # WTForms 3.3+ wants SelectChoice; tuples are deprecated there
    from wtforms.fields.choices import SelectChoice as _SelectChoice  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older WTForms
    _SelectChoice = None

DATE_EXAMPLE = "2026-03-27"


def choice(value: object, label: str) -> Any:
    """One option for a select, radio or checkbox list, as this WTForms version wants it."""
    return _SelectChoice(value, label) if _SelectChoice else (value, label)


def choices_of(pairs: Iterable[tuple[object, str]]) -> list[Any]:
    """``(value, label)`` pairs as options; values become strings, as a form submits them."""
    return [choice(str(value), label) for value, label in pairs]


def vocabulary_choices(
    vocabulary: type[Vocabulary], *, leave_out: Iterable[Any] = (), blank: str | None = None
) -> list[Any]:
    """A vocabulary's members as options, optionally after a blank "choose one" option."""
    pairs = vocabulary.choices(leave_out=leave_out)
    return choices_of(([("", blank)] if blank is not None else []) + pairs)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (drawn by the ``choices`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DateInput(DateField):
    """The one date input of the site: every date field is one of these.

    A browser date picker where there is one, a text box that takes YYYY-MM-DD where there is
    not; a date that cannot be read gets a message saying what to type. A change to how dates
    are asked for (separate day, month and year boxes) is made here and in the ``field`` macro.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"Enter a real date, for example {DATE_EXAMPLE}.") from None

    @property
    def value(self) -> date | None:
        """The date when it was given and valid, else None."""
        return self.data if not self.errors else None


class HoneypotField(StringField):
    """A field people never see (the ``honeypot`` macro hides it); robots fill it in."""

    def __init__(self, label: str = "Leave this empty", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)

    @property
    def tripped(self) -> bool:
        """True when something filled it in: thank it and keep nothing."""
        return bool((self.data or "").strip())


class EmailAddress:
    """The site's one email rule (``signpost.contact_details``); the address is tidied in place."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: BaseForm, field: Field) -> None:
        if not (field.data or "").strip():
            return  # DataRequired or Optional decides about empty answers
        try:
            field.data = check_email_address(field.data)
        except NotAnAddress as exc:
            raise ValidationError(self.message or str(exc)) from None


class MobileNumber:
    """A UK (or international) mobile that can receive a text message."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: BaseForm, field: Field) -> None:
        if not (field.data or "").strip():
            return
        try:
            check_mobile_number(field.data)
        except NotAnAddress as exc:
            raise ValidationError(self.message or str(exc)) from None
