"""Text arrives in the database exactly as it was in the file, whatever characters it holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from npsloop.contacts.models import Contact
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]
Rejected = Callable[[Path], list[dict[str, str]]]

AWKWARD = 'tab\there, back\\slash \\N, "quotes", line\r\nbreak, emoji 🎉, ümlaut'


def test_it_stores_tabs_backslashes_line_breaks_and_unicode_unchanged(
    workspace: Workspace, write: Write, run: Run
) -> None:
    line = json.dumps({"external_id": "u\\1", "name": AWKWARD, "note": AWKWARD, "n": 1.5})

    run("import_contacts", write("a.jsonl", line + "\n"), "--workspace", workspace.slug)

    contact = Contact.objects.get(workspace=workspace)
    assert (contact.external_id, contact.name) == ("u\\1", AWKWARD)
    assert contact.properties == {"note": AWKWARD, "n": 1.5}


def test_it_refuses_rows_with_a_nul_character(
    workspace: Workspace, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    run(
        "import_contacts",
        write("a.csv", "email,name\na@x.io,A\x00B\nb@x.io,B\n"),
        "--workspace",
        workspace.slug,
    )
    run(
        "import_contacts",
        write("b.jsonl", '{"email": "c@x.io", "name": "C\\u0000"}\n'),
        "--workspace",
        workspace.slug,
    )

    assert list(Contact.objects.values_list("email", flat=True)) == ["b@x.io"]
    assert rejected(folder / "a.csv.rejects.csv")[0]["reason"].startswith("contains a NUL")
    assert rejected(folder / "b.jsonl.rejects.csv")[0]["line"] == "1"
