from __future__ import annotations

from django.urls import path

from npsloop.console import programme, surveys, workspace_settings

urlpatterns = [
    path(
        "w/<slug:slug>/surveys/<int:survey_id>/programme/",
        programme.programme_page,
        name="console-programme",
    ),
    path(
        "w/<slug:slug>/settings/",
        workspace_settings.workspace_settings,
        name="console-workspace",
    ),
    path("w/<slug:slug>/surveys/", surveys.survey_list, name="console-surveys"),
    path("w/<slug:slug>/surveys/<int:survey_id>/", surveys.survey_settings, name="console-survey"),
    path(
        "w/<slug:slug>/surveys/<int:survey_id>/preview/<str:kind>",
        surveys.survey_preview,
        name="console-survey-preview",
    ),
]
