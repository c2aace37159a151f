from __future__ import annotations

from django.contrib import admin

from npsloop.workspaces.models import ApiKey, Member, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ("name", "slug", "time_zone", "created_at")
    search_fields = ("name", "slug")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ("user", "workspace", "role")
    list_filter = ("role", "workspace")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys are created with `npsloop apikey create` (the secret is shown once); here they
    can be inspected and revoked."""

    list_display = ("prefix", "name", "workspace", "created_at", "last_used_at", "revoked_at")
    list_filter = ("workspace",)
    readonly_fields = ("prefix", "secret_hash", "created_at", "last_used_at")
    fields = (
        "workspace",
        "name",
        "prefix",
        "secret_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    )

    def has_add_permission(self, request: object) -> bool:
        return False
