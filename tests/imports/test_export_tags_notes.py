"""`npsloop export` writes the responses' tags and notes beside the files import reads back,
each cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from npsloop.contacts.fields import ContactData
from npsloop.surveys.annotations import add_note, change_tags, create_tag
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db
Run = Callable[..., str]


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_tags_and_notes_are_exported_by_response_key(
    workspace: Workspace, other_workspace: Workspace, survey: Survey, run: Run, folder: Path
) -> None:
    made = [
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                contact=ContactData(external_id=f"p{score}"),
                created_at=datetime(2024, 3, score + 1, tzinfo=UTC),
                key=f"r{score}",
            ),
        ).response
        for score in (1, 2)
    ]
    change_tags(made, add=[create_tag(workspace, "pricing")])
    change_tags([made[1]], add=[create_tag(workspace, "=cmd")])
    add_note(made[0], "Called back\n-- Cora", author=None, author_name="Cora")
    add_note(made[1], "+1 agreed", author=None, author_name="@bot")
    create_tag(other_workspace, "theirs")
    out = run("export", "--workspace", workspace.slug, "--out", folder)
    assert "tags.csv: 3 rows" in out and "notes.csv: 2 rows" in out
    assert rows(folder / "tags.csv") == [
        ["key", "tag"],
        ["r1", "pricing"],
        ["r2", "'=cmd"],
        ["r2", "pricing"],
    ]
    notes = rows(folder / "notes.csv")
    assert notes[0] == ["key", "created_at", "author", "body"]
    assert [row[:1] + row[2:] for row in notes[1:]] == [
        ["r1", "Cora", "Called back\n-- Cora"],
        ["r2", "'@bot", "'+1 agreed"],
    ]
