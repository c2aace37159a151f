"""The demo's closed loop: a Customer Success team that owns the paying accounts (named by
the accounts' `csm_email`), a Support team that takes the rest in turn, and a year of
cases worked the way a real team works them — most detractors reached within a day or
two, some late, a few never; resolved with outcomes and notes, answers tagged by theme.

The team switched the loop on LOOP_DAYS before the demo's day: older answers have no
case (as on any server that had answers before, migration loop 0002). Every case is
opened and worked through the owners (`loop.cases.react`, `assign`, `move`,
`change`; `surveys.annotations` for tags and notes), replayed at the moments they would
have happened (`at=`). What happens to each case is drawn from its answer's key alone, so
the plan is the same on every run; a case that exists already is left as it is.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from npsloop.contacts.accounts import AccountData, upsert_account
from npsloop.events.follow import follow
from npsloop.loop.cases import Actor, assign, change, mark_overdue, move, react
from npsloop.loop.models import Case, CaseRule, CaseStatus, Outcome, Team
from npsloop.loop.reactions import ANSWERS, FOLLOWER
from npsloop.loop.rules import case_settings
from npsloop.ops.demo.comments import COMPLAINT, PRAISE, THEMES
from npsloop.surveys.annotations import add_note, change_tags, create_tag
from npsloop.surveys.models import Category, Response, Tag
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Role, Workspace

DOMAIN = "acme-cloud.example"
LOOP_DAYS = 120
TEAMS = {
    "Customer Success": (("Maya", "Chen"), ("Jonas", "Becker"), ("Priya", "Nair")),
    "Support": (("Leo", "Garcia"), ("Sara", "Ito")),
}
# Paying customers' companies have a named CSM; the others go to Support in turn.
CSM_PLANS = ("pro", "enterprise")
# (share contacted, median hours to first contact) by the answer's category.
CONTACT: dict[str, tuple[float, float]] = {
    Category.DETRACTOR: (0.75, 14.0),
    Category.PASSIVE: (0.6, 30.0),
    Category.PROMOTER: (0.35, 60.0),
}
OUTCOMES: dict[str, tuple[tuple[str, int], ...]] = {
    Category.DETRACTOR: (
        ("Fixed", 30),
        ("Explained", 25),
        ("Feature request logged", 20),
        ("Churn risk", 15),
        ("No reply", 10),
    ),
    Category.PASSIVE: (("Explained", 40), ("Feature request logged", 40), ("Fixed", 20)),
}
NOTES = (
    "Called them. The main pain is **{theme}**; promised an update by Friday.",
    "Emailed and got a reply within the hour. Logged the {theme} request for the roadmap.",
    "Walked them through a workaround for the {theme} issue; they were happy with it.",
    "Renewal is next quarter and {theme} keeps coming up. Flagged to the account executive.",
)


@dataclass(frozen=True)
class Staff:
    members: list[Member]
    csm_emails: list[str]


@dataclass(frozen=True)
class Work:
    """What the team does with one case, as times after it opened."""

    contact_after: timedelta | None  # never contacted when None
    end_after: timedelta  # resolved (contacted) or closed without contact
    outcome: str | None
    note: str | None
    reassign: bool

    @property
    def contacted(self) -> bool:
        return self.contact_after is not None


def plan_work(seed: int, key: str, category: str, due_hours: int) -> Work:
    """The same plan for the same answer on every run."""
    rng = random.Random(f"{seed}:case:{key}")
    share, median = CONTACT.get(category, CONTACT[Category.PASSIVE])
    if rng.random() < share:
        contact = timedelta(hours=rng.lognormvariate(math.log(median), 0.9))
        end = contact + timedelta(hours=rng.lognormvariate(math.log(40), 0.8))
        weighted = OUTCOMES.get(category, ())
        outcome = (
            rng.choices([o for o, _ in weighted], [w for _, w in weighted])[0] if weighted else None
        )
        theme = rng.choice(THEMES)
        note = (
            rng.choice(NOTES).format(theme=theme)
            if category != Category.PROMOTER and rng.random() < 0.5
            else None
        )
        return Work(contact, end, outcome, note, rng.random() < 0.05)
    # Not reached: closed a few days after it fell due, or still waiting (overdue).
    end = timedelta(hours=due_hours + rng.uniform(24, 240))
    return Work(None, end, None, None, False)


def staff(workspace: Workspace) -> Staff:
    """The demo's case workers and their teams, and which rules each team takes."""
    members: dict[str, list[Member]] = {}
    for team_name, people in TEAMS.items():
        for first, last in people:
            email = f"{first}.{last}@{DOMAIN}".lower()
            user = User.objects.filter(username=email).first()
            if user is None:
                user = User.objects.create_user(
                    username=email, email=email, first_name=first, last_name=last
                )
            members.setdefault(team_name, []).append(add_member(workspace, user, Role.EDITOR))
    case_settings(workspace)
    for team_name, team_members in members.items():
        team, _ = Team.objects.get_or_create(workspace=workspace, name=team_name)
        team.members.add(*team_members)
        # As an admin would set them on the rules: Support answers detractors and passives
        # no CSM owns; Customer Success asks promoters for reviews.
        kinds = (
            ("Detractors", "Passives who commented")
            if team_name == "Support"
            else ("Promoters (advocacy)",)
        )
        CaseRule.objects.filter(workspace=workspace, name__in=kinds, team__isnull=True).update(
            team=team
        )
    csms = members["Customer Success"]
    return Staff(
        members=[m for team in members.values() for m in team],
        csm_emails=[m.user.email for m in csms],
    )


