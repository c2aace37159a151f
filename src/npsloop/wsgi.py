"""The WSGI application the production web server runs: Django, with one request answered
beside it (npsloop.lean): the widget's check."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npsloop.settings")
django_application = get_wsgi_application()

# It needs Django set up.
from npsloop.channels.inapp.wsgi import widget_check  # noqa: E402


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO", "") == "/widget/v1/check":
        return widget_check(environ, start_response)
    return django_application(environ, start_response)
