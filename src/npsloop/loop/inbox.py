"""The inbox: which cases a member sees under each tab and filter, in which order, how many
each tab holds, and every matching case as rows of the CSV export.

Every query starts at the workspace's cases, so the indexes that begin with the workspace
(case_queue, case_owner, case_opened) carry it; the tab counts are one grouped query over
the filtered cases, not one query per tab.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Case as When_
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from npsloop.loop.models import Case, CaseStatus, Priority
from npsloop.surveys.models import ResponseTag, Tag
from npsloop.workspaces.models import Workspace

TABS = {
    "mine": "My cases",
    "unassigned": "Unassigned",
    "overdue": "Overdue",
    "all": "All",
}
# Cases someone still has to work: the inbox shows these unless asked for others.
WORKING = (CaseStatus.OPEN, CaseStatus.CONTACTED)
URGENCY = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)
SORTS = {
    "due": "Due date",
    "opened": "Newest first",
    "priority": "Priority",
}


@dataclass(frozen=True)
class Criteria:
    """What the inbox is filtered by (every part optional but the statuses)."""

    statuses: tuple[str, ...] = WORKING
    category: str | None = None
    kind: str | None = None
    survey_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    account_id: int | None = None
    tag_id: int | None = None
    opened_since: datetime | None = None
    opened_until: datetime | None = None  # exclusive


def matching(workspace: Workspace, criteria: Criteria) -> QuerySet[Case]:
    """The workspace's cases that the criteria let through, in no order."""
    cases = Case.objects.filter(workspace=workspace)
    if tuple(criteria.statuses) != tuple(CaseStatus.values):
        cases = cases.filter(status__in=criteria.statuses)
    exact = {
        "category": criteria.category,
        "kind": criteria.kind,
        "survey_id": criteria.survey_id,
        "owner_id": criteria.owner_id,
        "team_id": criteria.team_id,
        "account_id": criteria.account_id,
        "opened_at__gte": criteria.opened_since,
        "opened_at__lt": criteria.opened_until,
    }
    cases = cases.filter(**{name: value for name, value in exact.items() if value is not None})
    if criteria.tag_id is not None:
        cases = cases.filter(
            Exists(
                ResponseTag.objects.filter(
                    response_id=OuterRef("response_id"), tag_id=criteria.tag_id
                )
            )
        )
    return cases


def tab_condition(tab: str, member_id: int | None, now: datetime) -> Q:
    """The cases a tab holds. "Overdue" is what the overdue job marks: open past due (a
    contacted case has had its answer in time)."""
    if tab == "mine":
        # A staff user outside the workspace owns nothing in it.
        return Q(owner_id=member_id) if member_id is not None else Q(pk__in=[])
    if tab == "unassigned":
        return Q(owner__isnull=True)
    if tab == "overdue":
        return Q(status=CaseStatus.OPEN, due_at__lt=now)
    return Q()


def tab_counts(
    workspace: Workspace, criteria: Criteria, member_id: int | None, now: datetime
) -> dict[str, int]:
    """How many of the filtered cases each tab holds, in one query."""
    per_tab = {
        tab: Count("pk", filter=tab_condition(tab, member_id, now)) for tab in TABS if tab != "all"
    }
    counts = matching(workspace, criteria).aggregate(all=Count("pk"), **per_tab)
    return {tab: counts[tab] or 0 for tab in TABS}


def in_tab(
    workspace: Workspace,
    criteria: Criteria,
    tab: str,
    member_id: int | None,
    sort: str,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The cases of one tab, sorted."""
    now = now or timezone.now()
    cases = matching(workspace, criteria).filter(tab_condition(tab, member_id, now))
    return sorted_cases(cases, sort)


def page_of(cases: QuerySet[Case], offset: int, limit: int) -> list[Case]:
    """One page of sorted cases with what a row shows. The page's ids are found first, from
    the cases' own indexes alone; only those few rows are then read with their response,
    contact, account and owner, so neither a deep page nor the planning of the joins costs
    in proportion to the queue."""
    ids = list(cases.values_list("pk", flat=True)[offset : offset + limit])
    rows = Case.objects.filter(pk__in=ids).select_related(*ROW_RELATIONS)
    by_id = {case.pk: case for case in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


ROW_RELATIONS = ("response", "survey", "contact", "account", "owner__user", "team", "outcome")


def sorted_cases(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    if sort == "opened":
        return cases.order_by("-opened_at", "-pk")
    if sort == "priority":
        urgency = When_(
            *(When(priority=name, then=Value(rank)) for rank, name in enumerate(URGENCY)),
            output_field=IntegerField(),
        )
        return cases.order_by(urgency, "due_at", "pk")
    return cases.order_by("due_at", "pk")


def tags_by_response(response_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tag names of each of these responses (one query), in alphabetical order."""
    tags: dict[int, list[str]] = defaultdict(list)
    links = ResponseTag.objects.filter(response_id__in=list(response_ids)).values_list(
        "response_id", "tag__name"
    )
    for response_id, name in links:
        tags[response_id].append(name)
    for names in tags.values():
        names.sort(key=str.casefold)
    return tags


EXPORT_HEADER = (
    "case_id",
    "response_id",
    "opened_at",
    "due_at",
    "status",
    "owner",
    "team",
    "kind",
    "category",
    "score",
    "comment",
    "contact_external_id",
    "contact_email",
    "account",
    "survey",
    "priority",
    "outcome",
    "tags",
    "first_contacted_at",
    "closed_at",
    "recovered",
)
EXPORT_BATCH = 1000


def export_rows(cases: QuerySet[Case]) -> Iterator[Sequence[object]]:
    """Every case of the query as a row of EXPORT_HEADER, read in batches (with the tags of
    each batch in one more query) so an export of every case never sits in memory."""
    batch: list[Case] = []
    for case in cases.select_related(*ROW_RELATIONS).iterator(chunk_size=EXPORT_BATCH):
        batch.append(case)
        if len(batch) == EXPORT_BATCH:
            yield from _export_batch(batch)
            batch = []
    yield from _export_batch(batch)


def _export_batch(cases: list[Case]) -> Iterator[Sequence[object]]:
    tags = tags_by_response(case.response_id for case in cases)
    for case in cases:
        response, contact = case.response, case.contact
        owner = case.owner.user if case.owner else None
        yield (
            case.pk,
            case.response_id,
            _iso(case.opened_at),
            _iso(case.due_at),
            case.status,
            owner.email if owner else "",
            case.team.name if case.team else "",
            case.kind,
            case.category,
            response.score,
            "" if response.erased_at else response.comment,
            contact.external_id if contact else "",
            contact.email if contact else "",
            case.account.external_id if case.account else "",
            case.survey.name,
            case.priority,
            case.outcome.name if case.outcome else "",
            "; ".join(tags.get(case.response_id, [])),
            _iso(case.first_contacted_at),
            _iso(case.closed_at),
            "yes" if case.recovered else "no",
        )


def _iso(when: datetime | None) -> str:
    if when is None:
        return ""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def known_tag(workspace: Workspace, name: str) -> Tag | None:
    return Tag.objects.filter(workspace=workspace, name__iexact=" ".join(name.split())).first()
