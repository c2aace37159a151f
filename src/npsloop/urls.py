from __future__ import annotations

import importlib.util

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from npsloop import views
from npsloop.api.router import api, unknown_endpoint

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "reset/<uidb64>/<token>/",
        views.FirstPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_endpoint),
    path("", include("npsloop.channels.email.urls")),
    path("", include("npsloop.channels.link.urls")),
    path("", include("npsloop.channels.inapp.urls")),
    path("", include("npsloop.console.urls")),
]

if importlib.util.find_spec("anymail") is not None:
    # Bounce, complaint and unsubscribe webhooks of email service providers.
    urlpatterns.append(path("anymail/", include("anymail.urls")))
