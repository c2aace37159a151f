"""Who may see and change what in a workspace: viewers see, editors configure surveys,
admins and owners manage members and keys. Staff superusers act as owners everywhere."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from npsloop.workspaces.models import Member, Role, Workspace

EDITORS = (Role.OWNER, Role.ADMIN, Role.EDITOR)
ADMINS = (Role.OWNER, Role.ADMIN)


def role_in(user: AbstractBaseUser | AnonymousUser, workspace: Workspace) -> str | None:
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.OWNER
    return (
        Member.objects.filter(workspace=workspace, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )


def workspace_for(user: AbstractBaseUser | AnonymousUser, slug: str) -> tuple[Workspace, str]:
    """The workspace and the user's role in it; 404 for a workspace they are not in, so
    nobody learns which workspaces exist."""
    workspace = Workspace.objects.filter(slug=slug).first()
    role = role_in(user, workspace) if workspace else None
    if workspace is None or role is None:
        raise Http404("no such workspace")
    return workspace, role


VIEWERS_MESSAGE = (
    "Viewers see the dashboards; only editors, admins and owners open the settings of "
    "surveys and programmes. Ask an admin of this workspace for the editor role."
)
