"""When a case is due: so many hours after it opened, counted around the clock or, where the
workspace says so, in its business hours (its days and hours, in its time zone)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from npsloop.loop.models import CaseSettings


def due_at(opened_at: datetime, hours: int, settings: CaseSettings, time_zone: str) -> datetime:
    if not settings.business_hours:
        return opened_at + timedelta(hours=hours)
    zone = ZoneInfo(time_zone)
    days = {int(day) for day in settings.business_days if day.isdigit()}
    if not days:
        return opened_at + timedelta(hours=hours)
    left = timedelta(hours=hours)
    local = opened_at.astimezone(zone)
    while True:
        start = _at(local, settings.day_starts, zone)
        end = _at(local, settings.day_ends, zone)
        if local.isoweekday() in days and local < end:
            begin = max(local, start)
            if begin + left <= end:
                return (begin + left).astimezone(opened_at.tzinfo)
            left -= end - begin
        local = _at(local + timedelta(days=1), time(0), zone)


def _at(day: datetime, clock: time, zone: ZoneInfo) -> datetime:
    """That day at that wall-clock time in the zone (a time skipped by a clock change moves
    forward with it, as zoneinfo does)."""
    return datetime.combine(day.date(), clock, tzinfo=zone)
