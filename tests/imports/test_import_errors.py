"""Problems with the command or the whole file: one clear line, exit status 2, nothing stored."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from npsloop.contacts.file_import import FileImport
from npsloop.contacts.importing import ContactImport
from npsloop.contacts.models import Contact
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]


def _refusal(run: Run, *args: object) -> str:
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert raised.value.returncode == 2
    return str(raised.value)


def test_it_names_a_missing_file(workspace: Workspace, run: Run, folder: Path) -> None:
    message = _refusal(run, "import_contacts", folder / "nope.csv", "--workspace", workspace.slug)

    assert message == f"{folder / 'nope.csv'}: no such file"


def test_it_lists_the_accepted_file_types(workspace: Workspace, write: Write, run: Run) -> None:
    message = _refusal(
        run, "import_contacts", write("a.xlsx", "email\n"), "--workspace", workspace.slug
    )

    assert "unknown file type; accepted: .csv, .csv.gz, .jsonl" in message


def test_it_lists_the_workspaces_for_an_unknown_slug(
    workspace: Workspace, write: Write, run: Run
) -> None:
    message = _refusal(run, "import_contacts", write("a.csv", "email\n"), "--workspace", "acme")

    assert "no workspace with the slug 'acme'" in message
    assert f"workspaces: {workspace.slug}" in message


def test_it_refuses_a_header_without_an_identity_column(
    workspace: Workspace, write: Write, run: Run
) -> None:
    message = _refusal(
        run,
        "import_contacts",
        write("a.csv", "name,plan\nAnn,pro\n"),
        "--workspace",
        workspace.slug,
    )

    assert "no identity column; the header needs external_id or email" in message
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("external_id", "--map expects COLUMN=FIELD"),
        ("=email", "--map expects COLUMN=FIELD"),
        ("User=mail", "unknown field 'mail'; accepted: external_id, email"),
    ],
)
def test_it_refuses_a_bad_map_option(
    workspace: Workspace, write: Write, run: Run, spec: str, expected: str
) -> None:
    message = _refusal(
        run,
        "import_contacts",
        write("a.csv", "email\n"),
        "--workspace",
        workspace.slug,
        "--map",
        spec,
    )

    assert expected in message


def test_it_keeps_the_rows_before_malformed_csv_and_names_its_line(
    workspace: Workspace, write: Write, run: Run
) -> None:
    path = write("a.csv", 'email,name\na@x.io,Ann\nb@x.io,"Bob"x\nc@x.io,Cy\n')

    message = _refusal(run, "import_contacts", path, "--workspace", workspace.slug)

    assert "line 3: malformed CSV" in message
    assert list(Contact.objects.values_list("email", flat=True)) == ["a@x.io"]


def test_it_refuses_an_unclosed_quote_instead_of_swallowing_the_file(
    workspace: Workspace, write: Write, run: Run
) -> None:
    path = write("a.csv", 'email,name\na@x.io,"Ann\nb@x.io,Bob\n')

    message = _refusal(run, "import_contacts", path, "--workspace", workspace.slug)

    assert "line 2: malformed CSV" in message
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "is empty; expected a header line"),
        ("dup.csv", b"email,email\n", "names the column 'email' twice"),
        ("latin.csv", "email,name\na@x.io,Jos\xe9\n".encode("latin-1"), "is not UTF-8 text"),
        ("broken.csv.gz", b"not gzip at all", "is not a complete gzip file"),
    ],
)
def test_it_refuses_files_it_cannot_read(
    workspace: Workspace, run: Run, folder: Path, name: str, content: bytes, expected: str
) -> None:
    (folder / name).write_bytes(content)

    assert expected in _refusal(
        run, "import_contacts", folder / name, "--workspace", workspace.slug
    )


def test_the_cli_prints_one_line_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    npsloop = Path(sys.executable).with_name("npsloop")
    done = subprocess.run(
        [npsloop, "import", "contacts", tmp_path / "missing.csv", "--workspace", "x"],
        capture_output=True,
        text=True,
        env={"NPSLOOP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )

    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.endswith(f"{tmp_path / 'missing.csv'}: no such file")


def test_it_stores_the_batches_read_before_malformed_csv_later_in_the_file(
    workspace: Workspace, write: Write, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FileImport, "batch_size", 2)
    good = "".join(f"p{n}@x.io,P{n}\n" for n in range(7))
    path = write("a.csv", f'email,name\n{good}q@x.io,"Q"x\nr@x.io,R\n')

    message = _refusal(run, "import_contacts", path, "--workspace", workspace.slug)

    assert "line 9: malformed CSV" in message
    assert Contact.objects.count() == 7


def test_it_stops_reading_when_storing_fails(
    workspace: Workspace, write: Write, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FileImport, "batch_size", 2)

    def broken(self: object, items: list[object]) -> list[object]:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(ContactImport, "store", broken)
    rows = "".join(f"p{n}@x.io\n" for n in range(50))

    with pytest.raises(ConnectionError, match="went away"):
        run("import_contacts", write("a.csv", "email\n" + rows), "--workspace", workspace.slug)


def test_export_refuses_an_out_path_that_is_a_file(
    workspace: Workspace, run: Run, folder: Path
) -> None:
    (folder / "taken").write_text("")

    message = _refusal(run, "export", "--workspace", workspace.slug, "--out", folder / "taken")

    assert message == f"--out {folder / 'taken'}: is a file, not a folder"
