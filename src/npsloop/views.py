"""The pages of a signed-in member (more arrive with the dashboard) and the login."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from npsloop.insights.metrics import MetricsQuery, compute_metrics
from npsloop.stats import summarize
from npsloop.workspaces.first_password import first_password_tokens, still_valid
from npsloop.workspaces.models import Workspace


class LoginView(auth_views.LoginView):
    template_name = "login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class FirstPasswordView(auth_views.PasswordResetConfirmView):
    """A new member chooses their first password through Django's password-reset page, with
    npsloop's tokens (npsloop.workspaces.first_password)."""

    token_generator = first_password_tokens

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        with transaction.atomic():
            token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
            if self.user is None or not still_valid(self.user.pk, token):
                self.validlink = False
                return self.render_to_response(self.get_context_data(form=form))
            return super().form_valid(form)


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
