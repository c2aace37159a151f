"""Who belongs to a workspace and which API keys open it, changed by its admins and owners.

The rules keep a workspace governable: only owners make, change or remove owners; a
workspace always keeps an owner; an admin can't change or remove their own membership,
since nobody else might be there to undo it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet

from npsloop.errors import InvalidInput, NotFound
from npsloop.workspaces.first_password import (
    email_is_configured,
    email_link,
    local_elsewhere,
    mark_local,
    may_be_shown_to,
    may_get_a_link,
    set_password_url,
)
from npsloop.workspaces.keys import create_api_key, revoke_api_key
from npsloop.workspaces.models import ApiKey, Member, Role, Workspace

MANAGERS = (Role.OWNER, Role.ADMIN)
# A new account's username is its email, and Django's usernames stop at 150 characters.
LONGEST_EMAIL = 150
LONGEST_KEY_NAME = ApiKey._meta.get_field("name").max_length or 100
ASK_SUPERUSER = "a superuser can set their password in the admin"

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
    # Whether they sign in with a password they have already.
    has_password: bool
    # The link to choose their first password, shown to the admin only when it can't be
    # emailed and the account is theirs alone (see first_password); else None.
    set_password_url: str | None = None
    # Whether the link was emailed to the person, and why not when that failed.
    emailed: bool = False
    email_error: str = ""


@dataclass(frozen=True)
class Renewed:
    member: Member
    set_password_url: str | None = None
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
    no password. Whoever has no password yet is emailed a link to choose one; without email
    on this server, the admin is shown the link of an account made just now instead."""
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
            _check_may_join(workspace, user, email)
        member = Member.objects.create(workspace=workspace, user_id=user.pk, role=role)
        # Only an account made just now is this workspace's alone.
        show_link = new_account and not email_is_configured()
        if show_link:
            mark_local(workspace, user)
    if user.has_usable_password():
        return Added(member, new_account=False, has_password=True)
    if show_link:
        # Made after the membership, which the link's token covers.
        url = set_password_url(user)
        return Added(member, new_account, has_password=False, set_password_url=url)
    if not email_is_configured() or not may_get_a_link(user):
        return Added(member, new_account, has_password=False)
    error = email_link(workspace, user, role)
    return Added(member, new_account, has_password=False, emailed=not error, email_error=error)


def renew_set_password_link(workspace: Workspace, member_id: int, acting: Acting) -> Renewed:
    """A fresh link for a member who never set a password (the first one expires after
    PASSWORD_RESET_TIMEOUT): emailed to them; without email on this server, shown to the
    admin, but only for an account that belongs to this workspace alone (first_password)."""
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
    if not may_get_a_link(user):
        raise InvalidInput({"member": f"{user.get_username()} runs this server; {ASK_SUPERUSER}"})
    if email_is_configured():
        error = email_link(workspace, user, member.role)
        return Renewed(member, emailed=not error, email_error=error)
    with transaction.atomic():
        _lock(workspace)
        if not may_be_shown_to(workspace, user):
            raise InvalidInput(
                {
                    "member": f"{user.get_username()} also belongs to other workspaces, so "
                    f"the link may only go to them by email; {ASK_SUPERUSER}"
                }
            )
        mark_local(workspace, user)
    return Renewed(member, set_password_url=set_password_url(user))


def add_member(workspace: Workspace, user: AbstractBaseUser, role: str) -> Member:
    """The door of commands, the demo and the admin, where no member acts: make this account
    a member with this role, or give a member this role, and keep an owner."""
    if role not in Role.values:
        raise InvalidInput({"role": _unknown_role(role)})
    with transaction.atomic():
        _lock(workspace)
        member = (
            Member.objects.select_related("user")
            .filter(workspace=workspace, user_id=user.pk)
            .first()
        )
        if member is None:
            return Member.objects.create(workspace=workspace, user_id=user.pk, role=role)
        if member.role == Role.OWNER and role != Role.OWNER:
            check_not_last_owner(workspace, member)
        member.role = role
        member.save(update_fields=["role"])
    return member


def drop_member(member: Member) -> None:
    """The admin's door, where no member acts: remove a member, and keep an owner."""
    with transaction.atomic():
        _lock(member.workspace)
        member = Member.objects.select_related("user").get(pk=member.pk)
        if member.role == Role.OWNER:
            check_not_last_owner(member.workspace, member)
        member.delete()


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
            check_not_last_owner(workspace, member)
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
            check_not_last_owner(workspace, member)
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


def _check_may_join(workspace: Workspace, user: AbstractBaseUser, email: str) -> None:
    existing = Member.objects.filter(workspace=workspace, user_id=user.pk).first()
    if existing is not None:
        raise InvalidInput(
            {
                "email": f"{email} is already a member of this workspace, as "
                f"{existing.role}; change their role in the list instead"
            }
        )
    if local_elsewhere(workspace, user):
        raise InvalidInput(
            {
                "email": f"the account of {email} was set up by an admin of another "
                "workspace, without email, so nothing shows that it is really theirs; "
                "npsloop doesn't add it to a second workspace. A superuser of this server "
                "can, once they have checked with the person"
            }
        )


def check_not_last_owner(workspace: Workspace, member: Member) -> None:
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
    # Locked: a person who is setting their first password meanwhile finishes before the
    # new membership voids their link, or finds it void (first_password.still_valid).
    matches = list(users.objects.select_for_update().filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise InvalidInput(
            {
                "email": f"several accounts share {email}; a superuser can add the right one "
                "in the admin"
            }
        )
    if matches:
        return matches[0]
    return users.objects.select_for_update().filter(username__iexact=email).first()
