"""Members and API keys of a workspace, managed by its admins and owners.

Every change redirects back with a notice, except those with something to say: a new API
key, whose secret is shown once; a person added or sent a password link, with whether the
link was emailed (and, on a server without email, the link of an account made just now).
They answer the POST itself, so a secret never travels in a URL (nor lands in logs or
history).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from npsloop.console.access import ADMINS, role_in, workspace_for
from npsloop.errors import InvalidInput, NotFound
from npsloop.workspaces.first_password import email_is_configured, link_lifetime_days
from npsloop.workspaces.keys import KEY_PREFIX
from npsloop.workspaces.membership import (
    Acting,
    add_person,
    change_role,
    create_named_key,
    keys_of,
    members_of,
    remove_member,
    renew_set_password_link,
    revoke_key,
)
from npsloop.workspaces.models import Role, Workspace

FORBIDDEN = (
    "Only admins and owners see and manage the members and API keys of a workspace. "
    "Ask an admin or owner of this workspace if you need a member added or a key."
)

# What an action shows instead of redirecting (a secret, once), or None to redirect.
Shown = dict[str, Any] | None
Action = Callable[[HttpRequest, Workspace, Acting], Shown]


@login_required
@require_http_methods(["GET", "POST"])
def members_page(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    if role not in ADMINS:
        return HttpResponseForbidden(FORBIDDEN)
    assert request.user.pk is not None  # login_required let only signed-in users in
    acting = Acting(user_id=request.user.pk, role=role)
    errors: dict[str, str] = {}
    shown: Shown = None
    if request.method == "POST":
        name = request.POST.get("action", "")
        action = ACTIONS.get(name)
        try:
            if action is None:
                raise InvalidInput({"action": f"must be one of {', '.join(ACTIONS)}, got {name!r}"})
            shown = action(request, workspace, acting)
        except InvalidInput as error:
            errors = error.errors
        except NotFound as error:
            raise Http404(str(error)) from error
        if not errors and shown is None:
            # An owner who just stepped down or left can't see this page any more.
            if role_in(request.user, workspace) not in ADMINS:
                return redirect("home")
            return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "console/members.html",
        {
            "workspace": workspace,
            "role": role,
            "roles": _roles_for(role),
            "rows": _rows(workspace, acting),
            "keys": keys_of(workspace),
            "errors": errors,
            "form": request.POST if errors else None,
            "saved": request.GET.get("saved") == "1" and request.method == "GET",
            "email_configured": email_is_configured(),
            "link_days": link_lifetime_days(),
            "key_prefix": KEY_PREFIX,
            **(shown or {}),
        },
        status=422 if errors else 200,
    )


def _add(request: HttpRequest, workspace: Workspace, acting: Acting) -> Shown:
    added = add_person(
        workspace, request.POST.get("email", ""), request.POST.get("role", ""), acting
    )
    if added.has_password:
        return None
    return {"added": added}


def _change_role(request: HttpRequest, workspace: Workspace, acting: Acting) -> Shown:
    member_id = _id(request, "member")
    change_role(workspace, member_id, request.POST.get("role", ""), acting)
    return None


def _remove(request: HttpRequest, workspace: Workspace, acting: Acting) -> Shown:
    remove_member(workspace, _id(request, "member"), acting)
    return None


def _renew_link(request: HttpRequest, workspace: Workspace, acting: Acting) -> Shown:
    return {"renewed": renew_set_password_link(workspace, _id(request, "member"), acting)}


def _create_key(request: HttpRequest, workspace: Workspace, acting: Acting) -> Shown:
    key, secret = create_named_key(workspace, request.POST.get("name", ""), acting)
    return {"new_key": key, "secret": secret}


def _revoke_key(request: HttpRequest, workspace: Workspace, acting: Acting) -> Shown:
    revoke_key(workspace, _id(request, "key"), acting)
    return None


ACTIONS: dict[str, Action] = {
    "add": _add,
    "change_role": _change_role,
    "remove": _remove,
    "renew_link": _renew_link,
    "create_key": _create_key,
    "revoke_key": _revoke_key,
}


def _id(request: HttpRequest, field: str) -> int:
    value = request.POST.get(field, "")
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput({field: f"must be the id of a {field} (a whole number), got {value!r}"})
    return int(value)


def _rows(workspace: Workspace, acting: Acting) -> list[dict[str, Any]]:
    """Each member with what the acting person may do to them: admins leave owners and
    themselves alone (the services refuse it anyway; the page doesn't offer it)."""
    return [
        {
            "member": member,
            "is_me": member.user_id == acting.user_id,
            "may_change": acting.role == Role.OWNER
            or (member.role != Role.OWNER and member.user_id != acting.user_id),
            "pending": not member.user.has_usable_password(),
        }
        for member in members_of(workspace)
    ]


def _roles_for(role: str) -> list[str]:
    """The roles this member may hand out: admins can't make owners."""
    return [r for r in Role.values if role == Role.OWNER or r != Role.OWNER]
