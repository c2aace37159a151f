"""Sign-in throttling: django-axes, configured in settings (AXES_*), answers a paused
sign-in with the sign-in page and a message that says what happened and when to try again."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class ThrottledBackend(AxesStandaloneBackend):
    """Counts and pauses sign-ins that come through a web request: every way in from outside
    (the sign-in page, the admin's) passes one. Code that checks a password without a
    request (commands, tests) is not guessing over the network, so it is left alone."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None


def pause_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def paused(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """The sign-in page again, saying sign-in is paused, with 429 Too Many Requests."""
    username = request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"form": form, "next": next_url, "paused_minutes": pause_minutes()}
    return render(request, "login.html", context, status=429)
