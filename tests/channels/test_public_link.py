"""The public survey link /s/<slug>."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from npsloop.channels.link.links import contact_url, public_url
from npsloop.contacts.models import Contact
from npsloop.surveys.models import Response, Survey


@pytest.fixture
def client() -> Client:
    return Client()


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_it_shows_the_question_and_stores_nothing_until_submitted(
    client: Client, survey: Survey
) -> None:
    page = client.get(path_of(public_url(survey)))
    assert page.status_code == 200
    assert "How likely are you to recommend Acme Cloud" in page.content.decode()
    assert "Your answer helps us improve Acme Cloud." in page.content.decode()
    client.head(path_of(public_url(survey)))
    assert not Response.objects.exists()


def test_an_answer_is_recorded_once_per_device(client: Client, survey: Survey) -> None:
    url = path_of(public_url(survey))
    reply = client.post(url, {"score": "10", "comment": "Love it"})
    assert reply.status_code == 302
    response = Response.objects.get()
    assert (response.score, response.comment, response.channel, response.contact_id) == (
        10,
        "Love it",
        "link",
        None,
    )
    again = client.get(url).content.decode()
    assert "You have already answered this survey from this device." in again
    client.post(url, {"score": "9", "comment": "Love it"})
    assert list(Response.objects.values_list("score", flat=True)) == [9]
    # Another device is another answer.
    Client().post(url, {"score": "3"})
    assert Response.objects.count() == 2


def test_a_signed_link_attributes_the_answer_to_its_contact(
    client: Client, survey: Survey, ann: Contact
) -> None:
    url = path_of(contact_url(survey, ann))
    assert client.post(url, {"score": "6"}).status_code == 302
    assert Response.objects.get().contact_id == ann.pk
    tampered = url[:-3] + ("abc" if not url.endswith("abc") else "xyz")
    Client().post(tampered, {"score": "2"})
    assert Response.objects.filter(contact__isnull=True).count() == 1


def test_a_bad_score_is_refused_with_a_message(client: Client, survey: Survey) -> None:
    for score in ("", "11", "seven"):
        reply = client.post(path_of(public_url(survey)), {"score": score})
        assert reply.status_code == 422
        assert "A score must be a whole number from 0 to 10." in reply.content.decode()
    assert not Response.objects.exists()


def test_too_many_answers_from_one_address_are_refused(survey: Survey, settings: Settings) -> None:
    settings.LINK_ANSWERS_PER_IP_HOUR = 3
    url = path_of(public_url(survey))
    codes = [Client().post(url, {"score": "8"}).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Response.objects.count() == 3


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(
    survey: Survey, settings: Settings
) -> None:
    settings.LINK_ANSWERS_PER_IP_HOUR = 2
    settings.PROXIES = 1
    url = path_of(public_url(survey))

    def answer(client_address: str) -> int:
        # What the proxy appends; the peer is always the proxy itself.
        headers = {"X-Forwarded-For": f"6.6.6.6, {client_address}"}
        return Client(REMOTE_ADDR="10.0.0.2").post(url, {"score": "8"}, headers=headers).status_code

    assert [answer("203.0.113.7") for _ in range(3)] == [302, 302, 429]
    assert [answer("198.51.100.9") for _ in range(2)] == [302, 302]
    assert Response.objects.count() == 4


def test_an_unknown_or_paused_survey_is_not_found(client: Client, survey: Survey) -> None:
    assert client.get("/s/no-such-survey").status_code == 404
    survey.is_active = False
    survey.save()
    assert client.get(path_of(public_url(survey))).status_code == 404


def test_it_answers_in_the_browsers_language(client: Client, survey: Survey) -> None:
    page = client.get(path_of(public_url(survey)), headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert 'lang="fr"' in page.content.decode()


def test_it_answers_in_the_first_browser_language_it_speaks(client: Client, survey: Survey) -> None:
    page = client.get(path_of(public_url(survey)), headers={"Accept-Language": "sv, de;q=0.7"})
    assert 'lang="de"' in page.content.decode()
    page = client.get(path_of(public_url(survey)), headers={"Accept-Language": "sv, fi"})
    assert f'lang="{survey.language}"' in page.content.decode()
