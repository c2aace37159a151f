"""signed_up_at and created_at: a date is midnight in the workspace's zone; a time needs an
offset; both lie from 1970-01-01 to 2100-01-01."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from api_client import ApiClient

from npsloop.contacts.models import Contact
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]
Rejected = Callable[[Path], list[dict[str, str]]]

ACCEPTED = (
    "must be a date like 2024-05-01 or a date and time from 1970-01-01 to 2100-01-01 "
    "with a time zone offset, e.g. 2024-05-01T09:30:00Z"
)

FILE = (
    "email,signed_up_at\n"
    "a@x.io,2024-05-01\n"
    "b@x.io,2024-05-01T09:30:00+02:00\n"
    "c@x.io,2024-05-01T09:30:00Z\n"
    "d@x.io,2024-05-01T09:30:00\n"
    "e@x.io,01/05/2024\n"
)


def test_it_reads_dates_in_the_workspace_zone_and_refuses_times_without_offset(
    db: None, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    berlin = create_workspace("Berlin GmbH", time_zone="Europe/Berlin")

    out = run("import_contacts", write("a.csv", FILE), "--workspace", berlin.slug)

    assert "created 3, updated 0, unchanged 0, rejected 2" in out
    moments = dict(Contact.objects.values_list("email", "signed_up_at"))
    assert moments["a@x.io"] == datetime(2024, 4, 30, 22, 0, tzinfo=UTC)
    assert moments["b@x.io"] == datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    assert moments["c@x.io"] == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    reasons = [r["reason"] for r in rejected(folder / "a.csv.rejects.csv")]
    assert reasons[0] == f"signed_up_at {ACCEPTED}, got '2024-05-01T09:30:00'"
    assert reasons[1] == f"signed_up_at {ACCEPTED}, got '01/05/2024'"


def test_it_counts_the_same_moment_in_another_offset_as_unchanged(
    workspace: Workspace, write: Write, run: Run
) -> None:
    run(
        "import_contacts",
        write("a.csv", "email,signed_up_at\na@x.io,2024-05-01T09:30:00Z\n"),
        "--workspace",
        workspace.slug,
    )

    out = run(
        "import_contacts",
        write("b.csv", "email,signed_up_at\na@x.io,2024-05-01T11:30:00+02:00\n"),
        "--workspace",
        workspace.slug,
    )

    assert "unchanged 1" in out


OUT_OF_RANGE = (
    "email,signed_up_at\n"
    "a@x.io,0001-01-01T00:00:00+01:00\n"
    "b@x.io,1969-12-31T23:59:59Z\n"
    "c@x.io,1970-01-01T00:00:00Z\n"
    "d@x.io,9999-12-31T23:00:00-05:00\n"
    "e@x.io,2100-01-01T00:00:00Z\n"
    "f@x.io,0001-01-01\n"
)


def test_it_rejects_signups_outside_the_range_and_keeps_the_valid_rows(
    workspace: Workspace, write: Write, run: Run, rejected: Rejected, folder: Path, api: ApiClient
) -> None:
    out = run("import_contacts", write("a.csv", OUT_OF_RANGE), "--workspace", workspace.slug)

    assert "created 2, updated 0, unchanged 0, rejected 4" in out
    assert dict(Contact.objects.values_list("email", "signed_up_at")) == {
        "c@x.io": datetime(1970, 1, 1, tzinfo=UTC),
        "e@x.io": datetime(2100, 1, 1, tzinfo=UTC),
    }
    assert [(r["line"], r["reason"]) for r in rejected(folder / "a.csv.rejects.csv")] == [
        ("2", f"signed_up_at {ACCEPTED}, got '0001-01-01T00:00:00+01:00'"),
        ("3", f"signed_up_at {ACCEPTED}, got '1969-12-31T23:59:59Z'"),
        ("5", f"signed_up_at {ACCEPTED}, got '9999-12-31T23:00:00-05:00'"),
        ("7", f"signed_up_at {ACCEPTED}, got '0001-01-01'"),
    ]
    assert api.get("/api/v1/contacts").status_code == 200


def test_it_rejects_responses_outside_the_range_and_keeps_the_valid_rows(
    workspace: Workspace,
    survey: Survey,
    write: Write,
    run: Run,
    rejected: Rejected,
    folder: Path,
    api: ApiClient,
) -> None:
    rows = (
        "email,score,created_at,signed_up_at\n"
        "a@x.io,9,0001-01-01T00:00:00+01:00,\n"
        "b@x.io,8,2024-05-01T10:00:00Z,0001-01-01T00:00:00+01:00\n"
        "c@x.io,7,2024-05-01T10:00:00Z,2024-01-01\n"
        "d@x.io,6,1969-12-31T23:59:59Z,\n"
    )

    out = run("import_responses", write("r.csv", rows), "--workspace", workspace.slug)

    assert "created 1, updated 0, unchanged 0, rejected 3" in out
    assert list(Response.objects.values_list("contact__email", flat=True)) == ["c@x.io"]
    assert list(Contact.objects.values_list("email", flat=True)) == ["c@x.io"]
    assert [(r["line"], r["reason"]) for r in rejected(folder / "r.csv.rejects.csv")] == [
        ("2", f"created_at {ACCEPTED}, got '0001-01-01T00:00:00+01:00'"),
        ("3", f"signed_up_at {ACCEPTED}, got '0001-01-01T00:00:00+01:00'"),
        ("5", f"created_at {ACCEPTED}, got '1969-12-31T23:59:59Z'"),
    ]
    assert stored_rollups(workspace) == count_responses(workspace)
    for path in ("/api/v1/contacts", "/api/v1/responses"):
        assert api.get(path).status_code == 200
