"""The WSGI application the production web server runs: Django, with the busiest requests
answered beside it (npsloop.lean): the widget's check, an email's score link and the API's
recording of a response."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npsloop.settings")
django_application = get_wsgi_application()

# They need Django set up.
from npsloop.api.wsgi import record  # noqa: E402
from npsloop.channels.email.wsgi import score_link  # noqa: E402
from npsloop.channels.inapp.wsgi import widget_check  # noqa: E402


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path == "/widget/v1/check":
        return widget_check(environ, start_response)
    if path == "/api/v1/responses":
        return record(environ, start_response, django_application)
    if path.startswith("/r/"):
        return score_link(environ, start_response, django_application)
    return django_application(environ, start_response)
