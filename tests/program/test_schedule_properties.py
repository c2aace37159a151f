"""The planning rules over random contact histories (hypothesis), and a two-year simulation
checked by an independent checker."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from npsloop.program.schedule import Population, Rules, buckets, select
from npsloop.surveys.models import Channel

NOW = 20_000.0  # days since 1970: mid-2024


def population(draw: st.DrawFn, n: int) -> Population:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    wave = rng.integers(0, 5, n)
    asked = wave > 0
    return Population(
        contact_id=np.arange(1, n + 1, dtype=np.int64),
        start=NOW - rng.uniform(0, 800, n),
        account=rng.integers(0, 6, n),
        wave=wave,
        wave_at=np.where(asked, NOW - rng.uniform(0, 400, n), np.nan),
        pending=rng.random(n) < 0.1,
        last_contact=np.where(rng.random(n) < 0.5, NOW - rng.uniform(0, 300, n), np.nan),
        # unsubscribed, bounced, no email address (`rules.ROW_RULES`)
        fails=rng.random((n, 3)) < [0.05, 0.05, 0.05],
        targeted=rng.random(n) < 0.9,
        survey_id=draw(st.integers(1, 50)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Population, Rules, np.ndarray, int, dict[int, int]]:
    pop = population(draw, draw(st.integers(0, 400)))
    rules = Rules(
        kind=draw(st.sampled_from(["lifecycle", "recurring"])),
        sample_percent=draw(st.floats(0, 100)),
        daily_cap=draw(st.none() | st.integers(0, 50)),
        daily_cap_percent=draw(st.none() | st.floats(0.1, 50)),
        account_cap_per_week=draw(st.none() | st.integers(0, 5)),
        blackout_days=draw(st.integers(0, 30)),
        cooldown_days=draw(st.integers(0, 120)),
        channel=draw(st.sampled_from([Channel.EMAIL, Channel.IN_APP])),
    )
    releases = np.array(draw(st.lists(st.floats(NOW - 60, NOW + 10), max_size=3)))
    asked_today = draw(st.integers(0, 20))
    weekly = {a: draw(st.integers(0, 4)) for a in range(1, 6)}
    return pop, rules, releases, asked_today, weekly


@given(scenarios())
@settings(max_examples=150, deadline=None)
def test_every_chosen_contact_passes_every_rule(
    scenario: tuple[Population, Rules, np.ndarray, int, dict[int, int]],
) -> None:
    pop, rules, releases, asked_today, weekly = scenario
    selection = select(
        pop,
        rules,
        NOW,
        major_releases=releases,
        asked_today=asked_today,
        asked_this_week_by_account=weekly,
    )
    chosen = selection.chosen
    assert len(set(chosen.tolist())) == len(chosen)
    assert pop.targeted[chosen].all()
    assert not pop.fails[chosen, 0].any()
    assert not pop.pending[chosen].any()
    if rules.channel == Channel.EMAIL:
        assert not pop.fails[chosen].any()
    recent = pop.last_contact[chosen]
    assert not np.any(recent >= NOW - rules.cooldown_days)
    in_blackout = np.any((releases <= NOW) & (releases + rules.blackout_days > NOW))
    if rules.blackout_days and in_blackout:
        assert len(chosen) == 0
    sampled = buckets(pop.contact_id[chosen], pop.survey_id) < rules.sample_percent * 100
    assert sampled.all()
    if rules.daily_cap is not None:
        assert len(chosen) <= max(rules.daily_cap - asked_today, 0)
    if rules.account_cap_per_week is not None:
        per_account = defaultdict(int)
        for account in pop.account[chosen].tolist():
            per_account[account] += 1
        for account, count in per_account.items():
            if account:
                assert count <= rules.account_cap_per_week - weekly.get(account, 0)
    # Everyone counted once: chosen plus excluded is the whole population.
    assert len(chosen) + sum(selection.excluded.values()) == len(pop)


@given(st.integers(0, 2**31), st.integers(1, 1000), st.integers(1, 99))
@settings(max_examples=40, deadline=None)
def test_sampling_is_sticky_and_proportional(seed: int, survey_id: int, percent: int) -> None:
    ids = np.arange(seed % 1000 + 1, seed % 1000 + 10_001, dtype=np.int64)
    share = buckets(ids, survey_id) < percent * 100
    assert abs(share.mean() * 100 - percent) <= 2
    more = buckets(ids, survey_id) < min(percent + 10, 100) * 100
    assert (more | ~share).all()  # raising the percentage keeps everyone who was in


def test_two_years_of_lifecycle_waves_keep_every_rule() -> None:
    """2,000 contacts, a major release every 6 weeks, the planner run daily for two years;
    the checker below knows only the rules, not the planner."""
    rng = np.random.default_rng(7)
    n = 2000
    start_day = NOW
    pop = Population(
        contact_id=np.arange(1, n + 1, dtype=np.int64),
        start=start_day + rng.uniform(-200, 600, n),  # signups before and during the period
        account=rng.integers(1, 150, n),
        wave=np.zeros(n, dtype=np.int64),
        wave_at=np.full(n, np.nan),
        pending=np.zeros(n, dtype=bool),
        last_contact=np.full(n, np.nan),
        fails=np.zeros((n, 3), dtype=bool),
        targeted=np.ones(n, dtype=bool),
        survey_id=3,
    )
    rules = Rules(daily_cap=25, account_cap_per_week=3, blackout_days=14, cooldown_days=25)
    releases = np.arange(start_day - 10, start_day + 730, 42.0)
    asks: list[tuple[int, int, float]] = []  # contact, wave, day
    for day in range(730):
        moment = start_day + day + 0.5
        weekly: dict[int, int] = defaultdict(int)
        for contact, _, at in asks:
            if at > moment - 7:
                weekly[int(pop.account[contact - 1])] += 1
        selection = select(
            pop,
            rules,
            moment,
            major_releases=releases,
            asked_today=0,
            asked_this_week_by_account=weekly,
        )
        for index, wave in zip(selection.chosen.tolist(), selection.waves.tolist(), strict=True):
            asks.append((index + 1, wave, moment))
        pop.wave[selection.chosen] += 1
        pop.wave_at[selection.chosen] = moment
        pop.last_contact[selection.chosen] = moment

    assert len(asks) > 3000  # the programme really ran
    by_contact: dict[int, list[tuple[int, float]]] = defaultdict(list)
    per_day: dict[float, int] = defaultdict(int)
    for contact, wave, at in asks:
        by_contact[contact].append((wave, at))
        per_day[at] += 1
        assert not np.any((releases <= at) & (at < releases + 14)), "asked in a blackout"
    assert max(per_day.values()) <= 25
    gaps = {2: 30, 3: 90}
    for contact, history in by_contact.items():
        assert [wave for wave, _ in history] == list(range(1, len(history) + 1))
        first_wave_at = history[0][1]
        assert first_wave_at >= pop.start[contact - 1] + 7
        for (_, before), (wave, after) in pairwise(history):
            assert after - before >= max(gaps.get(wave, 90), 25)
    for contact, _, at in asks:
        account = pop.account[contact - 1]
        same_week = [
            c for c, _, other in asks if pop.account[c - 1] == account and at - 7 < other <= at
        ]
        assert len(same_week) <= 3
