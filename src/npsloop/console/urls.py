from __future__ import annotations

from django.urls import path

from npsloop.console import surveys

urlpatterns = [
    path("w/<slug:slug>/surveys/", surveys.survey_list, name="console-surveys"),
    path("w/<slug:slug>/surveys/<int:survey_id>/", surveys.survey_settings, name="console-survey"),
    path(
        "w/<slug:slug>/surveys/<int:survey_id>/preview/<str:kind>",
        surveys.survey_preview,
        name="console-survey-preview",
    ),
]
