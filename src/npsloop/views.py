"""The pages of a signed-in member (more arrive with the dashboard) and the login."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from npsloop.insights.metrics import MetricsQuery, compute_metrics
from npsloop.stats import summarize
from npsloop.workspaces.models import Workspace


class LoginView(auth_views.LoginView):
    template_name = "login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member's workspaces, each with its all-time NPS, interval and sample size."""
    user = request.user
    assert user.is_authenticated  # login_required let only members in
    workspaces = Workspace.objects.order_by("name")
    if not user.is_superuser:
        workspaces = workspaces.filter(members__user=user)
    rows = []
    for workspace in workspaces:
        [(_, histogram)] = compute_metrics(workspace, MetricsQuery())
        rows.append((workspace, summarize(histogram)))
    return render(request, "home.html", {"rows": rows})


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
