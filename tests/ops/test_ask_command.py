"""`npsloop ask --survey ID FILE` and `npsloop send`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.smtp_sink import SmtpSink
from npsloop.cli import main
from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace


@pytest.fixture
def people(workspace: Workspace) -> None:
    upsert_contacts(
        workspace, [ContactData(external_id=f"u-{n}", email=f"u{n}@example.com") for n in range(3)]
    )


def test_it_asks_the_contacts_of_a_plain_list(
    survey: Survey, people: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "ask.txt"
    listing.write_text("u-0\nu1@example.com\n\nghost\n")
    assert main(["ask", "--survey", str(survey.pk), str(listing)]) == 0
    out = capsys.readouterr().out
    assert "skipped ghost: unknown contact" in out
    assert "scheduled 2, skipped 1" in out
    assert SurveyRequest.objects.filter(status=AskStatus.SCHEDULED).count() == 2


def test_it_reads_the_id_column_of_a_csv(
    survey: Survey, people: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "ask.csv"
    listing.write_text("name,email\nAnn,u0@example.com\nBob,u2@example.com\n")
    assert main(["ask", "--survey", str(survey.pk), str(listing)]) == 0
    assert "scheduled 2, skipped 0" in capsys.readouterr().out


def test_it_refuses_a_csv_without_an_id_column(
    survey: Survey, people: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "ask.csv"
    listing.write_text("name,plan\nAnn,pro\n")
    assert main(["ask", "--survey", str(survey.pk), str(listing)]) == 1
    assert "needs an external_id, email, contact column" in capsys.readouterr().err
    assert not SurveyRequest.objects.exists()


def test_it_names_a_missing_survey_and_file(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--survey", "999", str(tmp_path / "x.txt")]) == 1
    assert "no survey with id 999" in capsys.readouterr().err


def test_send_delivers_what_is_due(
    survey: Survey,
    people: None,
    tmp_path: Path,
    smtp_sink: SmtpSink,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listing = tmp_path / "ask.txt"
    listing.write_text("u-0\nu-1\n")
    main(["ask", "--survey", str(survey.pk), str(listing)])
    assert main(["send"]) == 0
    assert "sent 2, deferred 0, failed 0" in capsys.readouterr().out
    assert smtp_sink.count == 2


def test_a_delay_beyond_a_year_is_refused_with_the_reason(
    survey: Survey, people: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "ask.txt"
    listing.write_text("u-0\n")
    given = ["ask", "--survey", str(survey.pk), "--delay-minutes", "55424833673969"]
    assert main([*given, str(listing)]) == 1
    assert (
        "delay: must be from 0 to 365 days (525,600 minutes), got 55,424,833,673,969 minutes"
        in (capsys.readouterr().err)
    )
    assert not SurveyRequest.objects.exists()
