"""Guessing passwords: after a few wrong ones, sign-in pauses for that account and for that
network address, says so, and resumes by itself after the pause (issue 21, item 8)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

PASSWORD = "a long passphrase 42"
PAUSED = "Too many failed sign-ins"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person(username: str, *, staff: bool = False) -> AbstractUser:
    user: AbstractUser = get_user_model().objects.create_user(
        username, username, PASSWORD, is_staff=staff, is_superuser=staff
    )
    return user


def sign_in(username: str, password: str, address: str = "10.0.0.1", path: str = "/login/") -> Any:
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def signed_in(reply: Any) -> bool:
    return reply.status_code == 302 and settings.SESSION_COOKIE_NAME in reply.cookies


def guess(username: str, times: int, address: str = "10.0.0.1", path: str = "/login/") -> None:
    for number in range(times):
        reply = sign_in(username, f"wrong guess {number}", address, path)
        assert not signed_in(reply)


def test_after_too_many_wrong_passwords_even_the_right_one_waits(db: None) -> None:
    person("ann@example.com")
    guess("ann@example.com", settings.AXES_FAILURE_LIMIT)
    reply = sign_in("ann@example.com", PASSWORD)
    assert reply.status_code == 429 and not signed_in(reply)
    page = reply.content.decode()
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() // 60
    assert PAUSED in page and f"try again in {minutes:.0f} minutes" in page
    # From another address too: the pause is the account's.
    assert not signed_in(sign_in("ann@example.com", PASSWORD, "10.0.0.2"))


def test_one_wrong_password_less_still_lets_the_owner_in(db: None) -> None:
    person("bea@example.com")
    guess("bea@example.com", settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(sign_in("bea@example.com", PASSWORD))


def test_after_the_pause_the_right_password_works_again(db: None) -> None:
    person("cy@example.com")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        guess("cy@example.com", settings.AXES_FAILURE_LIMIT)
    pause = settings.AXES_COOLOFF_TIME
    # Guessing on during the pause doesn't make it longer: the owner is never locked out
    # for more than one pause after the last counted failure.
    with time_machine.travel(start + pause / 2, tick=False):
        guess("cy@example.com", 20)
        assert not signed_in(sign_in("cy@example.com", PASSWORD))
    with time_machine.travel(start + pause - timedelta(seconds=1), tick=False):
        assert not signed_in(sign_in("cy@example.com", PASSWORD))
    with time_machine.travel(start + pause + timedelta(seconds=1), tick=False):
        assert signed_in(sign_in("cy@example.com", PASSWORD))


def test_other_accounts_are_unaffected(db: None) -> None:
    person("dee@example.com")
    person("eve@example.com")
    guess("dee@example.com", settings.AXES_FAILURE_LIMIT, address="10.0.0.1")
    assert signed_in(sign_in("eve@example.com", PASSWORD, address="10.0.0.2"))


def test_one_address_guessing_many_accounts_is_paused(db: None) -> None:
    person("fay@example.com")
    for number in range(settings.AXES_FAILURE_LIMIT):
        guess(f"someone-{number}@example.com", 1, address="10.0.0.9")
    reply = sign_in("fay@example.com", PASSWORD, address="10.0.0.9")
    assert reply.status_code == 429 and PAUSED in reply.content.decode()
    assert signed_in(sign_in("fay@example.com", PASSWORD, address="10.0.0.3"))


def test_the_admin_sign_in_is_throttled_too(db: None) -> None:
    person("gus@example.com", staff=True)
    guess("gus@example.com", settings.AXES_FAILURE_LIMIT, path="/admin/login/")
    reply = sign_in("gus@example.com", PASSWORD, path="/admin/login/")
    assert reply.status_code == 429 and PAUSED in reply.content.decode()
    assert not signed_in(sign_in("gus@example.com", PASSWORD))


def test_the_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from npsloop.web_security import sign_in_throttle

    assert sign_in_throttle() == (10, timedelta(minutes=15))
    monkeypatch.setenv("NPSLOOP_SIGN_IN_FAILURES", "5")
    monkeypatch.setenv("NPSLOOP_SIGN_IN_PAUSE_MINUTES", "60")
    assert sign_in_throttle() == (5, timedelta(minutes=60))
    monkeypatch.setenv("NPSLOOP_SIGN_IN_PAUSE_MINUTES", "0")
    with pytest.raises(ValueError, match="NPSLOOP_SIGN_IN_PAUSE_MINUTES must be at least 1"):
        sign_in_throttle()


def test_behind_a_proxy_addresses_come_from_x_forwarded_for(db: None, settings: Settings) -> None:
    """Every request reaches npsloop from the proxy; counting by that address would pause
    everyone. With NPSLOOP_PROXIES=1 the address the proxy saw counts, whatever a client
    puts in front of it."""
    settings.PROXIES = 1
    person("hal@example.com")
    person("ida@example.com")
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for number in range(settings.AXES_FAILURE_LIMIT):
        proxy.post(
            "/login/",
            {"username": f"someone-{number}@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.5",
        )
    paused = proxy.post(
        "/login/",
        {"username": "hal@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5",
    )
    assert paused.status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.1").post(
        "/login/",
        {"username": "ida@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert signed_in(other)
