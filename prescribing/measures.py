"""Wellbeing measures: SWEMWBS (with its metric conversion), ONS4 bands, and our profile areas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SWEMWBS_COPYRIGHT = (
    "SWEMWBS © NHS Health Scotland, University of Warwick and University of Edinburgh, 2008, "
    "all rights reserved."
)

SWEMWBS_ITEMS: tuple[str, ...] = (
    "I've been feeling optimistic about the future",
    "I've been feeling useful",
    "I've been feeling relaxed",
    "I've been dealing with problems well",
    "I've been thinking clearly",
    "I've been feeling close to other people",
    "I've been able to make up my own mind about things",
)

SWEMWBS_ANSWERS: tuple[str, ...] = (
    "None of the time",
    "Rarely",
    "Some of the time",
    "Often",
    "All of the time",
)

# The published raw-to-metric conversion table (raw total 7-35).
_SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}


class MeasureError(ValueError):
    """An answer is out of range; the message says which and why in plain English."""


@dataclass(frozen=True)
class SwemwbsScore:
    raw: int
    metric: float


def swemwbs_metric(raw_total: int) -> float:
    """Convert a SWEMWBS raw total (7-35) to its metric score."""
    if raw_total not in _SWEMWBS_METRIC:
        raise MeasureError(f"A SWEMWBS raw total must be between 7 and 35; got {raw_total}.")
    return _SWEMWBS_METRIC[raw_total]


def score_swemwbs(answers: Sequence[int | None]) -> SwemwbsScore | None:
    """Score seven answers (each 1-5). Any missing answer means no score (None)."""
    if len(answers) != len(SWEMWBS_ITEMS):
        raise MeasureError(
            f"SWEMWBS has {len(SWEMWBS_ITEMS)} statements; got {len(answers)} answers."
        )
    if any(a is None for a in answers):
        return None
    for number, answer in enumerate(answers, start=1):
        if not isinstance(answer, int) or not 1 <= answer <= 5:
            raise MeasureError(f"Statement {number} needs an answer from 1 to 5; got {answer!r}.")
    raw = sum(answers)  # type: ignore[arg-type]
    return SwemwbsScore(raw=raw, metric=swemwbs_metric(raw))


ONS4_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("life_satisfaction", "Overall, how satisfied are you with your life nowadays?"),
    (
        "worthwhile",
        "Overall, to what extent do you feel the things you do in your life are worthwhile?",
    ),
    ("happy_yesterday", "Overall, how happy did you feel yesterday?"),
    ("anxious_yesterday", "Overall, how anxious did you feel yesterday?"),
)


def ons4_band(question: str, score: int) -> str:
    """The ONS band for one answer (0-10). The four answers are never summed."""
    if question not in dict(ONS4_QUESTIONS):
        raise MeasureError(f"There is no ONS4 question called {question!r}.")
    if not isinstance(score, int) or not 0 <= score <= 10:
        raise MeasureError(f"ONS4 answers are from 0 to 10; got {score!r}.")
    if question == "anxious_yesterday":
        return (
            "very low"
            if score <= 1
            else "low"
            if score <= 3
            else "medium"
            if score <= 5
            else "high"
        )
    return (
        "low" if score <= 4 else "medium" if score <= 6 else "high" if score <= 8 else "very high"
    )


# Our own outcome-star-style areas (the commercial stars need a licence). Configurable per
# deployment; each is scored on a ladder of 1 (struggling) to 10 (thriving).
DEFAULT_PROFILE_AREAS: tuple[str, ...] = (
    "Feeling positive",
    "Lifestyle",
    "Looking after yourself",
    "Managing health",
    "Money",
    "Where you live",
    "Family and friends",
    "Work, learning and volunteering",
)
PROFILE_LADDER = range(1, 11)


def check_profile(
    scores: dict[str, int], areas: Sequence[str] = DEFAULT_PROFILE_AREAS
) -> dict[str, int]:
    """Validate a profile: every area known and scored on the ladder. Missing areas are allowed."""
    unknown = set(scores) - set(areas)
    if unknown:
        raise MeasureError(f"Unknown life area: {', '.join(sorted(unknown))}.")
    for area, score in scores.items():
        if score not in PROFILE_LADDER:
            raise MeasureError(f"{area} needs a score from 1 to 10; got {score!r}.")
    return dict(scores)
