from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from npsloop.workspaces.keys import revoke_api_key
from npsloop.workspaces.models import ApiKey, LocalAccount, Member, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ("name", "slug", "time_zone", "created_at")
    search_fields = ("name", "slug")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ("user", "workspace", "role")
    list_filter = ("role", "workspace")


@admin.register(LocalAccount)
class LocalAccountAdmin(admin.ModelAdmin[LocalAccount]):
    """Accounts whose password link an admin of one workspace was shown (no email): members
    pages never add them elsewhere. Deleting the mark, once the person has confirmed the
    account is theirs, lets other workspaces add them."""

    list_display = ("user", "workspace", "created_at")
    list_filter = ("workspace",)
    readonly_fields = ("user", "workspace", "created_at")

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys are created with `npsloop apikey create` (the secret is shown once); here they
    can be inspected and revoked."""

    list_display = ("prefix", "name", "workspace", "created_at", "last_used_at", "revoked_at")
    list_filter = ("workspace",)
    readonly_fields = ("prefix", "secret_hash", "created_at", "last_used_at", "revoked_at")
    fields = (
        "workspace",
        "name",
        "prefix",
        "secret_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    )

    actions = ["revoke"]

    def has_add_permission(self, request: object) -> bool:
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            revoke_api_key(key)
