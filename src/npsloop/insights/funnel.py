"""How asks turn into answers: asked → delivered → responded → commented.

Counted per ask, by when it was made (a cohort): of the people asked in March, how many
got the email, answered, and wrote a comment — whenever they answered. Asks the contact
rules stopped (cancelled) were never asked and don't count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek

from npsloop.insights.metrics import COHORT_GROUPS, MetricsQuery, moment, response_label
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.workspaces.models import Workspace

# An expired ask is a widget ask that was shown and dismissed too often: it was displayed.
DELIVERED = (AskStatus.SENT, AskStatus.RESPONDED, AskStatus.EXPIRED)
TRUNCS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


@dataclass(frozen=True)
class Funnel:
    asked: int = 0
    delivered: int = 0
    responded: int = 0
    commented: int = 0

    @property
    def response_rate(self) -> float | None:
        """Answers per delivered ask; None when nothing was delivered."""
        if not self.delivered:
            return None
        return round(self.responded / self.delivered, 4)

    def as_dict(self) -> dict[str, Any]:
        return {
            "asked": self.asked,
            "delivered": self.delivered,
            "responded": self.responded,
            "commented": self.commented,
            "response_rate": self.response_rate,
        }


def ask_funnel(workspace: Workspace, query: MetricsQuery) -> dict[tuple[str | None, ...], Funnel]:
    """The funnel per group of `query.group_by` (the same labels as the NPS groups).

    Nothing when the query asks for a tag: tags are put on answers, so no ask that went
    unanswered has one, and a funnel of the tagged would show every ask answered."""
    if query.tag_id is not None:
        return {}
    zone = ZoneInfo(workspace.time_zone)
    asks = SurveyRequest.objects.filter(workspace=workspace).exclude(status=AskStatus.CANCELLED)
    if query.survey_id is not None:
        asks = asks.filter(survey_id=query.survey_id)
    if query.channel is not None:
        asks = asks.filter(channel=query.channel)
    if query.wave is not None:
        asks = asks.filter(wave=query.wave or None)
    if query.account_id is not None:
        asks = asks.filter(contact__account_id=query.account_id)
    if query.since is not None:
        asks = asks.filter(created_at__gte=moment(query.since, zone))
    if query.until is not None:
        asks = asks.filter(created_at__lt=moment(query.until, zone))
    counts = {
        "asked": Count("pk"),
        "delivered": Count("pk", filter=Q(status__in=DELIVERED)),
        "responded": Count("response"),
        "commented": Count("response", filter=~Q(response__comment="")),
    }
    if not query.group_by:
        totals = asks.aggregate(**counts)
        return {(): Funnel(**totals)} if totals["asked"] else {}
    columns = {f"g_{i}": _column(name, zone) for i, name in enumerate(query.group_by)}
    rows = asks.annotate(**columns).values(*columns).annotate(**counts).order_by()
    return {
        _key(query.group_by, row): Funnel(
            row["asked"], row["delivered"], row["responded"], row["commented"]
        )
        for row in rows
    }


def _column(name: str, zone: ZoneInfo) -> Any:
    if name in TRUNCS:
        return TRUNCS[name]("created_at", tzinfo=zone)
    if name == "channel":
        return F("channel")
    if name == "survey":
        return F("survey_id")
    if name == "wave":
        return F("wave")
    if name in COHORT_GROUPS:
        return TRUNCS[COHORT_GROUPS[name]]("contact__signed_up_at", tzinfo=zone)
    if name == "account":
        return F("contact__account__external_id")
    return KeyTextTransform(name, "contact__properties")


def _key(names: Iterable[str], row: dict[str, Any]) -> tuple[str | None, ...]:
    return tuple(response_label(name, row[f"g_{i}"]) for i, name in enumerate(names))
