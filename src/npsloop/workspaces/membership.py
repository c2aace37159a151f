"""Who belongs to a workspace and which API keys open it, changed by its admins and owners.

The rules keep a workspace governable: only owners make, change or remove owners; a
workspace always keeps an owner; an admin can't change or remove their own membership,
since nobody else might be there to undo it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from npsloop.errors import InvalidInput, NotFound
from npsloop.mail import transport
from npsloop.workspaces.models import ApiKey, Member, Role, Workspace
from npsloop.workspaces.services import create_api_key, revoke_api_key

log = logging.getLogger(__name__)

MANAGERS = (Role.OWNER, Role.ADMIN)
# A new account's username is its email, and Django's usernames stop at 150 characters.
LONGEST_EMAIL = 150
LONGEST_KEY_NAME = ApiKey._meta.get_field("name").max_length or 100
CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"

ONLY_OWNERS = "only owners may make someone an owner, change an owner's role or remove an owner"
OWN_ROLE = (
    "you can't change or remove your own membership as an admin: nobody might be left to "
    "undo it; ask another admin or an owner"
)


@dataclass(frozen=True)
class Acting:
    """Who makes a change: their user id and their role in the workspace."""

    user_id: int
    role: str


@dataclass(frozen=True)
class Added:
    member: Member
    # True when the person had no account and one was made now, without a password.
    new_account: bool
    # Where the new account's first password is set; None for an existing account.
    set_password_url: str | None
    # Whether that link was also emailed to the person, and why not when it failed.
    emailed: bool = False
    email_error: str = ""


def members_of(workspace: Workspace) -> QuerySet[Member]:
    return (
        Member.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def keys_of(workspace: Workspace) -> QuerySet[ApiKey]:
    """Live keys first, newest first; revoked ones after them."""
    return ApiKey.objects.filter(workspace=workspace).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def add_person(workspace: Workspace, email: str, role: str, acting: Acting) -> Added:
    """Make the person with this email a member; a person without an account gets one, with
    no password, and a link to set it (emailed to them too when email is configured)."""
    _check_manager(acting)
    email = email.strip()
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = f"must be an email address like ann@example.com, got {email!r}"
    role_error = _role_error(role, acting)
    if role_error:
        errors["role"] = role_error
    if errors:
        raise InvalidInput(errors)
    email = BaseUserManager.normalize_email(email)
    with transaction.atomic():
        _lock(workspace)
        user = _account_for(email)
        new_account = user is None
        if user is None:
            if len(email) > LONGEST_EMAIL:
                raise InvalidInput(
                    {
                        "email": f"a new account's username is its email, which can be at most "
                        f"{LONGEST_EMAIL} characters; this one has {len(email)}"
                    }
                )
            # No password given: Django stores an unusable one, so nobody signs in with it
            # until the person sets their own through the link.
            user = get_user_model().objects.create_user(username=email, email=email)
        else:
            existing = Member.objects.filter(workspace=workspace, user_id=user.pk).first()
            if existing is not None:
                raise InvalidInput(
                    {
                        "email": f"{email} is already a member of this workspace, as "
                        f"{existing.role}; change their role in the list instead"
                    }
                )
        member = Member.objects.create(workspace=workspace, user_id=user.pk, role=role)
    if not new_account:
        return Added(member, new_account=False, set_password_url=None)
    url = set_password_url(user)
    if not email_is_configured():
        return Added(member, new_account=True, set_password_url=url)
    error = _email_link(workspace, email, role, url)
    return Added(
        member, new_account=True, set_password_url=url, emailed=not error, email_error=error
    )


def renew_set_password_link(workspace: Workspace, member_id: int, acting: Acting) -> str:
    """A fresh link for a member who never set a password (the first one expires after
    PASSWORD_RESET_TIMEOUT). Only for accounts that belong to this workspace alone: the
    link lets whoever holds it choose the password, so an admin here must not get one for
    an account other workspaces rely on."""
    _check_manager(acting)
    member = _member(workspace, member_id)
    user = member.user
    if member.role == Role.OWNER and acting.role != Role.OWNER:
        raise InvalidInput({"member": ONLY_OWNERS})
    if user.has_usable_password():
        raise InvalidInput(
            {
                "member": f"{user.get_username()} has set a password already; they can sign "
                "in with it"
            }
        )
    if getattr(user, "is_staff", False) or (
        Member.objects.filter(user=user).exclude(workspace=workspace).exists()
    ):
        raise InvalidInput(
            {
                "member": f"{user.get_username()} also belongs to other workspaces or runs "
                "this server; ask a superuser to set their password in the admin"
            }
        )
    return set_password_url(user)


def change_role(workspace: Workspace, member_id: int, role: str, acting: Acting) -> Member:
    _check_manager(acting)
    if role not in Role.values:
        raise InvalidInput({"role": _unknown_role(role)})
    with transaction.atomic():
        _lock(workspace)
        member = _member(workspace, member_id)
        _check_may_touch(member, acting)
        if role == Role.OWNER and acting.role != Role.OWNER:
            raise InvalidInput({"role": ONLY_OWNERS})
        if member.role == Role.OWNER and role != Role.OWNER:
            _check_not_last_owner(workspace, member)
        member.role = role
        member.save(update_fields=["role"])
    return member


def remove_member(workspace: Workspace, member_id: int, acting: Acting) -> None:
    _check_manager(acting)
    with transaction.atomic():
        _lock(workspace)
        member = _member(workspace, member_id)
        _check_may_touch(member, acting)
        if member.role == Role.OWNER:
            _check_not_last_owner(workspace, member)
        member.delete()


def create_named_key(workspace: Workspace, name: str, acting: Acting) -> tuple[ApiKey, str]:
    """A new key and its secret, which is shown once and never stored."""
    _check_manager(acting)
    name = name.strip()
    if not 0 < len(name) <= LONGEST_KEY_NAME:
        raise InvalidInput(
            {
                "name": f"must be 1 to {LONGEST_KEY_NAME} characters saying where the key is "
                f"used (e.g. CRM sync), got {name!r}"
            }
        )
    return create_api_key(workspace, name)


def revoke_key(workspace: Workspace, key_id: int, acting: Acting) -> ApiKey:
    _check_manager(acting)
    key = ApiKey.objects.filter(workspace=workspace, pk=key_id).first()
    if key is None:
        raise NotFound(f"no API key {key_id} in this workspace")
    revoke_api_key(key)
    key.refresh_from_db()
    return key


def set_password_url(user: AbstractBaseUser) -> str:
    """Django's password-reset link: it works until the password changes (so once) and at
    most PASSWORD_RESET_TIMEOUT seconds."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return settings.BASE_URL + path


