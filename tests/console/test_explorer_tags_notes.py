"""The explorer's CSV carries each response's tags and notes, neutralised like every cell."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from npsloop.contacts.fields import ContactData
from npsloop.insights import explorer
from npsloop.surveys.annotations import add_note, change_tags, create_tag
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(workspace: Workspace) -> Client:
    user = get_user_model().objects.create_user(f"viewer-{workspace.slug}")
    add_member(workspace, user, "viewer")
    client = Client()
    client.force_login(user)
    return client


def rows(reply: Any) -> list[dict[str, str]]:
    body = b"".join(reply.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_tags_and_notes_are_columns(
    workspace: Workspace, survey: Survey, viewer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(explorer, "EXPORT_CHUNK", 2)  # several chunks, each looked up once
    made = [
        record_response(
            workspace,
            ResponseData(survey=survey, score=score, contact=ContactData(external_id=f"p{score}")),
        ).response
        for score in (1, 2, 3)
    ]
    change_tags(made[:2], add=[create_tag(workspace, "pricing"), create_tag(workspace, "Bug")])
    change_tags([made[2]], add=[create_tag(workspace, "=HYPERLINK(1)")])
    add_note(made[0], "Called back", author=None, author_name="Cora")
    add_note(made[0], "=1+1 fixed", author=None, author_name="Dev")
    add_note(made[2], "ok", author=None, author_name="@evil")
    found = {
        int(r["id"]): r for r in rows(viewer.get(f"/w/{workspace.slug}/responses/?format=csv"))
    }
    first, second, third = (found[r.pk] for r in made)
    assert first["tags"] == second["tags"] == "Bug; pricing"
    cora, dev = (n.created_at.strftime("%Y-%m-%d") for n in made[0].notes.order_by("pk"))
    assert first["notes"] == f"Cora, {cora}: Called back\n\nDev, {dev}: =1+1 fixed"
    assert second["notes"] == ""
    assert third["tags"] == "'=HYPERLINK(1)"
    assert third["notes"].startswith("'@evil, ")
