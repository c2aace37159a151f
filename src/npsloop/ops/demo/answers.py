"""How the demo's people score: segments differ and the score moves with the releases.

A score is a latent satisfaction plus noise, rounded into 0 to 10. The effects are chosen so
that the demo tells stories worth finding: enterprise accounts love it and free users
don't, APAC suffered from latency until the Asian edge regions shipped, the redesigned
console (a major release) cost points for two months, and admins struggle with it most.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from npsloop.contacts.fields import ContactData
from npsloop.ops.demo.comments import THEMES, write_comment
from npsloop.stats import category_of

# (name, days before the anchor, major)
RELEASES = (
    ("1.14 — usage alerts", 300, False),
    ("2.0 — the new console", 215, True),
    ("2.1 — console fixes", 160, False),
    ("2.2 — edge regions Tokyo and Singapore", 95, True),
    ("2.3 — audit log export", 30, False),
)
REDESIGN_DAY, EDGE_DAY = 215, 95
CHANNELS = (("email", 0.50), ("in-app", 0.35), ("link", 0.15))
PLAN_EFFECT = {"free": -1.0, "starter": -0.2, "pro": 0.4, "enterprise": 0.9}
REGION_EFFECT = {"NA": 0.2, "EMEA": 0.0, "APAC": -0.3, "LATAM": -0.3}
ROLE_EFFECT = {"admin": -0.5, "developer": 0.3, "manager": 0.1, "analyst": -0.1}
CHANNEL_EFFECT = {"email": -0.2, "in-app": 0.3, "link": 0.0}
COMMENT_RATE = {"promoter": 0.55, "passive": 0.5, "detractor": 0.75}


@dataclass(frozen=True)
class DemoAnswer:
    key: str
    contact_external_id: str
    score: int
    channel: str
    comment: str
    created_at: datetime
    wave: int


def lifecycle_wave(tenure_days: float) -> int:
    """The lifecycle programme's wave that would ask a contact of this tenure: initial in
    the first month, moment of truth up to day 120, the third up to day 210, then one
    more every quarter."""
    if tenure_days < 30:
        return 1
    if tenure_days < 120:
        return 2
    return 3 + int((tenure_days - 120) // 90)


def answer(
    rng: random.Random, number: int, people: list[ContactData], anchor: datetime
) -> DemoAnswer:
    """The demo's response number ``number``: a moment in the year before the anchor, spread
    evenly, and a person who had signed up at least three days before it."""
    days_ago = rng.uniform(0.05, 365.0)
    moment = anchor - timedelta(days=days_ago)
    contact = rng.choice(people)
    for _ in range(50):
        if contact.signed_up_at is not None and contact.signed_up_at < moment - timedelta(days=3):
            break
        contact = rng.choice(people)
    assert contact.properties is not None
    props = {k: str(v) for k, v in contact.properties.items()}
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    satisfaction = 8.3 + _effects(props, channel, days_ago) + rng.gauss(0, 2.0)
    score = min(10, max(0, round(satisfaction)))
    category = category_of(score)
    comment = ""
    if rng.random() < COMMENT_RATE[category]:
        weights = _theme_weights(category, props, days_ago)
        theme, other = rng.choices(THEMES, weights, k=2)
        comment = write_comment(rng, category, theme, other if rng.random() < 0.25 else None)
    return DemoAnswer(
        key=f"demo-{number:06d}",
        contact_external_id=str(contact.external_id),
        score=score,
        channel=channel,
        comment=comment,
        created_at=moment.replace(microsecond=0),
        wave=lifecycle_wave(
            (moment - contact.signed_up_at).total_seconds() / 86400 if contact.signed_up_at else 0
        ),
    )


def _effects(props: dict[str, str], channel: str, days_ago: float) -> float:
    effect = (
        PLAN_EFFECT.get(props.get("plan", ""), 0.0)
        + REGION_EFFECT.get(props.get("region", ""), 0.0)
        + ROLE_EFFECT.get(props.get("role", ""), 0.0)
        + CHANNEL_EFFECT[channel]
        # A slow, steady improvement over the year.
        - 0.05 * days_ago / 30
    )
    if REDESIGN_DAY - 60 < days_ago <= REDESIGN_DAY:
        effect -= 1.6 if props.get("role") == "admin" else 1.0
    elif REDESIGN_DAY - 90 < days_ago <= REDESIGN_DAY - 60:
        effect -= 0.5
    if props.get("region") == "APAC":
        effect += 0.6 if days_ago <= EDGE_DAY else -0.6
    return effect


def _theme_weights(category: str, props: dict[str, str], days_ago: float) -> list[float]:
    if category == "promoter":
        weights = dict(zip(THEMES, (1.0, 3.0, 3.0, 2.0, 1.0, 1.5, 2.0), strict=True))
    else:
        weights = dict(zip(THEMES, (3.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.5), strict=True))
    plan, region = props.get("plan"), props.get("region")
    if plan in {"free", "starter"}:
        weights["pricing"] *= 2.5
    if plan == "enterprise":
        weights["integrations"] *= 2.5
        weights["reliability"] *= 2.0
        weights["pricing"] *= 0.4
    if region == "APAC":
        weights["performance"] *= 3.0 if days_ago > EDGE_DAY or category == "promoter" else 1.0
    if category != "promoter" and REDESIGN_DAY - 90 < days_ago <= REDESIGN_DAY:
        weights["ease of use"] *= 4.0
    if props.get("role") == "admin":
        weights["missing features"] *= 1.5
    return [weights[theme] for theme in THEMES]
