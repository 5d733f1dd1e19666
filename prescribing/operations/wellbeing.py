"""Wellbeing measures as recorded on a referral: the answers given, checked and scored into
`Measure` rows (the scales themselves are in `prescribing.measures`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app

from prescribing.measures import (
    ONS4_QUESTIONS,
    MeasureError,
    check_profile,
    ons4_band,
    score_swemwbs,
)
from prescribing.models import Measure, Referral
from prescribing.operations.common import PrescribingError
from prescribing.vocabulary import MeasureKind, MeasureStage


@dataclass
class MeasureAnswers:
    """Answers to whichever measures were used (None or empty: not used this time)."""

    swemwbs: list[int | None] | None = None
    ons4: dict[str, int | None] | None = None
    profile: dict[str, int | None] | None = None


def required_measures() -> set[str]:
    """The measures this deployment asks for at every conversation (PRESCRIBING_REQUIRED_MEASURES)."""
    raw = current_app.config.get("PRESCRIBING_REQUIRED_MEASURES", "") or ""
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


def build_measures(
    answers: MeasureAnswers, stage: MeasureStage, taken_on: date, required: set[str], by: int | None
) -> list[Measure]:
    """Score and check the answers; raise PrescribingError naming what is missing or wrong."""
    built: list[Measure] = []
    names = {
        "swemwbs": "the wellbeing scale (SWEMWBS)",
        "ons4": "the four ONS wellbeing questions",
        "profile": "the life areas profile",
    }
    try:
        if answers.swemwbs and any(a is not None for a in answers.swemwbs):
            score = score_swemwbs(answers.swemwbs)
            if score is None:
                raise PrescribingError(
                    "Answer all seven wellbeing statements, or leave them all empty."
                )
            built.append(
                Measure(
                    kind=MeasureKind.SWEMWBS,
                    stage=stage,
                    taken_on=taken_on,
                    answers={"items": list(answers.swemwbs)},
                    raw_score=score.raw,
                    metric_score=score.metric,
                    by_user_id=by,
                )
            )
        if answers.ons4 and any(v is not None for v in answers.ons4.values()):
            given = {q: v for q, v in answers.ons4.items() if v is not None}
            if len(given) != len(ONS4_QUESTIONS):
                raise PrescribingError(
                    "Answer all four ONS wellbeing questions, or leave them all empty."
                )
            bands = {q: ons4_band(q, v) for q, v in given.items()}
            built.append(
                Measure(
                    kind=MeasureKind.ONS4,
                    stage=stage,
                    taken_on=taken_on,
                    answers={"scores": given, "bands": bands},
                    by_user_id=by,
                )
            )
        if answers.profile and any(v is not None for v in answers.profile.values()):
            scores = check_profile({a: v for a, v in answers.profile.items() if v is not None})
            built.append(
                Measure(
                    kind=MeasureKind.PROFILE,
                    stage=stage,
                    taken_on=taken_on,
                    answers={"scores": scores},
                    by_user_id=by,
                )
            )
    except MeasureError as exc:
        raise PrescribingError(str(exc)) from exc
    missing = required - {m.kind.value for m in built}
    if missing:
        raise PrescribingError(
            "Please complete " + " and ".join(names[m] for m in sorted(missing)) + "."
        )
    return built


def baseline_kinds(referral: Referral) -> set[str]:
    """The measures taken at the start (a second SWEMWBS is due at six weeks when there was one)."""
    return {m.kind.value for m in referral.measures if m.stage is MeasureStage.BASELINE}
