"""Does contacting a detractor change how they answer next time?

For each detractor case opened in the scope, the same person's next answer to the same
survey after the case opened is scored. Cases first contacted before
that next answer form one group, the others (never contacted, or only after answering
again) the other; each group's next answers make an NPS with its interval, and the two
are compared with the test of two independent NPS (`npsloop.stats.compare`).

This is an observation, not an experiment: owners may choose whom they contact, so a
difference says the groups differ, not that the contact caused it. Docs say so too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q

from npsloop.insights.case_scope import CaseScope, cases_in
from npsloop.stats import Comparison, Histogram, Summary, compare, summarize
from npsloop.surveys.models import Category
from npsloop.workspaces.models import Workspace


@dataclass(frozen=True)
class Recovery:
    contacted: Summary  # NPS of the next answers of detractors contacted before answering
    not_contacted: Summary
    comparison: Comparison
    waiting: int  # detractor cases whose person has not answered again (yet)
    small: int  # the workspace's small-group size

    @property
    def too_few(self) -> bool:
        return self.contacted.n < self.small or self.not_contacted.n < self.small

    @property
    def verdict(self) -> str:
        """What may honestly be said about the difference."""
        if self.contacted.n == 0 or self.not_contacted.n == 0:
            return "not enough data: both groups need detractors who answered again"
        if self.too_few:
            return (
                f"too few answers to tell (each group needs at least {self.small}); "
                "no clear difference can be claimed"
            )
        difference = self.comparison.difference
        assert difference is not None
        if not self.comparison.significant:
            return "no clear difference"
        side = "higher" if difference > 0 else "lower"
        return (
            f"{abs(round(difference))} points {side} when contacted \u2014 a clear difference "
            f"(p = {self.comparison.p_value:.3f})"
        )


def recovery(workspace: Workspace, scope: CaseScope) -> Recovery:
    detractors = cases_in(workspace, scope, opened_in_period=True).filter(
        opened_category=Category.DETRACTOR, contact__isnull=False
    )
    # The next answer is kept on the case as it comes (loop/next_answers.py).
    rows = (
        detractors.annotate(
            contacted_first=ExpressionWrapper(
                Q(first_contacted_at__isnull=False, first_contacted_at__lte=F("next_answered_at")),
                output_field=BooleanField(),
            )
        )
        .values("contacted_first", "next_score")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("contacted_first", "next_score", "n")
    )
    bins = {True: [0] * 11, False: [0] * 11}
    waiting = 0
    for contacted_first, score, n in rows:
        if score is None:
            waiting += n
        else:
            bins[bool(contacted_first)][score] += n
    contacted, not_contacted = Histogram(tuple(bins[True])), Histogram(tuple(bins[False]))
    return Recovery(
        contacted=summarize(contacted),
        not_contacted=summarize(not_contacted),
        comparison=compare(contacted, not_contacted),
        waiting=waiting,
        small=workspace.small_group_n,
    )
