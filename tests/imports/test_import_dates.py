"""signed_up_at: a date is midnight in the workspace's zone; a time needs an offset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from npsloop.contacts.models import Contact
from npsloop.workspaces.models import Workspace
from npsloop.workspaces.services import create_workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]
Rejected = Callable[[Path], list[dict[str, str]]]

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
    assert reasons[0].startswith("signed_up_at needs a time zone offset")
    assert reasons[1].startswith("signed_up_at must be a date like 2024-05-01")


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
