from __future__ import annotations

from django.contrib import admin

from npsloop.program.models import Release


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin[Release]):
    list_display = ("name", "released_at", "major", "workspace")
    list_filter = ("workspace", "major")
