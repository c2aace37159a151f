from __future__ import annotations

from django.urls import path

from npsloop.channels.link import views

urlpatterns = [path("s/<slug:slug>", views.survey_link, name="link-survey")]
