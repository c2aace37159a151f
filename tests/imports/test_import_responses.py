"""Importing responses: each row through record_response, refused rows by line, re-import inert."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from npsloop.contacts.models import Contact
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]
Rejected = Callable[[Path], list[dict[str, str]]]

RESPONSES = (
    "email,score,comment,created_at,channel,answers,plan\n"
    'ann@x.io,9,"Fast,\nreliable",2024-05-01T10:00:00Z,email,"{""why"": ""speed""}",pro\n'
    "bob@x.io,7.5,meh,2024-05-02,link,,\n"
    "bob@x.io,11,meh,2024-05-02,link,,\n"
    "bob@x.io,,meh,2024-05-02,link,,\n"
    "bob@x.io,abc,meh,2024-05-02,link,,\n"
    "cy@x.io,3,slow,2024-05-02,in-app,,free\n"
    ",8,anonymous,2024-05-03,link,,\n"
    "dee@x.io,5,x,2024-05-03,fax,,\n"
    "dee@x.io,5,x,2024-05-03,email,[1],\n"
)


def test_it_records_valid_rows_and_reports_bad_scores_with_their_lines(
    workspace: Workspace, survey: Survey, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    out = run("import_responses", write("r.csv", RESPONSES), "--workspace", workspace.slug)

    assert "created 3, updated 0, unchanged 0, rejected 6" in out
    ann = Response.objects.get(contact__email="ann@x.io")
    assert (ann.score, ann.category, ann.comment) == (9, "promoter", "Fast,\nreliable")
    assert (ann.channel, ann.answers, ann.properties) == (
        "email",
        {"why": "speed"},
        {"plan": "pro"},
    )
    assert ann.survey == survey
    assert Response.objects.get(comment="anonymous").contact is None
    assert Contact.objects.get(email="cy@x.io").properties == {"plan": "free"}
    assert not Contact.objects.filter(email="bob@x.io").exists()
    # Refused for its channel, not its score: its new contact is not stored either.
    assert not Contact.objects.filter(email="dee@x.io").exists()
    rows = rejected(folder / "r.csv.rejects.csv")
    assert [(r["line"], r["score"]) for r in rows] == [
        ("4", "7.5"),
        ("5", "11"),
        ("6", ""),
        ("7", "abc"),
        ("10", "5"),
        ("11", "5"),
    ]
    assert rows[0]["reason"] == "score must be an integer from 0 to 10, got '7.5'"
    assert rows[4]["reason"].startswith("channel must be one of email, in-app, link, other")
    assert rows[5]["reason"].startswith("answers must be a JSON object")
    assert stored_rollups(workspace) == count_responses(workspace)


def test_it_changes_nothing_when_a_file_without_keys_is_imported_again(
    workspace: Workspace, survey: Survey, write: Write, run: Run
) -> None:
    path = write("r.csv", RESPONSES)
    run("import_responses", path, "--workspace", workspace.slug)

    out = run("import_responses", path, "--workspace", workspace.slug)

    assert "created 0, updated 0, unchanged 3, rejected 6" in out
    assert Response.objects.count() == 3
    assert sum(stored_rollups(workspace).values()) == 3


def test_it_refuses_a_key_already_used_for_a_different_answer(
    workspace: Workspace, survey: Survey, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    run(
        "import_responses",
        write("a.csv", "key,email,score\nk1,a@x.io,9\n"),
        "--workspace",
        workspace.slug,
    )

    out = run(
        "import_responses",
        write("b.csv", "key,email,score\nk1,a@x.io,3\n"),
        "--workspace",
        workspace.slug,
    )

    assert "rejected 1" in out
    assert (
        "key was already used for a different response"
        in rejected(folder / "b.csv.rejects.csv")[0]["reason"]
    )
    assert Response.objects.get(key="k1").score == 9


def test_it_finds_surveys_by_name_or_id_and_needs_one_when_there_are_several(
    workspace: Workspace, survey: Survey, write: Write, run: Run, rejected: Rejected, folder: Path
) -> None:
    other = create_survey(workspace, name="Onboarding", product_name="Acme")
    path = write(
        "r.csv",
        f"survey,email,score\nOnboarding,a@x.io,9\n{survey.pk},b@x.io,8\nNope,c@x.io,7\n,d@x.io,6\n",
    )

    out = run("import_responses", path, "--workspace", workspace.slug)

    assert "created 2, updated 0, unchanged 0, rejected 2" in out
    assert Response.objects.get(contact__email="a@x.io").survey == other
    assert Response.objects.get(contact__email="b@x.io").survey == survey
    reasons = [r["reason"] for r in rejected(folder / "r.csv.rejects.csv")]
    assert reasons[0].startswith("survey: no survey named or numbered 'Nope'; surveys: ")
    assert reasons[1].startswith("survey: is missing")


def test_it_takes_the_survey_from_the_option_for_files_without_a_survey_column(
    workspace: Workspace, survey: Survey, write: Write, run: Run
) -> None:
    other = create_survey(workspace, name="Onboarding", product_name="Acme")
    path = write("r.csv", "email,score\na@x.io,9\n")

    with pytest.raises(CommandError, match="no survey column; pass --survey NAME_OR_ID"):
        run("import_responses", path, "--workspace", workspace.slug)
    run("import_responses", path, "--workspace", workspace.slug, "--survey", "Onboarding")

    assert Response.objects.get().survey == other


def test_it_maps_columns_of_other_tools(
    workspace: Workspace, survey: Survey, write: Write, run: Run
) -> None:
    path = write("r.csv", "Person,NPS,Why\nu1,10,Love it\n")

    run(
        "import_responses",
        path,
        "--workspace",
        workspace.slug,
        "--map",
        "Person=external_id",
        "--map",
        "NPS=score",
        "--map",
        "Why=comment",
    )

    response = Response.objects.get()
    assert (response.contact.external_id, response.score, response.comment) == ("u1", 10, "Love it")


def test_it_refuses_a_file_without_a_score_column(
    workspace: Workspace, survey: Survey, write: Write, run: Run
) -> None:
    with pytest.raises(CommandError, match="no score column") as raised:
        run(
            "import_responses",
            write("r.csv", "email,rating\na@x.io,9\n"),
            "--workspace",
            workspace.slug,
        )

    assert raised.value.returncode == 2
