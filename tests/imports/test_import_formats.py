"""The file formats an import reads: CSV, gzipped CSV, JSON Lines (gzipped too)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from npsloop.contacts.models import Contact
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]
Rejected = Callable[[Path], list[dict[str, str]]]

JSONL = (
    '{"external_id": 17, "email": "ann@x.io", "seats": 12, "trial": true, "plan": "pro"}\n'
    "\n"
    '{"external_id": "u2", "email": "bob@x.io", "tags": ["a"]}\n'
    "not json\n"
    '["a list"]\n'
    '{"email": "cy@x.io", "name": null}\n'
)


@pytest.mark.parametrize("name", ["people.csv", "people.csv.gz", "people.CSV"])
def test_it_reads_csv_plain_or_gzipped(
    workspace: Workspace, write: Write, run: Run, name: str
) -> None:
    out = run(
        "import_contacts", write(name, "email,plan\nann@x.io,pro\n"), "--workspace", workspace.slug
    )

    assert "created 1" in out
    assert Contact.objects.get(workspace=workspace).properties == {"plan": "pro"}


def test_it_reads_a_csv_with_a_byte_order_mark_and_windows_line_ends(
    workspace: Workspace, write: Write, run: Run
) -> None:
    out = run(
        "import_contacts",
        write("excel.csv", "\ufeffemail,name\r\nann@x.io,Ann\r\n"),
        "--workspace",
        workspace.slug,
    )

    assert "created 1" in out
    assert Contact.objects.get(workspace=workspace).name == "Ann"


@pytest.mark.parametrize("name", ["people.jsonl", "people.ndjson", "people.jsonl.gz"])
def test_it_reads_json_lines_keeping_scalar_types_and_refusing_bad_lines(
    workspace: Workspace, write: Write, run: Run, rejected: Rejected, folder: Path, name: str
) -> None:
    out = run("import_contacts", write(name, JSONL), "--workspace", workspace.slug)

    assert "created 2, updated 0, unchanged 0, rejected 3" in out
    ann = Contact.objects.get(workspace=workspace, email="ann@x.io")
    assert ann.external_id == "17"
    assert ann.properties == {"seats": 12, "trial": True, "plan": "pro"}
    assert Contact.objects.get(workspace=workspace, email="cy@x.io").name == ""
    rows = rejected(folder / f"{name}.rejects.csv")
    assert [r["line"] for r in rows] == ["3", "4", "5"]
    assert "properties.tags must be a string, number, boolean or null" in rows[0]["reason"]
    assert rows[1]["reason"].startswith("is not valid JSON")
    assert rows[2]["row"] == '["a list"]'
