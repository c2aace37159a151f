"""The survey settings pages: what editors change, what viewers see, and the live preview."""

from __future__ import annotations

import pytest
from console_fixtures import SignedIn
from django.test import Client

from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace


def form(survey: Survey, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": survey.name,
        "product_name": survey.product_name,
        "question": "",
        "language": "en",
        "is_active": "on",
        "wording_language": "en",
        "cta_url": "",
        "cta_audience": "promoters",
        "sender_name": "",
        "sender_email": "",
        "reply_to": "",
        "reminders": "1",
        "reminder_days": "7",
        "cooldown_days": "",
        "edit_days": "7",
        "in_app": "on",
        "widget_position": "bottom-right",
        "widget_event": "",
        "targeting_rows": "1",
        "dismiss_days": "7",
        "widget_returns": "2",
    }
    data.update(changes)
    return data


def url(survey: Survey, tail: str = "") -> str:
    return f"/w/{survey.workspace.slug}/surveys/{survey.pk}/{tail}"


def test_an_editor_changes_wording_questions_and_sender(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    page = client.get(url(survey))
    assert page.status_code == 200
    assert "What is the primary reason for your score?" in page.content.decode()
    reply = client.post(
        url(survey),
        form(
            survey,
            sender_name="Acme Team",
            sender_email="team@acme.example",
            text_followup_detractor="What should we fix first?",
            q0_id="ease",
            q0_type="single",
            q0_label="How easy is it?",
            q0_options="Easy\nHard",
            q0_required="on",
            cta_url="https://reviews.example.com/acme",
            reminders="2",
        ),
    )
    assert reply.status_code == 302, reply.content.decode()[:2000]
    survey.refresh_from_db()
    assert survey.sender_email == "team@acme.example"
    assert survey.texts == {"en": {"followup_detractor": "What should we fix first?"}}
    assert survey.extra_questions == [
        {
            "id": "ease",
            "type": "single",
            "label": "How easy is it?",
            "required": True,
            "options": ["Easy", "Hard"],
        }
    ]
    assert survey.reminders == 2
    assert "Saved." in client.get(reply["Location"]).content.decode()


def test_wording_in_another_language_keeps_the_first(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    client.post(url(survey), form(survey, text_email_subject="Quick question"))
    client.post(
        url(survey) + "?language=de",
        form(survey, wording_language="de", text_email_subject="Kurze Frage"),
    )
    survey.refresh_from_db()
    assert survey.texts == {
        "en": {"email_subject": "Quick question"},
        "de": {"email_subject": "Kurze Frage"},
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reminders": "5"}, "reminders"),
        ({"reminders": "two"}, "reminders"),
        ({"sender_email": "nope"}, "sender_email"),
        ({"cta_url": "ftp://x"}, "cta_url"),
        ({"text_email_subject": "Hi {nmae}"}, "texts.en.email_subject"),
        ({"q0_id": "Bad Id", "q0_label": "x"}, "extra_questions.0.id"),
        ({"name": ""}, "name"),
        ({"t_value0": "admin"}, "targeting.0"),
        ({"t_prop0": "a__b", "t_value0": "x"}, "targeting"),
        ({"t_min_tenure": "soon"}, "targeting.min_tenure_days"),
        ({"widget_position": "middle"}, "widget_position"),
        ({"dismiss_days": "0"}, "dismiss_days"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_saved(
    workspace: Workspace, survey: Survey, changes: dict[str, str], field: str, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    reply = client.post(url(survey), form(survey, sender_name="Changed", **changes))
    assert reply.status_code == 422
    assert f"<strong>{field}</strong>" in reply.content.decode()
    survey.refresh_from_db()
    assert survey.sender_name == ""


def test_a_viewer_neither_sees_nor_changes_the_settings(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "viewer")
    refused = client.get(url(survey))
    assert refused.status_code == 403
    assert "Viewers see the dashboards" in refused.content.decode()
    assert client.post(url(survey), form(survey, sender_name="X")).status_code == 403
    assert client.post(url(survey, "preview/email"), {}).status_code == 403
    assert client.get(f"/w/{workspace.slug}/").status_code == 200  # the dashboard is theirs
    survey.refresh_from_db()
    assert survey.sender_name == ""


def test_strangers_find_nothing(
    workspace: Workspace, other_workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    stranger = signed_in(other_workspace, "owner")
    assert stranger.get(url(survey)).status_code == 404
    assert stranger.get(f"/w/{workspace.slug}/surveys/").status_code == 404
    assert Client().get(url(survey)).status_code == 302  # to sign in


def test_the_preview_shows_unsaved_changes(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    email = client.post(
        url(survey, "preview/email"),
        form(survey, text_email_intro="Hello {first_name} from {company}!"),
    )
    assert email.status_code == 200
    assert "Hello Alex from Example Corp!" in email.content.decode()
    page = client.post(
        url(survey, "preview/page"),
        form(survey, text_followup_promoter="What do you love most?"),
    )
    assert "What do you love most?" in page.content.decode()
    survey.refresh_from_db()
    assert survey.texts == {}
    german = client.get(url(survey, "preview/email") + "?language=de").content.decode()
    assert "Wie wahrscheinlich ist es" in german
    bad = client.post(url(survey, "preview/email"), form(survey, reminders="9"))
    assert bad.status_code == 422
    assert "reminders" in bad.content.decode()


def test_the_widget_settings_and_snippet(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    page = client.get(url(survey)).content.decode()
    assert f"data-key=&quot;{workspace.publishable_key}&quot;" in page
    assert "/widget.js" in page
    assert workspace.widget_secret not in page
    reply = client.post(
        url(survey),
        form(
            survey,
            widget_position="bottom-left",
            widget_event="completed_onboarding",
            t_prop0="role",
            t_value0="admin",
            t_prop1="seats",
            t_value1="10",
            t_accounts="acme, globex",
            t_min_tenure="30",
            dismiss_days="14",
            widget_returns="1",
            in_app="",
        ),
    )
    assert reply.status_code == 302
    survey.refresh_from_db()
    assert (survey.widget_position, survey.widget_event) == ("bottom-left", "completed_onboarding")
    assert survey.targeting == {
        "properties": {"role": "admin", "seats": 10},
        "accounts": ["acme", "globex"],
        "min_tenure_days": 30,
    }
    page = client.get(url(survey)).content.decode()
    assert 'name="t_prop1" value="seats"' in page and 'value="acme, globex"' in page
    assert (survey.dismiss_days, survey.widget_returns, survey.in_app) == (14, 1, False)
