"""Account-level NPS for the dashboard's accounts pages: each account's score in the
period against the period before, which accounts are at risk and why, and the people
behind one account's score."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from npsloop.contacts.models import Account, Contact
from npsloop.insights.dashboard import grouped
from npsloop.insights.filters import Filters, responses_in
from npsloop.stats import Comparison, Histogram, Summary, compare, summarize
from npsloop.workspaces.models import Workspace


@dataclass(frozen=True)
class AccountRow:
    account_id: int | None
    external_id: str | None
    name: str
    summary: Summary
    previous: Summary
    comparison: Comparison
    detractors_now: int
    detractors_before: int

    @property
    def at_risk(self) -> bool:
        dropped = self.comparison.significant and (self.comparison.difference or 0) < 0
        new_detractors = self.detractors_now > 0 and self.detractors_before == 0
        return dropped or new_detractors

    @property
    def risk_reason(self) -> str:
        reasons = []
        if self.comparison.significant and (self.comparison.difference or 0) < 0:
            reasons.append(f"dropped {abs(round(self.comparison.difference or 0))} points")
        if self.detractors_now > 0 and self.detractors_before == 0:
            reasons.append(f"{self.detractors_now} new detractor(s)")
        return "; ".join(reasons)


def accounts(workspace: Workspace, filters: Filters) -> list[AccountRow]:
    """Account-level NPS for the period against the period before, busiest accounts first."""
    now = dict(grouped(workspace, filters.query(group_by=["account"]), "account"))
    earlier_query = filters.query(filters.period.previous(), ["account"])
    before = dict(grouped(workspace, earlier_query, "account"))
    keys = [key for key in now if key is not None]
    info = {
        external_id: (pk, name)
        for pk, external_id, name in Account.objects.filter(
            workspace=workspace, external_id__in=keys
        ).values_list("pk", "external_id", "name")
    }
    rows = []
    for key in keys:
        h, earlier = now[key], before.get(key, Histogram.empty())
        pk, name = info.get(key, (None, ""))
        rows.append(
            AccountRow(
                pk,
                key,
                name or key,
                summarize(h),
                summarize(earlier),
                compare(h, earlier),
                h.detractors,
                earlier.detractors,
            )
        )
    rows.sort(key=lambda r: (-r.summary.n, r.name))
    return rows


@dataclass(frozen=True)
class PersonRow:
    contact_id: int
    name: str
    email: str
    responses: int
    latest_score: int | None
    latest_at: datetime | None


def account_people(workspace: Workspace, account_id: int, filters: Filters) -> list[PersonRow]:
    """The account's contacts with their latest score in the period (all who answered)."""
    responses = responses_in(workspace, replace(filters, account_id=account_id))
    latest: dict[int, tuple[datetime, int]] = {}
    counts: dict[int, int] = defaultdict(int)
    for contact_id, created_at, score in responses.values_list("contact_id", "created_at", "score"):
        if contact_id is None:
            continue
        counts[contact_id] += 1
        if contact_id not in latest or created_at > latest[contact_id][0]:
            latest[contact_id] = (created_at, score)
    people = Contact.objects.filter(workspace=workspace, account_id=account_id)
    rows = []
    for person in people.order_by("name", "pk")[:500]:
        seen = latest.get(person.pk)
        rows.append(
            PersonRow(
                person.pk,
                person.name or person.email or person.external_id or f"contact {person.pk}",
                person.email or "",
                counts.get(person.pk, 0),
                seen[1] if seen else None,
                seen[0] if seen else None,
            )
        )
    rows.sort(key=lambda r: (r.latest_score is None, r.latest_score or 0, r.name))
    return rows
