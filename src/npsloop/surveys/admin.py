from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from npsloop.surveys.models import Response, Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = ("name", "product_name", "workspace", "is_active", "created_at")
    list_filter = ("workspace", "is_active")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin[Response]):
    """Read-only: responses change only through record_response/update_response, which
    keep the rollups exact (the API's PATCH is the way to correct one)."""

    list_display = ("id", "score", "category", "channel", "survey", "contact", "created_at")
    list_filter = ("workspace", "survey", "channel", "category")
    search_fields = ("comment",)
    list_select_related = ("survey", "contact")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
