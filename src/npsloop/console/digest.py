"""A member's own choice to get the weekly digest email, with a preview of its numbers."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from npsloop.console.access import workspace_for
from npsloop.insights.digest import interval_text, last_complete_week, week_digest
from npsloop.workspaces.models import Member

# What a checkbox sends when ticked; unticked, it sends nothing.
TICKED = "on"


@login_required
@require_http_methods(["GET", "POST"])
def digest_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = workspace_for(request.user, slug)
    user = request.user
    member = (
        Member.objects.filter(workspace=workspace, user=user).first()
        if isinstance(user, AbstractBaseUser)  # always, after login_required
        else None
    )
    if member is None:
        return HttpResponseForbidden(
            "The weekly digest goes to members of this workspace, and you are not one (you "
            "see it as a superuser). Add yourself as a member in the admin to get it."
        )
    email = getattr(user, "email", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        value = request.POST.get("digest")
        if value not in (None, TICKED):
            errors["digest"] = f"must be {TICKED!r} (ticked) or left out (unticked), got {value!r}"
        elif value == TICKED and not email:
            errors["digest"] = (
                "your account has no email address to send the digest to; "
                "ask an admin to add one, then opt in"
            )
        else:
            member.digest = value == TICKED
            member.save(update_fields=["digest"])
            return redirect(f"{request.path}?saved=1")
    digest = week_digest(workspace, last_complete_week(workspace, timezone.now()))
    return render(
        request,
        "console/digest.html",
        {
            "workspace": workspace,
            "member": member,
            "email": email,
            "digest": digest,
            "interval": interval_text(digest.this_week),
            "errors": errors,
            "saved": request.GET.get("saved") == "1",
        },
        status=422 if errors else 200,
    )