def email_is_configured() -> bool:
    """The console backend is what runs when NPSLOOP_EMAIL_URL is unset: nothing leaves."""
    return str(settings.EMAIL_BACKEND) != CONSOLE_EMAIL


def link_lifetime_days() -> int:
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


def _email_link(workspace: Workspace, email: str, role: str, url: str) -> str:
    """Send the set-password link; the error text when it could not be sent, else ''."""
    days = link_lifetime_days()
    body = (
        f"You have been added to {workspace.name} on npsloop as {role}.\n\n"
        f"Choose your password here (the link works once, for {days} days):\n{url}\n\n"
        f"Then sign in with {email} as your username.\n"
    )
    subject = f"You have been added to {workspace.name} on npsloop"
    outcome = transport.send(EmailMessage(subject, body, None, [email]))
    # The member is added either way and the admin still has the link to pass on, so a
    # failure is reported, not raised.
    if outcome.kind != "sent":
        log.warning("set-password email to %s failed: %s", email, outcome.reason)
        return outcome.reason
    return ""


def _check_manager(acting: Acting) -> None:
    if acting.role not in MANAGERS:
        raise InvalidInput(
            {"role": f"only admins and owners manage members and keys; you are {acting.role}"}
        )


def _check_may_touch(member: Member, acting: Acting) -> None:
    if member.user_id == acting.user_id and acting.role == Role.ADMIN:
        raise InvalidInput({"member": OWN_ROLE})
    if member.role == Role.OWNER and acting.role != Role.OWNER:
        raise InvalidInput({"member": ONLY_OWNERS})


def _check_not_last_owner(workspace: Workspace, member: Member) -> None:
    others = Member.objects.filter(workspace=workspace, role=Role.OWNER).exclude(pk=member.pk)
    if not others.exists():
        raise InvalidInput(
            {
                "member": f"{member.user.get_username()} is the only owner, and a workspace "
                "always keeps at least one; make someone else an owner first"
            }
        )


def _role_error(role: str, acting: Acting) -> str:
    if role not in Role.values:
        return _unknown_role(role)
    if role == Role.OWNER and acting.role != Role.OWNER:
        return ONLY_OWNERS
    return ""


def _unknown_role(role: str) -> str:
    return f"must be one of {', '.join(Role.values)}, got {role!r}"


def _lock(workspace: Workspace) -> None:
    """Membership changes of one workspace take turns, so two admins demoting the last two
    owners at the same moment can't leave it with none."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()


def _member(workspace: Workspace, member_id: int) -> Member:
    member = Member.objects.select_related("user").filter(workspace=workspace, pk=member_id).first()
    if member is None:
        raise NotFound(f"no member {member_id} in this workspace")
    return member


def _account_for(email: str) -> AbstractBaseUser | None:
    """The account whose email (or username) this is, case-insensitively."""
    users = get_user_model()
    matches = list(users.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise InvalidInput(
            {
                "email": f"several accounts share {email}; a superuser can add the right one "
                "in the admin"
            }
        )
    if matches:
        return matches[0]
    return users.objects.filter(username__iexact=email).first()
