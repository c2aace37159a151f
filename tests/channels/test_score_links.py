"""The links in a survey email: a person's click records the score once; scanners that
fetch every link record nothing."""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from npsloop.channels.email.pages import render_score_page
from npsloop.contacts.models import Contact
from npsloop.program.asks import ask_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Response, Survey
from tests.channels.conftest import client_for
from tests.wsgi_client import WsgiClient


@pytest.fixture
def client(transport: str) -> Client:
    """Each test through Django's test client and through the production application."""
    return client_for(transport)  # type: ignore[no-any-return]


def record(client: Client, ask: SurveyRequest, score: object, **extra: str) -> object:
    return client.post(f"/r/{ask.token}/record", {"score": score, **extra})


def test_a_score_link_shows_the_page_with_the_score_chosen_and_stores_nothing(
    client: Client, ask: SurveyRequest
) -> None:
    page = client.get(f"/r/{ask.token}/8")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="8" checked' in html
    assert "How likely are you to recommend Acme Cloud" in html
    assert 'data-auto-record="1"' in html
    assert not Response.objects.exists()


def test_a_scanner_fetching_every_link_records_nothing(
    client: Client, ask: SurveyRequest, ann: Contact
) -> None:
    for score in range(11):
        assert client.get(f"/r/{ask.token}/{score}").status_code == 200
        assert client.head(f"/r/{ask.token}/{score}").status_code == 200
    assert client.get(f"/u/{ask.token}").status_code == 200
    assert client.head(f"/u/{ask.token}").status_code == 200
    assert client.get(f"/r/{ask.token}/").status_code == 200
    assert not Response.objects.exists()
    ann.refresh_from_db()
    assert ann.unsubscribed_at is None
    # A scanner that runs the page's script next: its recording looks like a burst of
    # different scores and is refused until someone clicks.
    reply = record(client, ask, 10)
    assert reply.status_code == 409  # type: ignore[attr-defined]
    assert not Response.objects.exists()


def test_the_emails_hidden_link_stops_its_pages_recording_for_two_minutes(
    client: Client, ask: SurveyRequest
) -> None:
    """Only a machine follows the decoy (it is invisible and out of reach in the email):
    for a while, that email's pages record only what someone confirms by a click."""
    assert client.head(f"/r/{ask.token}/scan").status_code == 200
    page = client.get(f"/r/{ask.token}/scan")
    assert page.status_code == 200
    assert "choose a score in the email" in page.content.decode()
    client.get(f"/r/{ask.token}/9")
    assert record(client, ask, 9).status_code == 409  # type: ignore[attr-defined]
    assert not Response.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=119)):
        assert record(client, ask, 9).status_code == 409  # type: ignore[attr-defined]
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        client.get(f"/r/{ask.token}/9")
        assert record(client, ask, 9).status_code == 200  # type: ignore[attr-defined]
    assert Response.objects.get().score == 9


def test_a_click_confirms_a_score_after_the_hidden_link_was_fetched(
    client: Client, ask: SurveyRequest
) -> None:
    client.get(f"/r/{ask.token}/scan")
    assert record(client, ask, 4, confirmed="1").status_code == 200  # type: ignore[attr-defined]
    assert Response.objects.get().score == 4


def test_the_hidden_link_of_an_unknown_token_is_a_plain_404(
    client: Client, ask: SurveyRequest
) -> None:
    for token in ("nope", "x" * 22, ask.token[:-1] + "!"):
        assert client.get(f"/r/{token}/scan").status_code == 404
    client.get(f"/r/{ask.token}/9")
    assert record(client, ask, 9).status_code == 200  # type: ignore[attr-defined]


def test_the_pages_script_records_the_score_once(client: Client, ask: SurveyRequest) -> None:
    client.get(f"/r/{ask.token}/8")
    reply = record(client, ask, 8)
    assert reply.status_code == 200  # type: ignore[attr-defined]
    assert reply.json() == {  # type: ignore[attr-defined]
        "score": 8,
        "category": "passive",
        "message": "Thank you — your score has been recorded.",
    }
    assert record(client, ask, 8).status_code == 200  # type: ignore[attr-defined]
    response = Response.objects.get()
    assert (response.score, response.channel, response.contact_id) == (8, "email", ask.contact_id)
    ask.refresh_from_db()
    assert ask.status == AskStatus.RESPONDED
    assert ask.response_id == response.pk
    # Opening the link again shows the answer: no second response, no new page state.
    again = client.get(f"/r/{ask.token}/3")
    assert again.status_code == 302
    assert 'value="8" checked' in client.get(again["Location"]).content.decode()
    assert Response.objects.count() == 1


def test_a_person_may_change_the_score(client: Client, ask: SurveyRequest) -> None:
    client.get(f"/r/{ask.token}/8")
    record(client, ask, 8)
    assert record(client, ask, 10, confirmed="1").json()["category"] == "promoter"  # type: ignore[attr-defined]
    assert list(Response.objects.values_list("score", flat=True)) == [10]


