"""Controlled vocabularies: each member is the value stored and the words people are shown.

Define one as::

    class GoalStatus(Vocabulary):
        OPEN = "open", "Still working on it"
        MET = "met", "Met"

``GoalStatus.OPEN == "open"`` (members are strings, so columns, forms and JSON take them as
they are), ``GoalStatus.OPEN.label == "Still working on it"``, and ``GoalStatus.choices()`` gives
the ``(value, label)`` pairs a form offers. Templates show ``member.label``; no page or form
writes the words again.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Self


class Vocabulary(enum.StrEnum):
    """A string enum whose members carry a label (see the module notes)."""

    _label_: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label_ = label if label is not None else value.replace("_", " ").capitalize()
        return member

    @property
    def label(self) -> str:
        """The words shown to people for this value."""
        return self._label_

    @classmethod
    def choices(cls, *, leave_out: Iterable[Any] = ()) -> list[tuple[str, str]]:
        """``(value, label)`` pairs in definition order, for a form's choices."""
        skipped = set(leave_out)
        return [(member.value, member.label) for member in cls if member not in skipped]

    @classmethod
    def parse(cls, value: object) -> Self | None:
        """The member for a stored or submitted value, or None when it is not one."""
        if not isinstance(value, str):
            return None
        try:
            return cls(value)
        except ValueError:
            return None
