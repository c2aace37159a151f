"""The planning rules as array arithmetic: which contacts are due, and which of them may be
asked now, for a whole population at once (no loop per contact).

Times are float days since the Unix epoch (UTC); NaN means "never". The planner loads a
survey's contacts into a `Population`, and both the real run and the forecast call `select`.
The contact rules come from their table in `program.rules`, the rest is the programme's.
Plain numpy over arrays: the property tests drive it directly with random histories.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from npsloop.program.rules import HISTORY_RULES, ROW_RULES, Skip
from npsloop.surveys.models import Channel

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# A multiplicative hash modulo a prime: the same in Python, numpy and (if ever needed) SQL,
# stable across runs, and evenly spread over sequential contact ids.
HASH_MULTIPLIER = 2654435761
HASH_PRIME = 4294967291
BUCKETS = 10_000

# The order in which exclusions are counted: each contact under the first rule it fails.
REASONS = (
    Skip.NOT_TARGETED,
    Skip.SAMPLING,
    *(rule.reason for rule in ROW_RULES),
    Skip.NOT_DUE,
    *(rule.reason for rule in HISTORY_RULES),
    Skip.BLACKOUT,
    Skip.ACCOUNT_CAP,
    Skip.DAILY_CAP,
)


def contact_hash(contact_ids: Ints, survey_id: int) -> Ints:
    return (contact_ids * HASH_MULTIPLIER + survey_id * 97 + 12345) % HASH_PRIME


def buckets(contact_ids: Ints, survey_id: int) -> Ints:
    """0..9999 per contact and survey: sampling takes the buckets below 100 times the percentage, so
    raising 20 % to 30 % keeps the first 20 % in."""
    return contact_hash(contact_ids, survey_id) % BUCKETS


@dataclass
class Rules:
    """A programme's numbers, in days."""

    kind: str = "lifecycle"
    initial: tuple[int, int] = (7, 14)
    second: tuple[int, int] = (30, 90)
    third: int = 90
    every: int = 90
    min_tenure: int = 90
    one_off_at: float = float("nan")
    sample_percent: float = 100.0
    daily_cap: int | None = None
    daily_cap_percent: float | None = None
    account_cap_per_week: int | None = None
    blackout_days: int = 14
    cooldown_days: int = 90
    channel: str = Channel.EMAIL


@dataclass
class Population:
    """One row per contact of the workspace, for one survey."""

    contact_id: Ints
    start: Floats  # signed up (or created, when the signup date is unknown)
    account: Ints  # 0: no account
    wave: Ints  # the last wave of this survey they were asked in; 0: none yet
    wave_at: Floats  # when
    pending: Bools  # an ask waiting to be sent or shown, any survey
    last_contact: Floats  # last asked (any survey, any channel) or answered
    fails: Bools  # a column per rule of `rules.ROW_RULES`: whether the contact fails it
    targeted: Bools
    survey_id: int = 0
    hashes: Ints = field(init=False)

    def __post_init__(self) -> None:
        self.hashes = contact_hash(self.contact_id, self.survey_id)

    def __len__(self) -> int:
        return len(self.contact_id)


def due(population: Population, rules: Rules) -> Floats:
    """When each contact's next wave is due; NaN when no wave will come."""
    h = population.hashes // BUCKETS
    wave, at, start = population.wave, population.wave_at, population.start
    result = np.full(len(population), np.nan)
    if rules.kind == "one_off":
        result[wave == 0] = rules.one_off_at
        return result
    if rules.kind == "recurring":
        first = start + rules.min_tenure + h % max(rules.every, 1)
        result = np.where(wave == 0, first, at + rules.every)
        return result.astype(np.float64)
    low, high = rules.initial
    initial = start + low + h % (high - low + 1)
    low2, high2 = rules.second
    second = at + low2 + h % (high2 - low2 + 1)
    result = np.where(
        wave == 0,
        initial,
        np.where(wave == 1, second, np.where(wave == 2, at + rules.third, at + rules.every)),
    )
    return result.astype(np.float64)


def in_blackout(moment: float, major_releases: Floats, blackout_days: int) -> bool:
    """Inside the days after a major release, asks wait for the blackout's end."""
    if blackout_days <= 0 or not len(major_releases):
        return False
    return bool(np.any((major_releases <= moment) & (moment < major_releases + blackout_days)))