def test_a_confirmed_click_records_despite_a_burst(client: Client, ask: SurveyRequest) -> None:
    client.get(f"/r/{ask.token}/2")
    client.get(f"/r/{ask.token}/9")
    assert record(client, ask, 9).status_code == 409  # type: ignore[attr-defined]
    assert record(client, ask, 9, confirmed="1").status_code == 200  # type: ignore[attr-defined]
    assert Response.objects.get().score == 9


def test_the_followup_form_stores_the_reason_and_extra_answers(
    client: Client, survey: Survey, ask: SurveyRequest
) -> None:
    survey.extra_questions = [
        {"id": "ease", "type": "rating", "label": "How easy is it to use?", "required": True},
        {
            "id": "used",
            "type": "multiple",
            "label": "What do you use?",
            "options": ["Reports", "Alerts", "API"],
        },
    ]
    survey.cta_url = "https://reviews.example.com/acme"
    survey.save()
    client.get(f"/r/{ask.token}/9")
    record(client, ask, 9)
    page = client.post(
        f"/r/{ask.token}/answers",
        {
            "score": "9",
            "comment": "<script>alert(1)</script> great",
            "ease": "4",
            "used": ["0", "2"],
        },
    )
    assert page.status_code == 302, page.content.decode()[-3000:]
    response = Response.objects.get()
    assert response.comment == "<script>alert(1)</script> great"
    assert response.answers == {"ease": 4, "used": [0, 2]}
    thanks = client.get(page["Location"]).content.decode()
    assert "We&#x27;re delighted you would recommend Acme Cloud" in thanks
    assert "https://reviews.example.com/acme" in thanks
    assert "&lt;script&gt;alert(1)&lt;/script&gt; great" in thanks
    assert "<script>alert(1)" not in thanks


def test_the_call_to_action_is_for_promoters_only_by_default(
    client: Client, survey: Survey, ask: SurveyRequest
) -> None:
    survey.cta_url = "https://reviews.example.com/acme"
    survey.save()
    client.get(f"/r/{ask.token}/6")
    record(client, ask, 6)
    client.post(f"/r/{ask.token}/answers", {"score": "6", "comment": "slow"})
    thanks = client.get(f"/r/{ask.token}/?saved=1").content.decode()
    assert "sorry Acme Cloud fell short" in thanks
    assert "reviews.example.com" not in thanks


def test_it_works_without_any_script(client: Client, ask: SurveyRequest) -> None:
    """A first form submission records the score and the reason together."""
    reply = client.post(f"/r/{ask.token}/answers", {"score": "3", "comment": "Too slow"})
    assert reply.status_code == 302
    response = Response.objects.get()
    assert (response.score, response.comment) == (3, "Too slow")


def test_a_comment_over_ten_thousand_characters_is_refused(
    client: Client, ask: SurveyRequest
) -> None:
    record(client, ask, 7)
    reply = client.post(f"/r/{ask.token}/answers", {"score": "7", "comment": "x" * 10_001})
    assert reply.status_code == 422
    assert "10001 characters long; at most 10000" in reply.content.decode()
    assert Response.objects.get().comment == ""


def test_a_required_extra_question_must_be_answered(
    client: Client, survey: Survey, ask: SurveyRequest
) -> None:
    survey.extra_questions = [{"id": "ease", "type": "rating", "label": "Ease?", "required": True}]
    survey.save()
    record(client, ask, 7)
    reply = client.post(f"/r/{ask.token}/answers", {"score": "7", "comment": "ok"})
    assert reply.status_code == 422
    assert "Please answer this question." in reply.content.decode()
    assert Response.objects.get().comment == ""


def test_answers_can_be_changed_for_seven_days_only(client: Client, ask: SurveyRequest) -> None:
    record(client, ask, 7)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = client.get(f"/r/{ask.token}/").content.decode()
        assert "This survey is closed" in page
        reply = client.post(f"/r/{ask.token}/answers", {"score": "10", "comment": "late"})
        assert reply.status_code == 422
    assert Response.objects.get().score == 7


@pytest.mark.parametrize("token", ["nope", "x" * 22, "A" * 200, "%3Cscript%3E"])
def test_an_unknown_or_tampered_token_is_a_plain_404(
    client: Client, ask: SurveyRequest, token: str
) -> None:
    for url in (f"/r/{token}/8", f"/r/{token}/", f"/u/{token}"):
        reply = client.get(url)
        assert reply.status_code == 404
        body = reply.content.decode()
        assert "This link is not valid or has expired." in body
        assert "Acme" not in body
    assert client.post(f"/r/{token}/record", {"score": 8}).status_code == 404
    assert not Response.objects.exists()


