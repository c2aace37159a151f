"""The `smtp_sink` fixture: Django's real SMTP backend pointed at an SMTP server on loopback.

A pytest plugin (tests/conftest.py lists it in `pytest_plugins`), so any test can ask for
`smtp_sink` and check what a relay would have received, refusals and hang-ups included.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from bench.smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink(settings: Settings) -> Iterator[SmtpSink]:
    """A running SmtpSink that Django's email settings point at, stopped after the test."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield sink
