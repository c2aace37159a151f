from __future__ import annotations

from django.urls import path

from npsloop.channels.email import views

urlpatterns = [
    path("r/<str:token>/", views.ask_page, name="ask-page"),
    path("r/<str:token>/record", views.record, name="ask-record"),
    path("r/<str:token>/answers", views.answers, name="ask-answers"),
    path("r/<str:token>/scan", views.decoy_link, name="ask-decoy"),
    path("r/<str:token>/<str:score>", views.score_link, name="ask-score"),
    path("u/<str:token>", views.unsubscribe_link, name="ask-unsubscribe"),
]