@pytest.mark.parametrize("score", ["11", "-1", "7.5", "abc", "10000000000000000000000"])
def test_a_score_outside_zero_to_ten_is_an_error_page(
    client: Client, ask: SurveyRequest, score: str
) -> None:
    reply = client.get(f"/r/{ask.token}/{score}")
    assert reply.status_code == 400
    assert "A score must be a whole number from 0 to 10." in reply.content.decode()
    assert record(client, ask, score).status_code == 422  # type: ignore[attr-defined]
    assert not Response.objects.exists()


def test_the_page_speaks_the_contacts_language(
    client: Client, ask: SurveyRequest, ann: Contact
) -> None:
    Contact.objects.filter(pk=ann.pk).update(locale="ja-JP")
    html = client.get(f"/r/{ask.token}/9").content.decode()
    assert 'lang="ja"' in html
    Contact.objects.filter(pk=ann.pk).update(locale="ar")
    assert 'dir="rtl"' in client.get(f"/r/{ask.token}/9").content.decode()


def test_unsubscribing_needs_a_confirmation(
    client: Client, ask: SurveyRequest, ann: Contact
) -> None:
    page = client.get(f"/u/{ask.token}").content.decode()
    assert "Stop receiving survey emails from Acme Cloud at ann@example.com?" in page
    ann.refresh_from_db()
    assert ann.unsubscribed_at is None
    done = client.post(f"/u/{ask.token}")
    assert "You&#x27;re unsubscribed" in done.content.decode()
    ann.refresh_from_db()
    assert ann.unsubscribed_at is not None
    ask.refresh_from_db()
    assert ask.status == AskStatus.CANCELLED


def test_the_one_click_unsubscribe_of_rfc_8058_needs_no_csrf_token(
    ask: SurveyRequest, ann: Contact
) -> None:
    strict = Client(enforce_csrf_checks=True)
    reply = strict.post(
        f"/u/{ask.token}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert reply.status_code == 200
    ann.refresh_from_db()
    assert ann.unsubscribed_at is not None


@pytest.mark.parametrize(
    ("name", "email"),
    [("Ann <b>Lee</b> & Co", "ann@example.com"), ("", "ann@example.com"), ("Ann", None)],
)
def test_the_kept_page_is_the_page_rendered_for_the_person(
    ask: SurveyRequest, ann: Contact, survey: Survey, name: str, email: str | None
) -> None:
    ann.name, ann.email = name, email
    ann.save()
    survey.texts = {"en": {"page_title": "For {name} <{email}>: {product}"}}
    survey.save()
    for score in (0, 7, 10):
        rendered = render_score_page(survey, "en", name, email or "", ask.token, score)
        first = Client().get(f"/r/{ask.token}/{score}")
        fast = WsgiClient().get(f"/r/{ask.token}/{score}")  # from the kept page
        again = Client().get(f"/r/{ask.token}/{score}")
        assert first.status_code == fast.status_code == again.status_code == 200
        assert first.content == fast.content == again.content == rendered.encode()
    direct = first
    html = direct.content.decode()
    assert f"For {escape(name)} &lt;{escape(email or '')}&gt;: Acme Cloud" in html
    assert "StandIn" not in html
    head = Client().head(f"/r/{ask.token}/7")  # the web server drops the body of a HEAD
    assert head.status_code == 200 and head.content == b""
    assert int(head["Content-Length"]) == len(fast.content)


def test_a_formatted_merge_field_is_rendered_for_each_person(
    ask: SurveyRequest, ann: Contact, survey: Survey
) -> None:
    survey.texts = {"en": {"page_title": "[{name:>12}]"}}
    survey.save()
    page = WsgiClient().get(f"/r/{ask.token}/9")
    assert f"[{ann.name:>12}]" in page.content.decode()


def test_a_changed_survey_reaches_the_page_once_the_kept_one_is_forgotten(
    ask: SurveyRequest, survey: Survey
) -> None:
    assert "Acme Cloud" in WsgiClient().get(f"/r/{ask.token}/5").content.decode()
    survey.product_name = "Acme Orbit"
    survey.save()
    with time_machine.travel(timezone.now() + timedelta(seconds=6)):
        page = WsgiClient().get(f"/r/{ask.token}/5").content.decode()
    assert "Acme Orbit" in page and "Acme Cloud" not in page


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_is_replaced_not_reported(
    survey: Survey, ann: Contact
) -> None:
    """The page checks its kept connection by its own statement (statements.read) instead
    of a health check round trip; a connection the database dropped is replaced."""
    ask = ask_contacts(survey, ["u-1"]).scheduled[0]
    client = Client()
    assert client.get(f"/r/{ask.token}/9").status_code == 200
    connection.close_if_unusable_or_obsolete()  # Django's end of a request: kept, unchecked
    assert connection.connection is not None
    if connection.vendor == "postgresql":
        backend = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
        finally:
            other.close()
    page = client.get(f"/r/{ask.token}/9")
    assert page.status_code == 200
    assert 'value="9" checked' in page.content.decode()
