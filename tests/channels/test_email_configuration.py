"""NPSLOOP_EMAIL_URL: SMTP, or an email service provider through django-anymail."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from npsloop import settings as npsloop_settings
from npsloop.channels.email.dispatch import send_due_asks
from npsloop.program.models import AskStatus, SurveyRequest


def test_it_reads_smtp_with_starttls_and_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NPSLOOP_EMAIL_URL", "smtp://me:pw@mail.example.com:2525")
    email = npsloop_settings._email()
    assert email["EMAIL_HOST"] == "mail.example.com"
    assert (email["EMAIL_PORT"], email["EMAIL_USE_TLS"], email["EMAIL_USE_SSL"]) == (
        2525,
        True,
        False,
    )
    assert email["EMAIL_TIMEOUT"] == 30


def test_it_reads_an_anymail_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NPSLOOP_EMAIL_URL", "anymail://postmark")
    monkeypatch.setenv("NPSLOOP_ANYMAIL_POSTMARK_SERVER_TOKEN", "tok")
    email = npsloop_settings._email()
    assert email["EMAIL_BACKEND"] == "anymail.backends.postmark.EmailBackend"
    assert email["ANYMAIL"] == {"POSTMARK_SERVER_TOKEN": "tok"}


@pytest.mark.parametrize("url", ["anymail://nosuchesp", "anymail://../x", "ftp://mail", "smtp:"])
def test_it_refuses_what_it_cannot_use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("NPSLOOP_EMAIL_URL", url)
    if url == "smtp:":
        # A bare scheme still means SMTP on localhost: accepted.
        assert npsloop_settings._email()["EMAIL_HOST"] == "localhost"
        return
    with pytest.raises(ValueError, match="NPSLOOP_EMAIL_URL"):
        npsloop_settings._email()


def test_it_keeps_the_providers_message_id(settings: Settings, ask: SurveyRequest) -> None:
    """Bounce webhooks name the provider's id, not our Message-ID header."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    assert send_due_asks().sent == 1
    ask.refresh_from_db()
    assert ask.status == AskStatus.SENT
    assert ask.provider_message_id
    assert ask.provider_message_id != ask.message_id
    assert SurveyRequest.objects.filter(provider_message_id=ask.provider_message_id).count() == 1
