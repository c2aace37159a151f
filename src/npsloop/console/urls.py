from __future__ import annotations

from django.urls import path

from npsloop.console import (
    accounts,
    case_alerts,
    case_settings,
    cases,
    dashboard,
    digest,
    followup,
    inbox,
    members,
    programme,
    responses,
    surveys,
    workspace_settings,
)

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
    path(
        "w/<slug:slug>/settings/cases/",
        case_settings.case_settings_page,
        name="console-case-settings",
    ),
    path("w/<slug:slug>/digest/", digest.digest_settings, name="console-digest"),
    path("w/<slug:slug>/cases/<int:case_id>/", cases.case_page, name="console-case"),
    path("w/<slug:slug>/alerts/", case_alerts.case_alert_settings, name="console-alerts"),
    path("w/<slug:slug>/members/", members.members_page, name="console-members"),
    path("w/<slug:slug>/surveys/", surveys.survey_list, name="console-surveys"),
    path("w/<slug:slug>/surveys/<int:survey_id>/", surveys.survey_settings, name="console-survey"),
    path(
        "w/<slug:slug>/surveys/<int:survey_id>/preview/<str:kind>",
        surveys.survey_preview,
        name="console-survey-preview",
    ),
]

urlpatterns += [
    path("w/<slug:slug>/", dashboard.overview, name="dash-overview"),
    path("w/<slug:slug>/trend/", dashboard.trend, name="dash-trend"),
    path("w/<slug:slug>/segments/", dashboard.segments, name="dash-segments"),
    path("w/<slug:slug>/cohorts/", dashboard.cohorts, name="dash-cohorts"),
    path("w/<slug:slug>/accounts/", accounts.accounts, name="dash-accounts"),
    path("w/<slug:slug>/accounts/<int:account_id>/", accounts.account, name="dash-account"),
    path("w/<slug:slug>/responses/", responses.response_list, name="dash-responses"),
    path("w/<slug:slug>/follow-up/", followup.followup, name="dash-followup"),
    path(
        "w/<slug:slug>/responses/<int:response_id>/",
        responses.response_detail,
        name="dash-response",
    ),
]

urlpatterns += [
    path("w/<slug:slug>/cases/", inbox.inbox_page, name="console-cases"),
]