@dataclass
class Selection:
    chosen: Ints  # indices into the population, in the order they were picked
    excluded: dict[str, int]
    waves: Ints  # the wave each chosen contact is asked in
    reasons: Ints  # per contact, the index in REASONS of the rule that keeps it out; -1: chosen


def select(
    population: Population,
    rules: Rules,
    now: float,
    *,
    major_releases: Floats,
    asked_today: int,
    asked_this_week_by_account: dict[int, int],
) -> Selection:
    """Who is asked at `now`: due, sampled, reachable, outside cooldown and blackout, and
    within the daily and per-account caps (the longest overdue first)."""
    n = len(population)
    reason = np.full(n, -1, dtype=np.int64)

    def exclude(mask: Bools, name: Skip) -> None:
        reason[(reason < 0) & mask] = REASONS.index(name)

    when = due(population, rules)
    exclude(~population.targeted, Skip.NOT_TARGETED)
    sampled = (population.hashes % BUCKETS) < rules.sample_percent * (BUCKETS / 100)
    exclude(~sampled, Skip.SAMPLING)
    for name, mask in row_rule_masks(population, rules.channel):
        exclude(mask, name)
    exclude(np.isnan(when) | (when > now), Skip.NOT_DUE)
    for name, mask in history_rule_masks(population, now - rules.cooldown_days):
        exclude(mask, name)
    if in_blackout(now, major_releases, rules.blackout_days):
        exclude(np.ones(n, dtype=bool), Skip.BLACKOUT)

    candidates = np.flatnonzero(reason < 0)
    # Longest overdue first; ties in a stable per-contact order.
    candidates = candidates[np.lexsort((population.hashes[candidates], when[candidates]))]
    if rules.account_cap_per_week is not None and len(candidates):
        accounts = population.account[candidates]
        allowance = np.array(
            [
                rules.account_cap_per_week - asked_this_week_by_account.get(int(a), 0)
                if a
                else len(candidates)
                for a in np.unique(accounts)
            ]
        )
        order = np.argsort(accounts, kind="stable")
        ranked = accounts[order]
        starts = np.r_[0, np.flatnonzero(np.diff(ranked)) + 1]
        rank = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
        keep_sorted = rank < allowance[np.searchsorted(np.unique(accounts), ranked)]
        keep = np.empty(len(candidates), dtype=bool)
        keep[order] = keep_sorted
        reason[candidates[~keep]] = REASONS.index(Skip.ACCOUNT_CAP)
        candidates = candidates[keep]
    cap = daily_allowance(rules, int(population.targeted.sum())) - asked_today
    if cap < len(candidates):
        reason[candidates[max(cap, 0) :]] = REASONS.index(Skip.DAILY_CAP)
        candidates = candidates[: max(cap, 0)]
    counts = np.bincount(reason[reason >= 0], minlength=len(REASONS))
    return Selection(
        chosen=candidates,
        excluded={str(name): int(counts[i]) for i, name in enumerate(REASONS) if counts[i]},
        waves=population.wave[candidates] + 1,
        reasons=reason,
    )


def row_rule_masks(population: Population, channel: str) -> list[tuple[Skip, Bools]]:
    """The contact rules read from the contact's row (`rules.ROW_RULES`) that apply on this
    channel, in their order, each with the contacts that fail it (read by the database)."""
    return [
        (rule.reason, population.fails[:, i])
        for i, rule in enumerate(ROW_RULES)
        if rule.applies(channel)
    ]


def history_rule_masks(population: Population, since: float) -> list[tuple[Skip, Bools]]:
    """The contact rules read from the history (`rules.HISTORY_RULES`), in their order, each
    with the contacts that fail it, the cooldown started at `since` (days)."""
    return [(rule.reason, np.asarray(rule.fails(population, since))) for rule in HISTORY_RULES]


def daily_allowance(rules: Rules, eligible: int) -> int:
    caps = []
    if rules.daily_cap is not None:
        caps.append(rules.daily_cap)
    if rules.daily_cap_percent is not None:
        caps.append(int(np.ceil(eligible * rules.daily_cap_percent / 100)))
    return min(caps) if caps else 2**62
