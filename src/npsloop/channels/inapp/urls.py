from __future__ import annotations

from django.urls import path

from npsloop.channels.inapp import pages, views

urlpatterns = [
    path("widget.js", pages.widget_script, name="widget-script"),
    path("widget/demo", pages.demo, name="widget-demo"),
    path("widget/demo/<str:route>", pages.demo, name="widget-demo-route"),
    path("widget/v1/check", views.check, name="widget-check"),
    path("widget/v1/answer", views.answer, name="widget-answer"),
    path("widget/v1/followup", views.followup, name="widget-followup"),
    path("widget/v1/dismiss", views.dismiss, name="widget-dismiss"),
]
