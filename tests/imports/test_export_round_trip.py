"""Export, import elsewhere, export again: the same files. Import the export back: no change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.surveys.configure import create_survey
from npsloop.surveys.erasure import erase_contact
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]


def _fill(workspace: Workspace, survey: Survey) -> None:
    onboarding = create_survey(workspace, name="Onboarding", product_name="Acme", question="Well?")
    people = [
        ContactData(
            external_id="u1",
            email="ann@x.io",
            name='Ann, "the" first',
            locale="de-CH",
            signed_up_at=datetime(2023, 1, 2, 3, 4, 5, 600000, tzinfo=UTC),
            account_external_id="acme",
            account_name="Acme Inc",
            properties={"plan": "pro", "name": "nick", "region": "eu"},
        ),
        ContactData(email="bob@x.io", properties={"plan": "free"}),
        ContactData(external_id="u3", account_external_id="acme"),
        ContactData(external_id="gone"),
    ]
    contacts = [upsert_contact(workspace, person).contact for person in people]
    answers = [
        (survey, contacts[0], 9, "Fast,\nreliable", {"why": "speed", "tags": ["a", "b"]}, "email"),
        (survey, contacts[1], 3, "", {}, "link"),
        (onboarding, contacts[2], 7, "ok", {}, "in-app"),
        (onboarding, contacts[3], 0, "secret", {}, "other"),
    ]
    for day, (to, contact, score, comment, extra, channel) in enumerate(answers, start=1):
        record_response(
            workspace,
            ResponseData(
                survey=to,
                contact=contact,
                score=score,
                comment=comment,
                answers=extra,
                channel=channel,
                created_at=datetime(2024, 3, day, 12, tzinfo=UTC),
            ),
        )
    erase_contact(contacts[3])


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_it_exports_what_a_fresh_workspace_imports_and_exports_byte_for_byte(
    workspace: Workspace,
    other_workspace: Workspace,
    survey: Survey,
    run: Run,
    folder: Path,
) -> None:
    _fill(workspace, survey)
    run("export", "--workspace", workspace.slug, "--out", folder / "first")
    first = folder / "first"

    run("import_contacts", first / "contacts.csv", "--workspace", other_workspace.slug)
    out = run(
        "import_responses",
        first / "responses.csv",
        "--workspace",
        other_workspace.slug,
        "--surveys",
        first / "surveys.csv",
    )
    run("export", "--workspace", other_workspace.slug, "--out", folder / "second")

    assert "surveys: created 2, unchanged 0" in out
    assert "responses: created 4, updated 0, unchanged 0, rejected 0" in out
    assert _files(folder / "second") == _files(first)
    contacts = (first / "contacts.csv").read_text().splitlines()
    assert contacts[0] == (
        "external_id,email,name,locale,signed_up_at,account_external_id,account_name,"
        "property:name,plan,region"
    )
    assert Response.objects.filter(workspace=other_workspace, contact=None).count() == 1


def test_it_reads_its_own_export_back_into_the_same_workspace_as_unchanged(
    workspace: Workspace, survey: Survey, run: Run, folder: Path
) -> None:
    _fill(workspace, survey)
    run("export", "--workspace", workspace.slug, "--out", folder)

    contacts = run("import_contacts", folder / "contacts.csv", "--workspace", workspace.slug)
    responses = run(
        "import_responses",
        folder / "responses.csv",
        "--workspace",
        workspace.slug,
        "--surveys",
        folder / "surveys.csv",
    )

    assert "created 0, updated 0, unchanged 3, rejected 0" in contacts
    assert "surveys: created 0, unchanged 2" in responses
    assert "created 0, updated 0, unchanged 4, rejected 0" in responses
