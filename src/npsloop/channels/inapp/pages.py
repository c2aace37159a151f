"""/widget.js itself, and /widget/demo: a small imitation SaaS page that shows the widget
working on the demo workspace."""

from __future__ import annotations

import gzip
import secrets
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from npsloop.channels.inapp.identity import user_hash
from npsloop.workspaces.models import Workspace

DEMO_WORKSPACE = "acme-cloud"
SCRIPT_MAX_AGE = 300


@cache
def _script() -> tuple[bytes, bytes]:
    path = finders.find("npsloop/widget.js")
    if not isinstance(path, str):
        raise FileNotFoundError("npsloop/widget.js is missing from the static files")
    with open(path, "rb") as file:
        plain = file.read()
    return plain, gzip.compress(plain, compresslevel=9, mtime=0)


@require_GET
def widget_script(request: HttpRequest) -> HttpResponse:
    """The widget, served from the root so the snippet's address stays short and stable.
    Cached by browsers for five minutes: a new version reaches everyone within minutes."""
    plain, packed = _script()
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    reply = HttpResponse(packed if zipped else plain, content_type="text/javascript")
    if zipped:
        reply["Content-Encoding"] = "gzip"
    reply["Vary"] = "Accept-Encoding"
    reply["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    reply["Access-Control-Allow-Origin"] = "*"
    return reply


@require_GET
def demo(request: HttpRequest, route: str = "") -> HttpResponse:
    """Each browser session is a new demo user, so the survey shows on the first visit;
    'new demo user' starts over."""
    workspace = Workspace.objects.filter(slug=DEMO_WORKSPACE).first()
    if workspace is None:
        return render(request, "widget/no_demo.html", status=404)
    if request.GET.get("new") == "1" or "demo_user" not in request.session:
        request.session["demo_user"] = f"demo_{secrets.token_hex(4)}"
    user_id = str(request.session["demo_user"])
    return render(
        request,
        "widget/demo.html",
        {
            "workspace": workspace,
            "user_id": user_id,
            "user_hash": user_hash(workspace, user_id),
        },
    )
