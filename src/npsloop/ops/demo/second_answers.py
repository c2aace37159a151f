"""Detractors who answer again: the demo's last answers come from people who were
detractors weeks earlier, half of them reached by the team, half not. Those reached mostly
come back as promoters (the recovered detractors of the follow-up tab), the others mostly
stay unhappy, so the tab's recovery comparison has something to show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from npsloop.contacts.fields import ContactData
from npsloop.ops.demo.answers import DemoAnswer, lifecycle_wave
from npsloop.ops.demo.cases import LOOP_DAYS, plan_work
from npsloop.ops.demo.comments import THEMES, write_comment
from npsloop.stats import category_of

# One answer in SHARE is a detractor's second answer.
SHARE = 40
SCORES = {
    True: ((10, 30), (9, 28), (8, 15), (7, 10), (6, 10), (4, 7)),
    False: ((9, 8), (8, 10), (7, 12), (6, 20), (5, 20), (3, 18), (1, 12)),
}


def how_many(responses: int) -> int:
    return responses // SHARE


def second_answers(
    seed: int,
    first: list[DemoAnswer],
    people: list[ContactData],
    anchor: datetime,
    count: int,
    first_number: int,
) -> list[DemoAnswer]:
    """Up to `count` answers, numbered from `first_number`, by detractors of `first` since
    the loop was switched on, answering 2 to 6 weeks later (fewer when fewer are three
    weeks old)."""
    rng = random.Random(f"{seed}:second answers")
    by_id = {str(person.external_id): person for person in people}
    since = anchor - timedelta(days=LOOP_DAYS)
    old = [
        a for a in first if a.score <= 6 and since <= a.created_at <= anchor - timedelta(days=21)
    ]
    groups: dict[bool, list[DemoAnswer]] = {True: [], False: []}
    for a in old:
        groups[plan_work(seed, a.key, category_of(a.score), 48).contacted].append(a)
    half = count // 2
    unreached = rng.sample(groups[False], min(len(groups[False]), half))
    reached = rng.sample(groups[True], min(len(groups[True]), count - len(unreached)))
    chosen = sorted(reached + unreached, key=lambda a: a.key)
    answers = []
    for number, earlier in enumerate(chosen, start=first_number):
        contacted = earlier in reached
        score = rng.choices([s for s, _ in SCORES[contacted]], [w for _, w in SCORES[contacted]])[0]
        at = min(
            earlier.created_at + timedelta(days=rng.uniform(14, 45)), anchor - timedelta(days=1)
        )
        category = category_of(score)
        comment = (
            write_comment(rng, category, rng.choice(THEMES), None) if rng.random() < 0.6 else ""
        )
        person = by_id[earlier.contact_external_id]
        tenure = (at - person.signed_up_at).total_seconds() / 86400 if person.signed_up_at else 0
        answers.append(
            DemoAnswer(
                key=f"demo-{number:06d}",
                contact_external_id=earlier.contact_external_id,
                score=score,
                channel="email",
                comment=comment,
                created_at=at.replace(microsecond=0),
                wave=lifecycle_wave(tenure),
            )
        )
    return answers
