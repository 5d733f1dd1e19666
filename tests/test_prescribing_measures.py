import pytest

from prescribing.measures import (
    SWEMWBS_ITEMS,
    MeasureError,
    check_profile,
    ons4_band,
    score_swemwbs,
    swemwbs_metric,
)
from prescribing.nhs_number import InvalidNHSNumber, normalise_nhs_number

PUBLISHED = {
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


@pytest.mark.parametrize(("raw", "metric"), sorted(PUBLISHED.items()))
def test_swemwbs_metric_conversion_for_every_raw_total(raw, metric):
    assert swemwbs_metric(raw) == metric


def test_swemwbs_scores_seven_answers():
    score = score_swemwbs([3, 3, 2, 3, 3, 2, 3])
    assert (score.raw, score.metric) == (19, 17.98)


def test_swemwbs_with_a_missing_answer_has_no_score():
    assert score_swemwbs([3, 3, None, 3, 3, 2, 3]) is None


@pytest.mark.parametrize("answers", [[0, 3, 3, 3, 3, 3, 3], [6, 3, 3, 3, 3, 3, 3], [3] * 6])
def test_swemwbs_rejects_out_of_range_answers_with_a_reason(answers):
    with pytest.raises(MeasureError, match=r"from 1 to 5|7 statements"):
        score_swemwbs(answers)


def test_swemwbs_has_the_seven_published_statements():
    assert len(SWEMWBS_ITEMS) == 7 and SWEMWBS_ITEMS[0].startswith("I've been feeling optimistic")


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "low"),
        (4, "low"),
        (5, "medium"),
        (6, "medium"),
        (7, "high"),
        (8, "high"),
        (9, "very high"),
        (10, "very high"),
    ],
)
def test_ons4_positive_question_bands(score, band):
    for question in ("life_satisfaction", "worthwhile", "happy_yesterday"):
        assert ons4_band(question, score) == band


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "very low"),
        (1, "very low"),
        (2, "low"),
        (3, "low"),
        (4, "medium"),
        (5, "medium"),
        (6, "high"),
        (10, "high"),
    ],
)
def test_ons4_anxiety_bands(score, band):
    assert ons4_band("anxious_yesterday", score) == band


@pytest.mark.parametrize("score", [-1, 11, "7"])
def test_ons4_rejects_out_of_range(score):
    with pytest.raises(MeasureError, match="0 to 10"):
        ons4_band("worthwhile", score)


def test_profile_checks_areas_and_ladder():
    assert check_profile({"Money": 4}) == {"Money": 4}
    with pytest.raises(MeasureError, match="Unknown life area"):
        check_profile({"Astrology": 4})
    with pytest.raises(MeasureError, match="from 1 to 10"):
        check_profile({"Money": 0})


@pytest.mark.parametrize("text", ["943 476 5919", "9434765919", "943-476-5919"])
def test_valid_nhs_numbers_are_normalised(text):
    assert normalise_nhs_number(text) == "9434765919"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("943 476 5918", "not a valid"), ("12345", "10 digits"), ("abcdefghij", "10 digits")],
)
def test_invalid_nhs_numbers_are_refused_with_a_reason(text, reason):
    with pytest.raises(InvalidNHSNumber, match=reason):
        normalise_nhs_number(text)
