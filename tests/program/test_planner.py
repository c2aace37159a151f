"""The planner against the database: asks created from a programme, once, within every rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from npsloop.cli import main
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contacts
from npsloop.program.models import AskStatus, Programme, SurveyRequest
from npsloop.program.planner import forecast, plan, plan_all
from npsloop.program.releases import create_release
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace


@pytest.fixture
def programme(workspace: Workspace, survey: Survey) -> Programme:
    """40 contacts who signed up 15 to 54 days ago (all past the 7-14 day window), in 4
    accounts, half of them admins."""
    now = timezone.now()
    upsert_contacts(
        workspace,
        [
            ContactData(
                external_id=f"c{n}",
                email=f"c{n}@example.com",
                signed_up_at=now - timedelta(days=15 + n),
                account_external_id=f"acct{n % 4}",
                properties={"role": "admin" if n % 2 else "user"},
            )
            for n in range(40)
        ],
    )
    return Programme.objects.create(survey=survey, enabled=True)


def test_it_asks_the_due_contacts_once(survey: Survey, programme: Programme) -> None:
    report = plan(survey)
    assert report.created == 40
    assert set(SurveyRequest.objects.values_list("wave", "status", "channel")) == {
        (1, AskStatus.SCHEDULED, "email")
    }
    again = plan(survey)
    assert again.created == 0
    assert again.excluded == {"not yet in a wave": 40}  # their next wave is 30-90 days on
    assert SurveyRequest.objects.count() == 40


def test_a_dry_run_creates_nothing(survey: Survey, programme: Programme) -> None:
    report = plan(survey, dry_run=True)
    assert report.waves == {1: 40}
    assert not SurveyRequest.objects.exists()


def test_it_keeps_the_contact_rules(
    workspace: Workspace, survey: Survey, programme: Programme
) -> None:
    Contact.objects.filter(external_id="c0").update(unsubscribed_at=timezone.now())
    Contact.objects.filter(external_id="c1").update(bounced_at=timezone.now())
    other = create_survey(workspace, name="Onboarding", product_name="Acme")
    record_response(
        workspace,
        ResponseData(survey=other, score=5, contact=Contact.objects.get(external_id="c2")),
    )
    report = plan(survey)
    assert report.created == 37
    assert report.excluded == {"unsubscribed": 1, "bounced": 1, "cooldown": 1}


def test_targeting_and_the_account_cap(survey: Survey, programme: Programme) -> None:
    survey.targeting = {"properties": {"role": "admin"}}
    survey.save()
    programme.account_cap_per_week = 4
    programme.save()
    report = plan(survey)
    # Admins are the odd numbers: accounts acct1 and acct3, at most 4 each a week.
    assert report.created == 8
    assert report.excluded == {"not targeted": 20, "account cap": 12}
    per_account: dict[str, int] = {}
    for ask in SurveyRequest.objects.select_related("contact__account"):
        assert ask.person.properties["role"] == "admin"
        name = ask.person.account.external_id  # type: ignore[union-attr]
        per_account[name] = per_account.get(name, 0) + 1
    assert per_account == {"acct1": 4, "acct3": 4}
    assert plan(survey, now=timezone.now() + timedelta(days=3)).created == 0
    assert plan(survey, now=timezone.now() + timedelta(days=8)).created == 8


def test_the_daily_cap_and_sampling(survey: Survey, programme: Programme) -> None:
    programme.daily_cap = 12
    programme.save()
    assert plan(survey).created == 12
    assert plan(survey).created == 0
    assert plan(survey, now=timezone.now() + timedelta(days=1)).created == 12
    SurveyRequest.objects.all().delete()
    programme.daily_cap = None
    programme.sample_percent = 50
    programme.save()
    report = plan(survey)
    first = set(SurveyRequest.objects.values_list("contact_id", flat=True))
    assert report.created == len(first) and 10 <= len(first) <= 30
    SurveyRequest.objects.all().delete()
    programme.sample_percent = 80
    programme.save()
    plan(survey)
    assert first <= set(SurveyRequest.objects.values_list("contact_id", flat=True))


def test_nothing_is_asked_in_a_blackout_and_it_is_caught_up_after(
    workspace: Workspace, survey: Survey, programme: Programme
) -> None:
    create_release(
        workspace, name="New UI", released_at=timezone.now() - timedelta(days=2), major=True
    )
    report = plan(survey)
    assert report.created == 0
    assert report.excluded["blackout"] == 40
    assert plan(survey, now=timezone.now() + timedelta(days=13)).created == 40


def test_an_in_app_ask_not_shown_goes_by_email(survey: Survey, programme: Programme) -> None:
    programme.channels = ["in-app", "email"]
    programme.save()
    plan(survey)
    assert set(SurveyRequest.objects.values_list("channel", flat=True)) == {"in-app"}
    report = plan(survey, now=timezone.now() + timedelta(days=8))
    assert report.fell_back == 40
    assert set(SurveyRequest.objects.values_list("channel", "status")) == {
        ("email", AskStatus.SCHEDULED)
    }


def test_the_forecast_shows_the_waves_to_come(survey: Survey, programme: Programme) -> None:
    ahead = forecast(survey, 120)
    assert ahead.days[0][1] == 40  # all due today
    assert sum(count for _, count in ahead.days) == 80  # and the second wave 30-90 days on
    assert all(count == 0 for _, count in ahead.days[1:30])
    assert not SurveyRequest.objects.exists()


def test_only_enabled_programmes_run(
    workspace: Workspace, survey: Survey, programme: Programme
) -> None:
    other = create_survey(workspace, name="Paused", product_name="Acme")
    Programme.objects.create(survey=other, enabled=False)
    assert {k: v.created for k, v in plan_all().items()} == {survey.pk: 40}


def test_the_command(
    survey: Survey, programme: Programme, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--survey", str(survey.pk), "--days", "3", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would ask now: 40 (wave 1: 40)" in out
    assert "asks per day, next 3 days:" in out
    assert not SurveyRequest.objects.exists()
    programme.enabled = False
    programme.save()
    assert main(["plan", "--survey", str(survey.pk)]) == 1
    assert "programme is off" in capsys.readouterr().err
    assert main(["plan", "--survey", "999"]) == 1


def test_the_contact_rules_have_the_last_word(
    survey: Survey, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A contact who unsubscribes while the planner works (after it read the population)
    is not asked: the chosen contacts pass `program.rules` once more before any ask."""
    from npsloop.program import planner

    read = planner.load_population

    def read_then_unsubscribe(*args: object, **kwargs: object) -> object:
        population = read(*args, **kwargs)  # type: ignore[arg-type]
        Contact.objects.filter(external_id="c3").update(unsubscribed_at=timezone.now())
        return population

    monkeypatch.setattr(planner, "load_population", read_then_unsubscribe)
    report = plan(survey)
    assert report.created == 39
    assert report.excluded == {"unsubscribed": 1}
    assert not SurveyRequest.objects.filter(contact__external_id="c3").exists()
