from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from npsloop.errors import InvalidInput
from npsloop.workspaces.keys import revoke_api_key
from npsloop.workspaces.membership import add_member, check_not_last_owner, drop_member
from npsloop.workspaces.models import ApiKey, LocalAccount, Member, Role, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ("name", "slug", "time_zone", "created_at")
    search_fields = ("name", "slug")


class MemberForm(forms.ModelForm[Member]):
    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        member = self.instance
        if member.pk and member.role == Role.OWNER and data.get("role") != Role.OWNER:
            try:
                check_not_last_owner(member.workspace, member)
            except InvalidInput as refused:
                raise ValidationError(str(refused.errors["member"])) from refused
        return data


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    """Through the membership doors, so a workspace keeps an owner here too: a change that
    would leave none is refused with the reason."""

    list_display = ("user", "workspace", "role")
    list_filter = ("role", "workspace")
    fields = ("workspace", "user", "role", "digest", "case_alerts")
    form = MemberForm

    def get_readonly_fields(self, request: HttpRequest, obj: Member | None = None) -> list[str]:
        # A membership moves to another account or workspace by removing it and adding one.
        return ["workspace", "user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Member, form: object, change: bool) -> None:
        # The form checked the last-owner rule; add_member checks it again under the
        # workspace's lock, where two admins can't both remove "the other" owner.
        member = add_member(obj.workspace, obj.user, obj.role)
        Member.objects.filter(pk=member.pk).update(digest=obj.digest, case_alerts=obj.case_alerts)
        obj.pk = member.pk

    def has_delete_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        if obj is not None and obj.role == Role.OWNER:
            others = Member.objects.filter(workspace_id=obj.workspace_id, role=Role.OWNER)
            if not others.exclude(pk=obj.pk).exists():
                return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Member) -> None:
        drop_member(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset.select_related("user", "workspace"):
            try:
                drop_member(member)
            except InvalidInput as refused:
                self.message_user(request, str(refused.errors["member"]), messages.ERROR)


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