def name_csms(workspace: Workspace, accounts: list[tuple[str, str]], csm_emails: list[str]) -> None:
    """Give each paying account its CSM (`csm_email`), in turn."""
    paying = [external_id for external_id, plan in accounts if plan in CSM_PLANS]
    for number, external_id in enumerate(paying):
        upsert_account(
            workspace,
            AccountData(
                external_id, properties={"csm_email": csm_emails[number % len(csm_emails)]}
            ),
        )


def themes_of(comment: str) -> list[str]:
    text = comment.lower()
    return [
        theme
        for theme in THEMES
        if any(s.lower() in text for s in COMPLAINT[theme] + PRAISE[theme])
    ]


def work_cases(
    workspace: Workspace, seed: int, team: Staff, since: datetime, *, batch: int = 200
) -> int:
    """Open the cases of the answers since `since` (each at the moment it came in) and
    work the new ones as planned, up to now; returns how many cases were opened."""
    now = timezone.now()
    # The answers were read before the loop was on: the worker's follower skips them,
    # and the ones since then are answered here, at their own moments.
    follow(FOLLOWER, workspace.pk, lambda events: None, types=ANSWERS)
    had_case = set(Case.objects.filter(workspace=workspace).values_list("response_id", flat=True))
    responses = list(
        Response.objects.filter(workspace=workspace, created_at__gte=since)
        .select_related("workspace", "contact", "account")
        .order_by("created_at", "id")
    )
    outcomes = {o.name: o for o in Outcome.objects.filter(workspace=workspace)}
    tags: dict[str, Tag] = {}
    opened = 0
    for start in range(0, len(responses), batch):
        with transaction.atomic():
            for response in responses[start : start + batch]:
                case = react(response, at=response.created_at)
                if case is None or response.pk in had_case:
                    continue
                opened += 1
                _work(case, response, seed, team, outcomes, tags, now)
    mark_overdue(now=now)
    return opened


def _work(
    case: Case,
    response: Response,
    seed: int,
    team: Staff,
    outcomes: dict[str, Outcome],
    tags: dict[str, Tag],
    now: datetime,
) -> None:
    due_hours = round((case.due_at - case.opened_at).total_seconds() / 3600)
    work = plan_work(seed, response.key, case.opened_category, due_hours)
    rng = random.Random(f"{seed}:worker:{response.key}")
    if work.contact_after is None:
        if case.opened_at + work.end_after < now:
            move(
                case,
                CaseStatus.CLOSED,
                by=_actor(case, team, rng),
                at=case.opened_at + work.end_after,
            )
        return
    contacted_at = case.opened_at + work.contact_after
    if contacted_at >= now:
        return
    if case.owner is None or work.reassign:
        taker = rng.choice([m for m in team.members if m.pk != case.owner_id])
        case = assign(case, taker, by=Actor.of(taker.user), at=contacted_at - timedelta(minutes=5))
    by = _actor(case, team, rng)
    case = move(case, CaseStatus.CONTACTED, by=by, at=contacted_at)
    themes = themes_of(response.comment)
    if themes:
        for theme in themes:
            if theme not in tags:
                tags[theme] = create_tag(case.workspace, theme)
        change_tags([response], add=[tags[t] for t in themes], by=by.user, now=contacted_at)
    if work.note:
        add_note(response, work.note, author=by.user, author_name=by.name, at=contacted_at)
    ended_at = case.opened_at + work.end_after
    if ended_at >= now:
        return
    case = move(case, CaseStatus.RESOLVED, by=by, at=ended_at)
    if work.outcome in outcomes:
        change(case, outcome=outcomes[work.outcome], by=by, at=ended_at)


def _actor(case: Case, team: Staff, rng: random.Random) -> Actor:
    member = case.owner or rng.choice(team.members)
    return Actor.of(member.user)
