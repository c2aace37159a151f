from __future__ import annotations

from django.contrib import admin

from npsloop.contacts.models import Account


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ("external_id", "name", "workspace", "updated_at")
    list_filter = ("workspace",)
    search_fields = ("external_id", "name")
