"""A member's own choice of which case emails they get (Member.case_alerts)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from npsloop.console.access import workspace_for
from npsloop.errors import InvalidInput
from npsloop.loop.alerts import choose_case_alerts
from npsloop.workspaces.models import CaseAlerts, Member


@login_required
@require_http_methods(["GET", "POST"])
def case_alert_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = workspace_for(request.user, slug)
    user = request.user
    member = (
        Member.objects.filter(workspace=workspace, user=user).first()
        if isinstance(user, AbstractBaseUser)  # always, after login_required
        else None
    )
    if member is None:
        return HttpResponseForbidden(
            "Case alerts go to members of this workspace, and you are not one (you see it as "
            "a superuser). Add yourself as a member in the admin to get them."
        )
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            choose_case_alerts(member, request.POST.get("case_alerts", ""))
        except InvalidInput as error:
            errors = error.errors
        else:
            return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "console/case_alerts.html",
        {
            "workspace": workspace,
            "member": member,
            "email": getattr(user, "email", ""),
            "choices": CaseAlerts.choices,
            "errors": errors,
            "saved": request.GET.get("saved") == "1",
        },
        status=422 if errors else 200,
    )
