from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from npsloop.cli import main
from npsloop.contacts.models import Account, Contact
from npsloop.ops.demo.comments import COMPLAINT, PRAISE
from npsloop.ops.demo.people import make_accounts, make_contacts
from npsloop.program.models import Release
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.models import Member, Workspace

SMALL = ["demo", "--contacts", "300", "--responses", "400"]


def test_it_loads_the_acme_cloud_workspace(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(SMALL) == 0
    assert "300 contacts created" in capsys.readouterr().out
    workspace = Workspace.objects.get(slug="acme-cloud")
    assert workspace.name == "Acme Cloud"
    survey = Survey.objects.get(workspace=workspace)
    assert (survey.name, survey.product_name) == ("Relationship NPS", "Acme Cloud")
    assert Contact.objects.filter(workspace=workspace).count() == 300
    assert Account.objects.filter(workspace=workspace).count() == 20
    assert Response.objects.filter(workspace=workspace).count() == 400
    assert stored_rollups(workspace) == count_responses(workspace)


def test_it_gives_contacts_the_properties_segments_need(db: None) -> None:
    main(SMALL)
    contacts = Contact.objects.all()
    assert all(set(c.properties) == {"plan", "region", "role", "modules"} for c in contacts)
    assert {c.properties["plan"] for c in contacts} == {"free", "starter", "pro", "enterprise"}
    assert all(isinstance(c.properties["modules"], str) for c in contacts)
    assert any("," in str(c.properties["modules"]) for c in contacts)
    assert all(c.account_id is not None and c.email and c.signed_up_at for c in contacts)
    signups = sorted(c.signed_up_at for c in contacts if c.signed_up_at)
    assert signups[-1] - signups[0] > timedelta(days=600)


def test_it_spreads_responses_over_a_year_and_three_channels(db: None) -> None:
    main(SMALL)
    responses = list(Response.objects.all())
    assert {r.channel for r in responses} == {"email", "in-app", "link"}
    moments = [r.created_at for r in responses]
    now = datetime.now(UTC)
    assert min(moments) > now - timedelta(days=367)
    assert max(moments) < now
    assert len({(m.year, m.month) for m in moments}) >= 12
    assert {r.category for r in responses} == {"promoter", "passive", "detractor"}
    assert all(r.contact is None or r.contact.signed_up_at < r.created_at for r in responses)


def test_it_writes_varied_comments_in_recognisable_themes(db: None) -> None:
    main(SMALL)
    comments = [c for c in Response.objects.values_list("comment", flat=True) if c]
    assert len(comments) > 150
    assert len(set(comments)) > 100
    sentences = [s for pool in (PRAISE, COMPLAINT) for theme in pool.values() for s in theme]
    assert all(any(s.lower() in c.lower() for s in sentences) for c in comments)


def test_it_scores_plans_differently(db: None) -> None:
    main(["demo", "--contacts", "1500", "--responses", "2000"])
    average = {
        plan: sum(r.score for r in rows) / len(rows)
        for plan in ("free", "enterprise")
        if (rows := list(Response.objects.filter(properties__plan=plan)))
    }
    assert average["enterprise"] > average["free"] + 1


def test_it_adds_releases_some_major(db: None) -> None:
    main(SMALL)
    releases = Release.objects.all()
    assert releases.count() >= 4
    assert {r.major for r in releases} == {True, False}


def test_it_makes_every_superuser_an_owner(db: None) -> None:
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x" * 12)
    main(SMALL)
    member = Member.objects.get(user=admin)
    assert (member.workspace.slug, member.role) == ("acme-cloud", "owner")


def test_it_changes_nothing_when_loaded_again(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    main(SMALL)
    before = list(Response.objects.order_by("key").values())
    contacts = list(Contact.objects.order_by("external_id").values())
    capsys.readouterr()
    main(SMALL)
    out = capsys.readouterr().out
    assert "0 contacts created, 0 updated, 300 unchanged" in out
    assert "0 responses created, 400 already there; 0 asks and 0 releases created" in out
    assert list(Response.objects.order_by("key").values()) == before
    assert list(Contact.objects.order_by("external_id").values()) == contacts
    assert Workspace.objects.count() == 1
    assert Release.objects.count() == 5


def test_it_generates_the_same_people_from_the_same_seed() -> None:
    anchor = datetime(2026, 1, 1, tzinfo=UTC)

    def people(seed: int) -> list[object]:
        rng = random.Random(f"{seed}:people")
        return make_contacts(rng, make_accounts(rng, 10), 100, anchor)

    assert people(7) == people(7)
    assert people(7) != people(8)


def test_it_refuses_to_mix_in_responses_of_another_seed(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    main(SMALL)
    assert main([*SMALL, "--seed", "2"]) == 1
    assert "load it with the --seed it was first loaded with" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--contacts", "0"], "--contacts must be at least 1, got 0"),
        (["--responses", "-5"], "--responses must be 0 or more, got -5"),
    ],
)
def test_it_refuses_impossible_sizes(
    db: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["demo", *args]) == 1
    assert message in capsys.readouterr().err
    assert not Workspace.objects.exists()


def test_it_refuses_a_size_that_is_not_a_number(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--contacts", "many"])
    assert exit_.value.code == 2
    assert "invalid int value: 'many'" in capsys.readouterr().err


def test_it_asks_as_a_programme_would_so_response_rates_show(db: None) -> None:
    from npsloop.insights.funnel import ask_funnel
    from npsloop.insights.metrics import MetricsQuery
    from npsloop.ops.demo.load import load_demo
    from npsloop.program.models import AskStatus, SurveyRequest

    loaded = load_demo(contacts=300, responses=400)
    asks = SurveyRequest.objects.filter(workspace=loaded.workspace)
    answered = Response.objects.filter(workspace=loaded.workspace, channel__in=["email", "in-app"])
    assert asks.filter(status=AskStatus.RESPONDED).count() == answered.count()
    assert all(a.response.wave == a.wave for a in asks.filter(response__isnull=False)[:50])
    funnels = ask_funnel(loaded.workspace, MetricsQuery(group_by=["channel"]))
    email, in_app = funnels[("email",)], funnels[("in-app",)]
    assert 0.25 < (email.response_rate or 0) < 0.4
    assert 0.45 < (in_app.response_rate or 0) < 0.65
    assert email.delivered < email.asked  # a few emails bounced
    assert ("link",) not in funnels  # the public link asks nobody
    assert load_demo(contacts=300, responses=400).asks_created == 0
