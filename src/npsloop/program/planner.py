"""The planner: turns each enabled programme into asks, and forecasts the next days.

Run by the worker every five minutes and by `npsloop plan`. Idempotent (contacts with an
ask waiting are not planned again, caps count what was already asked today) and safe with
several workers: each programme is planned under a lock on its row, and the database
refuses a second waiting ask for a contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction
from django.utils import timezone

from npsloop.contacts.models import Contact
from npsloop.program.asks import schedule_waves
from npsloop.program.models import AskStatus, Programme, Release, SurveyRequest
from npsloop.program.population import (
    CONTACT_REASONS,
    asked_this_week_by_account,
    contact_rule_counts,
    epoch_days,
    load_population,
    undecided_contacts,
)
from npsloop.program.rules import CHUNK, Skip, skip_reasons
from npsloop.program.schedule import (
    REASONS,
    Floats,
    Population,
    Rules,
    daily_allowance,
    in_blackout,
    select,
)
from npsloop.program.targeting import targeting_filter
from npsloop.surveys.models import Channel, Survey


@dataclass
class PlanReport:
    created: int = 0
    fell_back: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    waves: dict[int, int] = field(default_factory=dict)


@dataclass
class Forecast:
    days: list[tuple[date, int]]
    excluded_today: dict[str, int]


def rules_for(programme: Programme, survey: Survey) -> Rules:
    channel = (programme.channels or [Channel.EMAIL])[0]
    return Rules(
        kind=programme.kind,
        initial=(programme.initial_min_days, programme.initial_max_days),
        second=(programme.second_min_days, programme.second_max_days),
        third=programme.third_days,
        every=programme.every_days,
        min_tenure=programme.min_tenure_days,
        one_off_at=epoch_days(programme.one_off_at) if programme.one_off_at else float("nan"),
        sample_percent=float(programme.sample_percent),
        daily_cap=programme.daily_cap,
        daily_cap_percent=programme.daily_cap_percent,
        account_cap_per_week=programme.account_cap_per_week,
        blackout_days=programme.blackout_days,
        cooldown_days=survey.effective_cooldown_days,
        channel=channel,
    )


def major_releases(survey: Survey) -> Floats:
    moments = Release.objects.filter(workspace_id=survey.workspace_id, major=True).values_list(
        "released_at", flat=True
    )
    return np.array([epoch_days(m) for m in moments], dtype=np.float64)


def start_of_day(survey: Survey, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(survey.workspace.time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def plan(survey: Survey, *, now: datetime | None = None, dry_run: bool = False) -> PlanReport:
    """Create today's due asks for the survey's programme (none with dry_run)."""
    now = now or timezone.now()
    programme = Programme.objects.get(survey=survey)
    rules = rules_for(programme, survey)
    report = PlanReport()
    with transaction.atomic():
        # One planner per programme at a time, whichever machine it runs on.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        if not dry_run:
            report.fell_back = fall_back(survey, programme, now)
        asked_today = (
            SurveyRequest.objects.filter(
                survey=survey, wave__isnull=False, created_at__gte=start_of_day(survey, now)
            )
            .exclude(status=AskStatus.CANCELLED)
            .count()
        )
        if not dry_run and _cap_spent(survey, rules, asked_today, now):
            # The common run every five minutes once today's asks are out: no need to read
            # every contact to learn that nobody more may be asked today.
            report.excluded = {str(Skip.DAILY_CAP): 0}
            return report
        releases = major_releases(survey)
        if in_blackout(epoch_days(now), releases, rules.blackout_days):
            # Nobody may be asked: only the counts of who is kept out, and why, are wanted.
            held = _held_back(survey, rules, now, releases, asked_today)
            if held is not None:
                report.excluded = held
                return report
        population = load_population(survey, now)
        selection = select(
            population,
            rules,
            epoch_days(now),
            major_releases=releases,
            asked_today=asked_today,
            asked_this_week_by_account=asked_this_week_by_account(survey, now),
        )
        report.excluded = selection.excluded
        waves, counts = np.unique(selection.waves, return_counts=True)
        report.waves = {int(w): int(c) for w, c in zip(waves, counts, strict=True)}
        if dry_run or not len(selection.chosen):
            return report
        channel = (programme.channels or [Channel.EMAIL])[0]
        chosen = _still_allowed(
            survey,
            channel,
            now,
            dict(
                zip(
                    population.contact_id[selection.chosen].tolist(),
                    selection.waves.tolist(),
                    strict=True,
                )
            ),
            report,
        )
        report.created = schedule_waves(survey, channel, chosen, now)
    return report


def _held_back(
    survey: Survey, rules: Rules, now: datetime, releases: Floats, asked_today: int
) -> dict[str, int] | None:
    """What `select` excludes in a blackout, where every contact who passes the other rules
    is held by it, without reading every contact: the contact rules are counted by the
    database (`contact_rule_counts`), and only the contacts whom the due date, a waiting
    ask or the cooldown might keep out (`undecided_contacts`, a few percent as a rule) are
    read and passed through `select` itself; everyone else who passes the contact rules is
    due, free and held by the blackout. None when this does not pay (a one-off programme,
    or most contacts undecided): then the caller reads everyone."""
    undecided = undecided_contacts(survey, rules, now)
    counts = contact_rule_counts(survey, rules, now) if undecided is not None else None
    if undecided is None or counts is None or 2 * len(undecided) > counts.sum():
        return None
    population = load_population(survey, now, among=undecided)
    selection = select(
        population,
        rules,
        epoch_days(now),
        major_releases=releases,
        asked_today=asked_today,
        asked_this_week_by_account={},
    )
    excluded = {str(name): 0 for name in REASONS}
    excluded.update(
        zip(map(str, CONTACT_REASONS), counts[: len(CONTACT_REASONS)].tolist(), strict=True)
    )
    # Those who pass the contact rules are held by a later rule (only the undecided can
    # be: not yet in a wave, already pending, cooldown), or else by the blackout.
    later = [str(name) for name in REASONS[len(CONTACT_REASONS) : REASONS.index(Skip.BLACKOUT)]]
    for name in later:
        excluded[name] = selection.excluded.get(name, 0)
    passing = int(counts[len(CONTACT_REASONS)])
    excluded[str(Skip.BLACKOUT)] = passing - sum(excluded[name] for name in later)
    return {name: count for name, count in excluded.items() if count}


def _still_allowed(
    survey: Survey, channel: str, now: datetime, chosen: dict[int, int], report: PlanReport
) -> dict[int, int]:
    """The contacts picked by the array rules, checked once more by the contact rules every
    channel uses (`program.rules`): they stay the one authority on who may be asked, and a
    contact that changed since the population was read is left out."""
    allowed = dict(chosen)
    ids = list(chosen)
    for start in range(0, len(ids), CHUNK):
        contacts = list(Contact.objects.filter(pk__in=ids[start : start + CHUNK]))
        for contact_id, reason in skip_reasons(survey, contacts, channel, now).items():
            allowed.pop(contact_id, None)
            report.excluded[str(reason)] = report.excluded.get(str(reason), 0) + 1
    return allowed


def _cap_spent(survey: Survey, rules: Rules, asked_today: int, now: datetime) -> bool:
    if rules.daily_cap is None and rules.daily_cap_percent is None:
        return False
    eligible = 0
    if rules.daily_cap_percent is not None:
        eligible = Contact.objects.filter(
            targeting_filter(survey, now), workspace_id=survey.workspace_id
        ).count()
    return daily_allowance(rules, eligible) - asked_today <= 0


def fall_back(survey: Survey, programme: Programme, now: datetime) -> int:
    """In-app asks not shown within the fallback days go by email, when email is the next
    channel and the contact can get one; otherwise they expire."""
    channels = list(programme.channels or [])
    if Channel.IN_APP not in channels:
        return 0
    stale = SurveyRequest.objects.filter(
        survey=survey,
        channel=Channel.IN_APP,
        status=AskStatus.SCHEDULED,
        due_at__lte=now - timedelta(days=programme.fallback_days),
    )
    position = channels.index(Channel.IN_APP)
    if Channel.EMAIL not in channels[position + 1 :]:
        return stale.update(status=AskStatus.EXPIRED, error="not shown in time", updated_at=now)
    reachable = stale.filter(contact__email__isnull=False, contact__bounced_at__isnull=True)
    moved = reachable.update(channel=Channel.EMAIL, due_at=now, updated_at=now)
    stale.update(status=AskStatus.EXPIRED, error="not shown in time; no email", updated_at=now)
    return moved


def forecast(survey: Survey, days: int, *, now: datetime | None = None) -> Forecast:
    """How many asks go out each day over the next `days`, if nothing else changes, and
    how many contacts each rule keeps from being asked today."""
    now = now or timezone.now()
    programme = Programme.objects.get(survey=survey)
    rules = rules_for(programme, survey)
    population = load_population(survey, now)
    releases = major_releases(survey)
    today = start_of_day(survey, now)
    asked_today = (
        SurveyRequest.objects.filter(survey=survey, wave__isnull=False, created_at__gte=today)
        .exclude(status=AskStatus.CANCELLED)
        .count()
    )
    weekly: list[dict[int, int]] = [asked_this_week_by_account(survey, now)]
    result: list[tuple[date, int]] = []
    excluded_today: dict[str, int] = {}
    for day in range(days):
        moment = epoch_days(today) + day + 1 - 1e-6  # the end of that day
        if day == 0:
            moment = epoch_days(now)
        recent: dict[int, int] = {}
        for counts in weekly[-7:]:
            for account, count in counts.items():
                recent[account] = recent.get(account, 0) + count
        selection = select(
            population,
            rules,
            moment,
            major_releases=releases,
            asked_today=asked_today if day == 0 else 0,
            asked_this_week_by_account=recent,
        )
        if day == 0:
            excluded_today = selection.excluded
        _asked(population, selection.chosen, moment)
        accounts, per_account = np.unique(population.account[selection.chosen], return_counts=True)
        weekly.append({int(a): int(c) for a, c in zip(accounts, per_account, strict=True) if a})
        result.append(((today + timedelta(days=day)).date(), len(selection.chosen)))
    return Forecast(days=result, excluded_today=excluded_today)


def _asked(population: Population, chosen: np.ndarray, moment: float) -> None:
    population.wave[chosen] += 1
    population.wave_at[chosen] = moment
    population.last_contact[chosen] = moment


def plan_all(now: datetime | None = None) -> dict[int, PlanReport]:
    """Every enabled programme of every workspace: the worker's periodic task."""
    reports = {}
    for programme in Programme.objects.filter(enabled=True, survey__is_active=True).select_related(
        "survey", "survey__workspace"
    ):
        reports[programme.survey_id] = plan(programme.survey, now=now)
    return reports
