"""The demo's closed loop: teams, owners named by the accounts' csm_email, and cases in
every state, opened and worked through the owners, so the inbox and the follow-up tab are
alive on first run."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from npsloop.cli import main
from npsloop.contacts.models import Account
from npsloop.events.models import Event
from npsloop.insights.case_scope import CaseScope
from npsloop.insights.filters import resolve_filters, today_in
from npsloop.insights.recovery import recovery
from npsloop.loop.models import ActivityKind, Case, CaseActivity, CaseStatus, Team
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.models import Note, Response, ResponseTag
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db
DEMO = ["demo", "--contacts", "500", "--responses", "1000"]


@pytest.fixture
def demo() -> Workspace:
    assert main(DEMO) == 0
    return Workspace.objects.get(slug="acme-cloud")


def test_it_has_teams_and_routes_paying_accounts_to_their_csm(demo: Workspace) -> None:
    teams = {t.name: sorted(m.user.first_name for m in t.members.all()) for t in Team.objects.all()}
    assert teams == {"Customer Success": ["Jonas", "Maya", "Priya"], "Support": ["Leo", "Sara"]}
    paying = Account.objects.filter(workspace=demo, properties__has_key="csm_email")
    assert paying.exists()
    routed = Case.objects.filter(account__in=paying).select_related("owner__user", "account")
    assert routed.exists()
    for case in routed:
        opened = case.activity.get(kind=ActivityKind.OPENED)
        assert opened.data["routed"] == "csm_email names them"
        if not case.activity.filter(kind=ActivityKind.ASSIGNED).exists():  # not reassigned
            assert case.owner and case.owner.user.email == case.account.properties["csm_email"]
    assert Case.objects.filter(team__name="Support").exists()


def test_its_cases_are_in_every_state_with_outcomes_notes_and_tags(demo: Workspace) -> None:
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) >= {CaseStatus.OPEN, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    now = timezone.now()
    assert Case.objects.filter(status=CaseStatus.OPEN, due_at__lt=now).exists()  # overdue
    assert Case.objects.filter(status=CaseStatus.OPEN, due_at__gt=now).exists()  # not yet due
    resolved = Case.objects.filter(status=CaseStatus.RESOLVED)
    # Follow-ups end with an outcome; advocacy cases (asking promoters for a review) don't.
    assert not resolved.filter(kind="follow_up", outcome__isnull=True).exists()
    assert resolved.filter(kind="follow_up").exists()
    assert all(c.first_contacted_at and c.closed_at for c in resolved)
    assert Note.objects.filter(workspace=demo).exists()
    assert ResponseTag.objects.exists()
    # The cases and their history were written by the owners, with their events.
    assert Event.objects.filter(type="case.opened").count() == Case.objects.count()
    assert CaseActivity.objects.filter(kind=ActivityKind.OPENED).count() == Case.objects.count()
    # Opened when each answer came in, not when the demo was loaded.
    for case in Case.objects.select_related("response")[:50]:
        assert case.opened_at == case.response.created_at


def test_some_contacted_detractors_came_back_as_promoters(demo: Workspace) -> None:
    recovered = 0
    for case in Case.objects.filter(
        opened_category="detractor", first_contacted_at__isnull=False
    ).select_related("response"):
        later = (
            Response.objects.filter(
                contact_id=case.contact_id, created_at__gt=case.response.created_at
            )
            .order_by("created_at")
            .first()
        )
        if later and later.category == "promoter" and later.created_at > case.first_contacted_at:
            recovered += 1
    assert recovered >= 3
    filters = resolve_filters(demo, {"period": "year"}, today_in(demo))
    found = recovery(demo, CaseScope(filters))
    assert found.contacted.n > 0 and found.not_contacted.n > 0
    assert found.contacted.nps_exact is not None and found.not_contacted.nps_exact is not None
    assert found.contacted.nps_exact > found.not_contacted.nps_exact


def test_loading_again_and_the_worker_change_no_case(
    demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    before = list(Case.objects.order_by("pk").values())
    events = Event.objects.count()
    capsys.readouterr()
    assert main(DEMO) == 0
    assert "; 0 cases opened" in capsys.readouterr().out
    follow_answers(demo.pk)  # the worker, later: every answer was handled already
    assert list(Case.objects.order_by("pk").values()) == before
    assert Event.objects.count() == events
