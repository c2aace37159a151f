"""Admin pages whose actions belong to a service above the model's own app."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from npsloop.contacts.models import Contact
from npsloop.surveys.erasure import erase_contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    """Deleting a contact here erases the person as the API's DELETE does: their comments,
    answers and properties snapshots go, their scores stay counted anonymously."""

    list_display = ("email", "external_id", "name", "account", "workspace", "updated_at")
    list_filter = ("workspace",)
    search_fields = ("email", "external_id", "name")
    raw_id_fields = ("account",)

    def delete_model(self, request: HttpRequest, obj: Contact) -> None:
        erase_contact(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        for contact in queryset:
            erase_contact(contact)
