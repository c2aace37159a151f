from __future__ import annotations

from django.contrib import admin

from npsloop.contacts.models import Account, Contact


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ("external_id", "name", "workspace", "updated_at")
    list_filter = ("workspace",)
    search_fields = ("external_id", "name")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ("email", "external_id", "name", "account", "workspace", "updated_at")
    list_filter = ("workspace",)
    search_fields = ("email", "external_id", "name")
    raw_id_fields = ("account",)
