"""npsloop.moments: the one check of every date and time that comes in from outside."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from npsloop.moments import BadMoment, checked_moment

RULE = (
    "must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, "
    "e.g. 2024-05-01T09:30:00Z"
)


def test_it_refuses_a_year_1_moment_that_is_bc_in_utc() -> None:
    with pytest.raises(BadMoment) as refused:
        checked_moment("0001-01-01T00:00:00+01:00")
    assert str(refused.value) == f"{RULE}, got '0001-01-01T00:00:00+01:00'"


@pytest.mark.parametrize(
    "given",
    [
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:59:59+01:00",
        "2100-01-01T00:00:01Z",
        "9999-12-31T23:00:00-05:00",
        "0291-09-03T08:19:55+18:07",
    ],
)
def test_it_refuses_moments_outside_the_range(given: str) -> None:
    with pytest.raises(BadMoment, match=r"from 1970-01-01 to 2100-01-01"):
        checked_moment(given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=UTC)),
        ("1970-01-01T01:00:00+01:00", datetime(1970, 1, 1, tzinfo=UTC)),
        ("2100-01-01T00:00:00Z", datetime(2100, 1, 1, tzinfo=UTC)),
        (" 2024-05-01T09:30:00+02:00 ", datetime(2024, 5, 1, 7, 30, tzinfo=UTC)),
    ],
)
def test_it_accepts_the_range_and_hands_back_utc(given: str, expected: datetime) -> None:
    moment = checked_moment(given)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0)


def test_an_odd_offset_inside_the_range_reaches_the_database_as_utc() -> None:
    # PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
    moment = checked_moment("2024-05-01T20:00:00+18:07")
    assert moment.tzinfo is UTC
    assert moment == datetime(2024, 5, 1, 1, 53, tzinfo=UTC)


@pytest.mark.parametrize(
    "given", ["2024-05-01T09:30:00", "2024-05-01", "soon", "", 1714550400, None, True]
)
def test_it_refuses_text_without_a_zone_and_what_is_not_a_moment(given: object) -> None:
    with pytest.raises(BadMoment) as refused:
        checked_moment(given)
    assert str(refused.value) == f"{RULE}, got {given!r}"


def test_it_checks_datetimes_as_it_checks_text() -> None:
    assert checked_moment(datetime(2024, 5, 1, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))) == (
        datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    )
    with pytest.raises(BadMoment) as naive:
        checked_moment(datetime(2024, 5, 1, 9, 30))
    assert str(naive.value) == f"{RULE}, got '2024-05-01T09:30:00'"
    plus_one = timezone(timedelta(hours=1))
    with pytest.raises(BadMoment) as year_1:
        checked_moment(datetime(1, 1, 1, tzinfo=plus_one))
    assert str(year_1.value) == f"{RULE}, got '0001-01-01T00:00:00+01:00'"


def test_a_date_is_midnight_in_the_zone_where_dates_are_accepted() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert checked_moment("2024-05-01", day_zone=berlin) == datetime(2024, 4, 30, 22, tzinfo=UTC)
    assert checked_moment(date(2024, 5, 1), day_zone=UTC) == datetime(2024, 5, 1, tzinfo=UTC)
    with pytest.raises(BadMoment) as refused:
        checked_moment("0001-01-01", day_zone=berlin)
    assert str(refused.value) == (
        "must be a date like 2024-05-01 or a date and time from 1970-01-01 to 2100-01-01 "
        "with a time zone offset, e.g. 2024-05-01T09:30:00Z, got '0001-01-01'"
    )
    with pytest.raises(BadMoment):
        checked_moment("1970-01-01", day_zone=ZoneInfo("Asia/Tokyo"))  # 1969-12-31T15:00Z


def test_it_shows_at_most_the_start_of_a_long_value() -> None:
    with pytest.raises(BadMoment) as refused:
        checked_moment("x" * 1000)
    assert len(str(refused.value)) < len(RULE) + 80
