"""Importing contacts: valid rows stored, refused rows reported by line, a second run inert."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from npsloop.contacts.file_import import FileImport
from npsloop.contacts.models import Account, Contact
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]
Rejected = Callable[[Path], list[dict[str, str]]]

CONTACTS = (
    "external_id,email,name,account_external_id,account_name\n"
    "u1,ann@example.com,Ann,acme,Acme Inc\n"
    "u2,not-an-email,Bob,,\n"
    'u3,cleo@example.com,"Cleo\n'
    'the second line",acme,\n'
    ",,Nobody,,\n"
    "u4,dee@example.com,Dee,,\n"
)


def test_it_stores_valid_rows_and_reports_each_refused_row_with_its_line(
    workspace: Workspace, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    out = run("import_contacts", write("people.csv", CONTACTS), "--workspace", workspace.slug)

    assert "created 3, updated 0, unchanged 0, rejected 2" in out
    stored = Contact.objects.filter(workspace=workspace)
    assert sorted(stored.values_list("external_id", flat=True)) == ["u1", "u3", "u4"]
    assert stored.get(external_id="u3").name == "Cleo\nthe second line"
    assert Account.objects.get(workspace=workspace, external_id="acme").name == "Acme Inc"
    rows = rejected(folder / "people.csv.rejects.csv")
    # Line 6 follows a quoted cell spanning lines 4 and 5: the line is the file's own.
    assert [(r["line"], r["name"]) for r in rows] == [("3", "Bob"), ("6", "Nobody")]
    assert "email must be an email address" in rows[0]["reason"]
    assert "external_id or an email" in rows[1]["reason"]


def test_it_changes_nothing_when_the_same_file_is_imported_again(
    workspace: Workspace, write: Write, run: Run
) -> None:
    path = write("people.csv", CONTACTS)
    run("import_contacts", path, "--workspace", workspace.slug)
    before = list(Contact.objects.filter(workspace=workspace).values().order_by("pk"))

    out = run("import_contacts", path, "--workspace", workspace.slug)

    assert "created 0, updated 0, unchanged 3, rejected 2" in out
    assert list(Contact.objects.filter(workspace=workspace).values().order_by("pk")) == before


def test_it_updates_by_external_id_and_leaves_empty_cells_alone(
    workspace: Workspace, write: Write, run: Run
) -> None:
    run(
        "import_contacts",
        write("a.csv", "external_id,email,name,plan\nu1,a@x.io,Ann,pro\n"),
        "--workspace",
        workspace.slug,
    )

    out = run(
        "import_contacts",
        write("b.csv", "external_id,email,name,plan\nu1,,Annie,\n"),
        "--workspace",
        workspace.slug,
    )

    assert "created 0, updated 1, unchanged 0, rejected 0" in out
    contact = Contact.objects.get(workspace=workspace, external_id="u1")
    assert (contact.email, contact.name, contact.properties) == ("a@x.io", "Annie", {"plan": "pro"})


def test_it_matches_by_email_when_the_file_has_no_external_ids(
    workspace: Workspace, write: Write, run: Run
) -> None:
    run(
        "import_contacts",
        write("a.csv", "external_id,email\nu1,ann@x.io\n"),
        "--workspace",
        workspace.slug,
    )

    out = run(
        "import_contacts",
        write("b.csv", "email,name\nANN@x.io,Ann\n"),
        "--workspace",
        workspace.slug,
    )

    assert "created 0, updated 1" in out
    assert Contact.objects.get(workspace=workspace).name == "Ann"


def test_it_writes_no_rejects_file_when_every_row_is_good_and_removes_an_old_one(
    workspace: Workspace, write: Write, run: Run, folder: Path
) -> None:
    (folder / "a.csv.rejects.csv").write_text("line,reason\n3,old\n")

    out = run("import_contacts", write("a.csv", "email\nann@x.io\n"), "--workspace", workspace.slug)

    assert "rejected 0" in out
    assert not (folder / "a.csv.rejects.csv").exists()


def test_it_writes_the_rejects_file_where_asked(
    workspace: Workspace, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    target = folder / "out" / "bad.csv"
    target.parent.mkdir()

    out = run(
        "import_contacts",
        write("a.csv", "email\nnope\n"),
        "--workspace",
        workspace.slug,
        "--rejects",
        target,
    )

    assert str(target) in out
    assert rejected(target)[0]["email"] == "nope"


def test_it_refuses_rows_whose_cell_count_differs_from_the_header(
    workspace: Workspace, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    run(
        "import_contacts",
        write("a.csv", "email,name\na@x.io,Ann,extra\nb@x.io\nc@x.io,Cy\n"),
        "--workspace",
        workspace.slug,
    )

    rows = rejected(folder / "a.csv.rejects.csv")
    assert [r["line"] for r in rows] == ["2", "3"]
    assert rows[0]["reason"] == "has 3 cells but the header has 2 columns"
    assert list(Contact.objects.values_list("email", flat=True)) == ["c@x.io"]


def test_it_keeps_batches_in_file_order_in_the_rejects_file(
    workspace: Workspace,
    write: Write,
    run: Run,
    rejected: Rejected,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(FileImport, "batch_size", 2)
    lines = "".join(f"u{n},{'bad' if n % 3 == 0 else f'p{n}@x.io'}\n" for n in range(1, 10))

    out = run(
        "import_contacts",
        write("a.csv", "external_id,email\n" + lines),
        "--workspace",
        workspace.slug,
    )

    assert "created 6, updated 0, unchanged 0, rejected 3" in out
    assert [r["line"] for r in rejected(folder / "a.csv.rejects.csv")] == ["4", "7", "10"]
