"""The moments npsloop stores, and the one check every date and time from outside passes.

Whatever brings a date and time in (the API, the widget, an import, a console form, the
admin) accepts it only from 1970-01-01 to 2100-01-01 (UTC, both ends included) and only
with a time zone. The range is narrow on purpose: Python, SQLite and PostgreSQL each
break somewhere beyond it. A year-1 moment with a positive offset is a BC moment in UTC,
which PostgreSQL stores and psycopg then refuses to read, so one such row took down every
page, list and export that touched it; SQLite's adapter can't even convert it; a year-1
moment shown in a zone west of Greenwich overflows Python's datetime. Nothing an NPS
programme deals with happened before 1970 or will after 2100.

The database checks the same range (a CheckConstraint on every column a person can
set), so a row outside it can't be stored by any path, old or new.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Model, Q

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
ACCEPTED = (
    "a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, "
    "e.g. 2024-05-01T09:30:00Z"
)
OR_DATE = "a date like 2024-05-01 or "
_SHOWN = 60


class BadMoment(ValueError):
    """Not a moment npsloop accepts; the message says what is accepted and what was given."""


def checked_moment(value: object, *, day_zone: tzinfo | None = None) -> datetime:
    """The moment ``value`` names, in UTC, or BadMoment saying what is accepted.

    ``value`` is ISO 8601 text with a time zone offset, or a datetime with a time zone.
    Where a whole day makes sense (``day_zone`` given), a date (text like 2024-05-01, or a
    ``date``) is accepted too and means midnight in that zone. The answer is in UTC so
    that no offset PostgreSQL refuses (beyond ±15:59) ever reaches it.
    """
    moment = _moment(value, day_zone)
    if moment is not None and moment.tzinfo is not None:
        if moment.tzinfo is not UTC:
            try:
                moment = moment.astimezone(UTC)
            except OverflowError:  # beyond Python's years once in UTC
                moment = None
        # Compared in UTC: across zones a comparison costs five times as much, and an
        # import checks a million.
        if moment is not None and EARLIEST <= moment <= LATEST:
            return moment
    accepted = OR_DATE + ACCEPTED if day_zone is not None else ACCEPTED
    raise BadMoment(f"must be {accepted}, got {_shown(value)}")


def _moment(value: object, day_zone: tzinfo | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=day_zone) if day_zone else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:  # 2024-05-01; no moment with a zone is this short
            day = date.fromisoformat(text) if day_zone else None
            return datetime.combine(day, time.min, tzinfo=day_zone) if day else None
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _shown(value: object) -> str:
    shown = repr(value.isoformat() if isinstance(value, date) else value)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "..."


def validate_moment(value: datetime) -> None:
    """checked_moment as a Django validator: the admin's forms refuse what the API does."""
    try:
        checked_moment(value)
    except BadMoment as error:
        raise ValidationError(str(error), code="moment") from None


def in_range(*fields: str) -> Q:
    """The condition of the database's check: each field empty or within the range."""
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__range": (EARLIEST, LATEST)})
    return condition


def bring_into_range(model: type[Model], field: str, *, clear: bool) -> None:
    """Mend the rows an older version stored outside the range, before the database's
    check is added (the migrations call it with their historical models).

    ``clear``: empty the field, for moments whose absence means "unknown" (a signup date
    nobody knows is better than a wrong one). Otherwise the moment moves to the nearer
    end of the range, for fields that must keep a value or whose presence is the fact
    (an unsubscribe stays an unsubscribe). Plain UPDATEs: PostgreSQL compares BC moments
    fine, it is only the driver that can't read them.
    """
    rows = model._default_manager.all()
    if clear:
        outside = Q(**{f"{field}__lt": EARLIEST}) | Q(**{f"{field}__gt": LATEST})
        rows.filter(outside).update(**{field: None})
    else:
        rows.filter(**{f"{field}__lt": EARLIEST}).update(**{field: EARLIEST})
        rows.filter(**{f"{field}__gt": LATEST}).update(**{field: LATEST})
    connection = connections[rows.db]
    if connection.vendor == "postgresql":
        # The UPDATEs leave deferred foreign-key checks pending, and PostgreSQL refuses the
        # ALTER TABLE that adds the check in the same transaction until they have run.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
