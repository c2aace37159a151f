"""The response page shows and edits the tags and notes of any response, case or not, and
links to the response's case when it has one."""

from __future__ import annotations

import pytest
from console_fixtures import SignedIn
from django.urls import reverse

from npsloop.events.models import Event
from npsloop.loop.models import Case
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.annotations import create_tag
from npsloop.surveys.models import Note, Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Role, Workspace

pytestmark = pytest.mark.django_db


def answered(workspace: Workspace, survey: Survey, score: int) -> Response:
    response = record_response(workspace, ResponseData(survey=survey, score=score)).response
    follow_answers(workspace.pk)
    return response


def url(response: Response) -> str:
    return reverse("dash-response", args=[response.workspace.slug, response.pk])


def test_an_editor_tags_and_notes_a_response_without_a_case(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    promoter = answered(workspace, survey, 9)
    Case.objects.filter(response=promoter).delete()  # the default rules open advocacy cases
    client = signed_in(workspace, Role.EDITOR)
    create_tag(workspace, "praise")
    page = client.get(url(promoter)).content.decode()
    assert 'id="case-link"' not in page and "No tags." in page and "No notes." in page
    added = client.post(url(promoter) + "?period=90d", {"action": "new_tag", "name": "praise"})
    assert added.status_code == 302 and added["Location"].endswith("?period=90d#tags")
    noted = client.post(url(promoter), {"action": "add_note", "body": "Ask for a _quote_"})
    assert noted.status_code == 302
    page = client.get(url(promoter)).content.decode()
    assert '<span class="badge">praise</span>' in page and "<em>quote</em>" in page
    assert Event.objects.filter(type="response.tagged").count() == 1
    assert Event.objects.filter(type="response.noted").count() == 1
    refused = client.post(url(promoter), {"action": "add_note", "body": "  "})
    assert refused.status_code == 422 and b"must be the note&#x27;s text" in refused.content


def test_the_response_page_links_its_case(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    detractor = answered(workspace, survey, 1)
    case = Case.objects.get(response=detractor)
    page = signed_in(workspace, Role.VIEWER).get(url(detractor)).content.decode()
    assert reverse("console-case", args=[workspace.slug, case.pk]) in page
    assert 'name="action"' not in page  # viewers read tags and notes, nothing more


def test_viewers_and_other_workspaces_change_nothing(
    workspace: Workspace,
    survey: Survey,
    other_workspace: Workspace,
    signed_in: SignedIn,
) -> None:
    response = answered(workspace, survey, 5)
    viewer = signed_in(workspace, Role.VIEWER)
    assert viewer.post(url(response), {"action": "add_note", "body": "x"}).status_code == 403
    outsider = signed_in(other_workspace, Role.OWNER)
    theirs_url = reverse("dash-response", args=[other_workspace.slug, response.pk])
    assert outsider.post(theirs_url, {"action": "add_note", "body": "x"}).status_code == 404
    assert outsider.post(url(response), {"action": "add_note", "body": "x"}).status_code == 404
    assert not Note.objects.exists()
