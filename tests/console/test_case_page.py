"""The case page: the response in context with the case's actions, each refused clearly
(conflicts, moves off the path, roles, other workspaces), and the history of it all."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from console_fixtures import SignedIn
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.events.models import Event
from npsloop.loop.cases import Actor, assign
from npsloop.loop.models import Case, CaseStatus, Outcome
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.annotations import create_tag
from npsloop.surveys.models import Note, ResponseTag, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Role, Workspace

pytestmark = pytest.mark.django_db


def open_case(workspace: Workspace, survey: Survey, who: str = "u-1", score: int = 2) -> Case:
    recorded = record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=score,
            comment="Billing is <b>confusing</b>\nand slow",
            contact=ContactData(external_id=who, email=f"{who}@example.com", name="Ann Lee"),
        ),
    )
    follow_answers(workspace.pk)
    return Case.objects.get(response=recorded.response)


def sign_in(workspace: Workspace, email: str, role: str = Role.EDITOR) -> tuple[Client, Member]:
    user = User.objects.create_user(
        username=email, email=email, first_name=email.split("@")[0].title()
    )
    member = add_member(workspace, user, role)
    client = Client()
    client.force_login(user)
    return client, member


@pytest.fixture
def case(workspace: Workspace, survey: Survey) -> Case:
    return open_case(workspace, survey)


@pytest.fixture
def cora(workspace: Workspace) -> tuple[Client, Member]:
    return sign_in(workspace, "cora@acme.test")


def url(case: Case) -> str:
    return reverse("console-case", args=[case.workspace.slug, case.pk])


def post(client: Client, case: Case, **data: object) -> object:
    return client.post(url(case), data)


def test_it_shows_the_answer_in_context_with_the_actions(
    case: Case, cora: tuple[Client, Member]
) -> None:
    client, _ = cora
    page = client.get(url(case))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Billing is &lt;b&gt;confusing&lt;/b&gt;" in html  # the comment, escaped
    assert "Every ask" in html and "Every response of this person" in html
    # Only the statuses an open case may go to.
    assert 'name="status" value="contacted"' in html and 'value="closed"' in html
    assert 'name="status" value="resolved"' not in html
    assert f'name="version" value="{case.version}"' in html
    assert "Fixed" in html and "Churn risk" in html  # the outcome list
    assert "Hi Ann," in html and "&gt; Billing is &lt;b&gt;confusing" in html  # the draft
    assert "opened the case by the rule" in html


def test_assigning_moving_and_changing(
    case: Case, cora: tuple[Client, Member], workspace: Workspace
) -> None:
    client, me = cora
    answer = post(client, case, action="assign", owner="me", version=case.version)
    assert answer.status_code == 302 and answer["Location"].endswith("?done=case#case")
    case.refresh_from_db()
    assert case.owner_id == me.pk
    post(client, case, action="move", status="contacted", version=case.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONTACTED and case.status_changed_by == me.user
    explained = Outcome.objects.get(workspace=workspace, name="Explained")
    due = timezone.localtime(case.due_at, ZoneInfo(workspace.time_zone)) + timedelta(days=2)
    post(
        client,
        case,
        action="change",
        outcome=explained.pk,
        due=due.strftime("%Y-%m-%dT%H:%M"),
        priority="urgent",
        version=case.version,
    )
    case.refresh_from_db()
    assert case.outcome == explained and case.priority == "urgent"
    assert case.due_at == due.replace(second=0, microsecond=0)
    history = client.get(url(case)).content.decode()
    assert history.index("changed outcome (was none)") < history.index("moved it from open")
    assert "gave the case to Cora" in history
    was = timezone.localtime(due - timedelta(days=2), ZoneInfo(workspace.time_zone))
    assert f"due (was {was:%d %b %Y %H:%M})" in history


def test_saving_the_same_due_minute_changes_nothing_of_it(
    case: Case, cora: tuple[Client, Member], workspace: Workspace
) -> None:
    client, _ = cora
    shown = timezone.localtime(case.due_at, ZoneInfo(workspace.time_zone))
    post(
        client,
        case,
        action="change",
        outcome="",
        due=shown.strftime("%Y-%m-%dT%H:%M"),
        priority="low",
        version=case.version,
    )
    changed = Case.objects.get(pk=case.pk)
    assert changed.due_at == case.due_at and changed.priority == "low"
    assert Event.objects.filter(type="case.updated").latest("id").data["previous"] == {
        "priority": case.priority
    }


def test_an_edit_from_an_older_page_is_a_conflict_naming_who_and_when(
    case: Case, cora: tuple[Client, Member], workspace: Workspace
) -> None:
    client, _ = cora
    seen = case.version
    dev = sign_in(workspace, "dev@acme.test")[1]
    assign(case, dev, by=Actor.of(dev.user), version=seen)
    answer = post(client, case, action="move", status="closed", version=seen)
    assert answer.status_code == 409
    when = timezone.localtime(Case.objects.get(pk=case.pk).updated_at, ZoneInfo("UTC"))
    assert f"Dev changed this case at {when:%H:%M} — reload to see it" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    # The page answered shows the case as it is now, with the version to edit it from.
    assert f'name="version" value="{seen + 1}"' in answer.content.decode()


def test_a_move_off_the_path_names_the_allowed_ones(
    case: Case, cora: tuple[Client, Member]
) -> None:
    client, _ = cora
    answer = post(client, case, action="move", status="resolved", version=case.version)
    assert answer.status_code == 409
    assert "it can become contacted, closed" in answer.content.decode()
    answer = post(client, case, action="move", status="done", version=case.version)
    assert answer.status_code == 422
    assert "must be one of open, contacted, resolved, closed" in answer.content.decode()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"action": "assign", "owner": "12345678"}, "owner"),
        ({"action": "change", "outcome": "x", "due": "tomorrow", "priority": "low"}, "outcome"),
        ({"action": "change", "outcome": "", "due": "tomorrow", "priority": "low"}, "due"),
        ({"action": "change", "outcome": "", "due": "", "priority": "asap"}, "due"),
        ({"action": "explode"}, "action"),
        ({"action": "move", "status": "contacted", "version": "v1"}, "version"),
    ],
)
def test_bad_input_is_refused_with_what_is_accepted(
    case: Case, cora: tuple[Client, Member], data: dict[str, str], field: str
) -> None:
    client, _ = cora
    answer = client.post(url(case), {"version": str(case.version), **data})
    assert answer.status_code == 422
    assert f"<strong>{field}</strong>:" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_an_owner_from_another_workspace_or_a_viewer_is_refused(
    case: Case, cora: tuple[Client, Member], workspace: Workspace, other_workspace: Workspace
) -> None:
    client, _ = cora
    stranger = sign_in(other_workspace, "spy@other.test", Role.OWNER)[1]
    viewer = sign_in(workspace, "vic@acme.test", Role.VIEWER)[1]
    for member in (stranger, viewer):
        answer = post(client, case, action="assign", owner=member.pk, version=case.version)
        assert answer.status_code == 422
    assert Case.objects.get(pk=case.pk).owner_id is None


def test_viewers_read_the_case_and_may_change_nothing(
    case: Case, workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, Role.VIEWER)
    page = client.get(url(case))
    assert page.status_code == 200
    assert b'name="action"' not in page.content and b"read-only" in page.content
    tag = create_tag(workspace, "billing")
    for data in (
        {"action": "move", "status": "contacted", "version": case.version},
        {"action": "add_note", "body": "hi"},
        {"action": "add_tag", "tag": tag.pk},
        {"action": "reply", "subject": "s", "body": "b", "version": case.version},
    ):
        assert client.post(url(case), data).status_code == 403
    assert Case.objects.get(pk=case.pk).version == case.version
    assert not Note.objects.exists() and not ResponseTag.objects.exists()


def test_another_workspaces_case_is_not_found(
    case: Case, other_workspace: Workspace, other_survey: Survey, signed_in: SignedIn
) -> None:
    theirs = open_case(other_workspace, other_survey, who="them")
    client = signed_in(case.workspace, Role.OWNER)
    mine = case.workspace.slug
    assert client.get(reverse("console-case", args=[mine, theirs.pk])).status_code == 404
    answer = client.post(
        reverse("console-case", args=[mine, theirs.pk]),
        {"action": "move", "status": "closed", "version": theirs.version},
    )
    assert answer.status_code == 404
    assert Case.objects.get(pk=theirs.pk).status == CaseStatus.OPEN
    outsider = signed_in(other_workspace, Role.OWNER)
    assert outsider.get(url(case)).status_code == 404


def test_tags_from_the_list_new_ones_and_none_of_another_workspace(
    case: Case, cora: tuple[Client, Member], workspace: Workspace, other_workspace: Workspace
) -> None:
    client, _ = cora
    billing = create_tag(workspace, "billing")
    theirs = create_tag(other_workspace, "secret")
    assert post(client, case, action="add_tag", tag=billing.pk).status_code == 302
    assert post(client, case, action="new_tag", name="  Pricing  page ").status_code == 302
    names = set(case.response.tag_links.values_list("tag__name", flat=True))
    assert names == {"billing", "Pricing page"}
    refused = post(client, case, action="add_tag", tag=theirs.pk)
    assert refused.status_code == 422 and b"secret" not in refused.content
    assert b"must be one of this workspace&#x27;s tags (billing, Pricing page)" in refused.content
    post(client, case, action="remove_tag", tag=billing.pk)
    assert list(case.response.tag_links.values_list("tag__name", flat=True)) == ["Pricing page"]
    assert post(client, case, action="new_tag", name="x" * 51).status_code == 422


def test_notes_are_markdown_shown_inert(case: Case, cora: tuple[Client, Member]) -> None:
    client, _ = cora
    body = (
        "**Called** them, see [the ticket](https://help.example.com/t/1).\n\n"
        '<script>alert("x")</script> [click](javascript:alert(1)) '
        '<img src=x onerror="alert(2)">'
    )
    assert post(client, case, action="add_note", body=body).status_code == 302
    html = client.get(url(case)).content.decode()
    assert "<strong>Called</strong>" in html
    assert '<a href="https://help.example.com/t/1" rel="noopener nofollow">the ticket</a>' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert 'href="javascript:' not in html and "<img" not in html
    assert "Cora</strong> wrote a note" in html
    too_long = post(client, case, action="add_note", body="x" * 10_001)
    assert too_long.status_code == 422 and b"at most 10,000 characters" in too_long.content
