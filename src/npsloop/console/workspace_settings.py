"""A workspace's own settings: asking rules, the widget's keys and who may embed it.
Admins and owners change them; other members don't see the secret."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from npsloop.console.access import ADMINS, workspace_for
from npsloop.errors import InvalidInput
from npsloop.workspaces.services import rotate_widget_secret, update_workspace

NUMBERS = ("cooldown_days", "send_rate_per_minute", "anonymous_sample_percent")


@login_required
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    if role not in ADMINS:
        return HttpResponseForbidden("Only admins and owners see and change workspace settings.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("rotate_secret") == "1":
            rotate_widget_secret(workspace)
            return redirect(f"{request.path}?saved=1")
        changes: dict[str, object] = {
            "name": request.POST.get("name", ""),
            "widget_origins": request.POST.get("widget_origins", ""),
            "require_identity": request.POST.get("require_identity") == "on",
        }
        for name in NUMBERS:
            value = request.POST.get(name, "").strip()
            if value.isdigit():
                changes[name] = int(value)
            else:
                errors[name] = f"must be a whole number, got {value!r}"
        if not errors:
            try:
                update_workspace(workspace, changes)
            except InvalidInput as error:
                errors = error.errors
        if not errors:
            return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "console/workspace_settings.html",
        {
            "workspace": workspace,
            "errors": errors,
            "saved": request.GET.get("saved") == "1",
            "form": request.POST if errors else None,
        },
        status=422 if errors else 200,
    )
