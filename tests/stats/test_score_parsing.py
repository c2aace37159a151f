"""parse_score is the one rule for what a score is; category_of maps a score to a category."""

from __future__ import annotations

import pytest

from npsloop.stats import CATEGORIES, ScoreError, category_of, parse_score


@pytest.mark.parametrize("score", range(11))
def test_it_accepts_every_int_score(score: int) -> None:
    assert parse_score(score) == score


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("7", 7), ("10", 10), ("07", 7), (" 9 ", 9), ("\t10\n", 10), ("00", 0)],
)
def test_it_accepts_digit_strings_with_whitespace_and_leading_zeros(
    text: str, expected: int
) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (7.5, "7.5"),
        (7.0, "7.0"),
        ("7.0", "'7.0'"),
        ("7.5", "'7.5'"),
        ("+7", "'+7'"),
        ("-1", "'-1'"),
        ("", "''"),
        ("   ", "'   '"),
        ("abc", "'abc'"),
        ("1e1", "'1e1'"),
        ("11", "'11'"),
        ("0011", "'0011'"),
        ("\u0667", "'\u0667'"),  # ARABIC-INDIC DIGIT SEVEN
        (None, "None"),
        (True, "True"),
        (False, "False"),
        (11, "11"),
        (-1, "-1"),
        ([7], "[7]"),
    ],
)
def test_it_rejects_non_scores_saying_what_was_wrong(value: object, shown: str) -> None:
    with pytest.raises(ScoreError) as caught:
        parse_score(value)
    assert str(caught.value) == f"score must be an integer from 0 to 10, got {shown}"


def test_it_rejects_huge_digit_strings_without_converting_them() -> None:
    with pytest.raises(ScoreError, match=r"got '9{46}\.\.\.$"):
        parse_score("9" * 100_000)


def test_it_accepts_many_leading_zeros() -> None:
    assert parse_score("0" * 10_000 + "8") == 8


def test_it_makes_score_errors_value_errors() -> None:
    assert issubclass(ScoreError, ValueError)
    assert ScoreError("x").value == "x"


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_it_places_scores_in_categories(score: int, category: str) -> None:
    assert category_of(score) == category


def test_it_lists_categories_best_first() -> None:
    assert CATEGORIES == ("promoter", "passive", "detractor")
    assert {category_of(s) for s in range(11)} == set(CATEGORIES)


@pytest.mark.parametrize("value", [11, -1, "9", 9.0, True])
def test_it_refuses_to_categorize_a_non_score(value: object) -> None:
    with pytest.raises(ScoreError):
        category_of(value)  # type: ignore[arg-type]
