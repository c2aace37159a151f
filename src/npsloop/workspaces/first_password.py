"""How a member who has no password gets their first one: a link, who may see it, and when it
stops working.

A link lets whoever holds it choose the account's password, and an account opens every
workspace it belongs to. So a link goes by email to the person whenever the server can send
email, and an admin is shown one only when it can't, and only for an account that is theirs
alone: made just now by their workspace, with no password and no other membership. Such an
account is marked local to that workspace (LocalAccount) for good, since nothing proves that
whoever the admin passed the link to reads mail at its address; the members page never adds
it to another workspace.

The link's token covers the account's memberships, staff flags and mark as well as Django's
password and last sign-in: it stops working the moment the person sets a password, joins or
leaves a workspace, or is made staff.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from npsloop.mail import transport
from npsloop.workspaces.models import LocalAccount, Member, Workspace

if TYPE_CHECKING:
    # What django-stubs calls the configured user model; npsloop's users are typed by their
    # base class, which is all the tokens read.
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"


class FirstPasswordTokens(PasswordResetTokenGenerator):
    """Django's password-reset tokens, for accounts without a password only, and void once
    the set of workspaces the account belongs to changes."""

    key_salt = "npsloop.workspaces.first_password.FirstPasswordTokens"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        memberships = Member.objects.filter(user_id=user.pk).order_by("pk")
        members = ",".join(str(pk) for pk in memberships.values_list("pk", flat=True))
        local = LocalAccount.objects.filter(user_id=user.pk).values_list("workspace_id", flat=True)
        flags = [getattr(user, name, None) for name in ("is_staff", "is_superuser", "is_active")]
        django = super()._make_hash_value(cast("User", user), timestamp)
        return f"{django}|{flags}|{members}|{list(local)}"

    def make_token(self, user: AbstractBaseUser) -> str:
        return super().make_token(cast("User", user))

    def check_token(self, user: AbstractBaseUser | None, token: str | None) -> bool:
        if user is None or user.has_usable_password():
            return False
        return super().check_token(cast("User", user), token)


first_password_tokens = FirstPasswordTokens()


def set_password_url(user: AbstractBaseUser) -> str:
    """The link to the page where the person chooses their first password."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = first_password_tokens.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return settings.BASE_URL + path


def may_get_a_link(user: AbstractBaseUser) -> bool:
    """Only an account without a password that doesn't run this server."""
    return not (
        user.has_usable_password()
        or getattr(user, "is_staff", False)
        or getattr(user, "is_superuser", False)
    )


def may_be_shown_to(workspace: Workspace, user: AbstractBaseUser) -> bool:
    """Whether an admin of this workspace may see the account's link: it has no password,
    belongs to no other workspace and was not set up by another's admin."""
    return (
        may_get_a_link(user)
        and not Member.objects.filter(user_id=user.pk).exclude(workspace=workspace).exists()
        and not LocalAccount.objects.filter(user_id=user.pk).exclude(workspace=workspace).exists()
    )


def mark_local(workspace: Workspace, user: AbstractBaseUser) -> None:
    """Before an admin of this workspace is shown the account's link."""
    LocalAccount.objects.get_or_create(user_id=user.pk, defaults={"workspace": workspace})


def local_elsewhere(workspace: Workspace, user: AbstractBaseUser) -> bool:
    """Whether an admin of another workspace (or of one since deleted) was shown a link of
    this account."""
    return LocalAccount.objects.filter(user_id=user.pk).exclude(workspace=workspace).exists()


def still_valid(user_id: int, token: str) -> bool:
    """Check the link again with the account's row locked, inside the transaction that sets
    the password: a workspace that adds the person meanwhile (it locks the same row) either
    finishes first and voids the link, or waits until the password is set."""
    user = get_user_model().objects.select_for_update().filter(pk=user_id).first()
    return first_password_tokens.check_token(user, token)


def email_is_configured() -> bool:
    """The console backend is what runs when NPSLOOP_EMAIL_URL is unset: nothing leaves."""
    return str(settings.EMAIL_BACKEND) != CONSOLE_EMAIL


def link_lifetime_days() -> int:
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


def email_link(workspace: Workspace, user: AbstractBaseUser, role: str) -> str:
    """Email the person a fresh link; the error text when it could not be sent, else ''."""
    days = link_lifetime_days()
    username = user.get_username()
    body = (
        f"You are a member of {workspace.name} on npsloop, as {role}.\n\n"
        f"Choose your password here (the link works once, for {days} days):\n"
        f"{set_password_url(user)}\n\n"
        f"Then sign in with {username} as your username.\n"
    )
    address = getattr(user, "email", "") or username
    subject = f"You have been added to {workspace.name} on npsloop"
    outcome = transport.send(EmailMessage(subject, body, None, [address]))
    # The member is added either way, so a failure is reported to the admin, not raised.
    if outcome.kind != "sent":
        log.warning("set-password email to %s failed: %s", address, outcome.reason)
        return outcome.reason
    return ""
