"""A row that names the same contact or response as an earlier row of the same file.

Contacts: every row is an upsert applied in file order, so the later row's values win
(cells it leaves empty keep the earlier row's), as if the two rows came in two files.
Responses: a response is stored once per key, so the first row is kept and a repeat with
the same answer changes nothing (one with a different answer is refused for its key).
Either way the summary names the id and both lines; no valid row is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from npsloop.contacts import import_report
from npsloop.contacts.importing import ContactImport
from npsloop.contacts.models import Contact
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]


def test_it_applies_a_repeated_external_id_last_and_names_both_lines(
    workspace: Workspace, write: Write, run: Run
) -> None:
    path = write(
        "c.csv",
        "external_id,name,locale\nu-12,Ann,en\nu-13,Bob,fr\nu-12,Ann Smith,\nu-14,Cy,de\n",
    )

    out = run("import_contacts", path, "--workspace", workspace.slug)

    assert "created 3, updated 1, unchanged 0, rejected 0" in out
    assert "line 4 repeats external_id 'u-12' of line 2: line 4's values win" in out
    ann = Contact.objects.get(external_id="u-12")
    assert (ann.name, ann.locale) == ("Ann Smith", "en")
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"u-12", "u-13", "u-14"}


def test_it_names_a_repeated_email_in_a_file_without_external_ids(
    workspace: Workspace, write: Write, run: Run
) -> None:
    path = write("c.jsonl", '{"email": "ann@x.io", "name": "Ann"}\n\n{"email": "Ann@X.io"}\n')

    out = run("import_contacts", path, "--workspace", workspace.slug)

    assert "line 3 repeats email 'ann@x.io' of line 1: line 3's values win" in out
    assert Contact.objects.get().name == "Ann"


def test_it_names_every_repeat_across_batches_and_says_nothing_of_a_reimport(
    workspace: Workspace, write: Write, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ContactImport, "batch_size", 2)
    rows = [f"u-{n},Person {n}" for n in range(5)] + ["u-1,Again", "u-3,Again"]
    path = write("c.csv", "external_id,name\n" + "\n".join(rows) + "\n")

    first = run("import_contacts", path, "--workspace", workspace.slug)
    again = run("import_contacts", path, "--workspace", workspace.slug)

    assert "line 7 repeats external_id 'u-1' of line 3" in first
    assert "line 8 repeats external_id 'u-3' of line 5" in first
    # The second run repeats the ids inside the file again, not those stored by the first.
    assert again.count("repeats") == 2


def test_a_refused_row_is_no_repeat_and_is_not_remembered(
    workspace: Workspace, write: Write, run: Run
) -> None:
    path = write(
        "c.csv",
        "external_id,email,signed_up_at\n"
        "u-1,ann@x.io,2024-01-01\n"
        "u-1,ann@x.io,yesterday\n"
        "u-2,bob@x.io,\n",
    )

    out = run("import_contacts", path, "--workspace", workspace.slug)

    assert "rejected 1" in out
    assert "repeats" not in out
    assert Contact.objects.count() == 2


def test_it_keeps_the_first_of_two_identical_response_rows_and_names_both_lines(
    workspace: Workspace, survey: Survey, write: Write, run: Run
) -> None:
    path = write(
        "r.csv",
        "key,email,score,comment\n"
        "r-1,ann@x.io,9,great\n"
        "r-2,bob@x.io,3,slow\n"
        "r-1,ann@x.io,9,great\n",
    )

    out = run("import_responses", path, "--workspace", workspace.slug)

    assert "created 2, updated 0, unchanged 1, rejected 0" in out
    assert "line 4 repeats key 'r-1' of line 2: line 2's response was kept" in out
    assert Response.objects.count() == 2


def test_it_names_a_row_repeated_word_for_word_in_a_file_without_keys(
    workspace: Workspace, survey: Survey, write: Write, run: Run
) -> None:
    path = write(
        "r.csv",
        "email,score,created_at\n"
        "ann@x.io,9,2024-05-01\n"
        "ann@x.io,9,2024-05-02\n"
        "ann@x.io,9,2024-05-01\n",
    )

    out = run("import_responses", path, "--workspace", workspace.slug)

    assert "created 2, updated 0, unchanged 1, rejected 0" in out
    assert "line 4 repeats the response of line 2 (same survey, person, time and answer)" in out
    assert Response.objects.count() == 2


def test_a_repeated_key_with_another_answer_is_refused_and_the_first_kept(
    workspace: Workspace, survey: Survey, write: Write, run: Run
) -> None:
    path = write("r.csv", "key,email,score\nr-1,ann@x.io,9\nr-1,ann@x.io,2\n")

    out = run("import_responses", path, "--workspace", workspace.slug)

    assert "created 1, updated 0, unchanged 0, rejected 1" in out
    assert "repeats" not in out
    assert Response.objects.get().score == 9


def test_it_spells_out_the_first_repeats_and_counts_the_rest(
    workspace: Workspace, write: Write, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_report, "SHOWN_REPEATS", 2)
    path = write("c.csv", "external_id,name\n" + "".join(f"u-1,Name {n}\n" for n in range(5)))

    out = run("import_contacts", path, "--workspace", workspace.slug)

    assert out.splitlines()[1:] == [
        "4 rows name what an earlier row of the file named:",
        "  line 3 repeats external_id 'u-1' of line 2: line 3's values win",
        "  line 4 repeats external_id 'u-1' of line 2: line 4's values win",
        "  … and 2 more repeats",
    ]
    assert Contact.objects.get().name == "Name 4"
