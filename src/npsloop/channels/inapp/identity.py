"""Who is asking through the widget: the signed-in user the host page identified, checked
against the HMAC the customer's backend computed, or an anonymous device."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.timezone import get_default_timezone

from npsloop.contacts.fields import ContactData
from npsloop.moments import BadMoment, checked_moment
from npsloop.workspaces.models import Workspace

MAX_DEVICE = 64


class Refused(Exception):
    """A request the widget must not get an answer for (403), with the reason."""


class Malformed(ValueError):
    """A request body the widget would never send (400), saying what was wrong."""


def user_hash(workspace: Workspace, user_id: str) -> str:
    """HMAC-SHA256 of the user id with the workspace's widget secret, hex: what the
    customer's backend computes and passes to npsloop('identify', user, {userHash})."""
    return hmac.new(workspace.widget_secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Visitor:
    device: str
    user: ContactData | None
    user_id: str | None
    verified: bool


def visitor_of(workspace: Workspace, body: dict[str, Any]) -> Visitor:
    """The visitor a widget request comes from. Raises Refused when identity verification
    fails or is required and missing, Malformed for a body the widget would not send."""
    device = body.get("device")
    if not isinstance(device, str) or not 0 < len(device) <= MAX_DEVICE:
        raise Malformed(f"device must be text of 1 to {MAX_DEVICE} characters")
    user = body.get("user")
    if user is None:
        if workspace.require_identity:
            raise Refused("this workspace only surveys identified users")
        return Visitor(device, None, None, False)
    if not isinstance(user, dict):
        raise Malformed("user must be an object with at least an id")
    user_id = user.get("id")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    if not isinstance(user_id, str) or not user_id.strip():
        raise Malformed("user.id must be a non-empty text or number")
    given = body.get("userHash")
    verified = False
    if given is not None or workspace.require_identity:
        expected = user_hash(workspace, user_id)
        if not isinstance(given, str) or not hmac.compare_digest(given.lower(), expected):
            raise Refused("userHash does not match this user id")
        verified = True
    return Visitor(device, _contact_data(user, user_id), user_id, verified)


def _contact_data(user: dict[str, Any], user_id: str) -> ContactData:
    account = user.get("account") if isinstance(user.get("account"), dict) else {}
    assert isinstance(account, dict)
    properties = user.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise Malformed("user.properties must be an object of name → value")
    return ContactData(
        external_id=user_id,
        email=_text(user.get("email")),
        name=_text(user.get("name")),
        locale=_text(user.get("locale")),
        signed_up_at=_moment(user.get("signedUpAt")),
        account_external_id=_text(account.get("id")) if account.get("id") is not None else None,
        account_name=_text(account.get("name")),
        properties=properties,
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise Malformed(f"expected text, got {type(value).__name__}")


def _moment(value: object) -> datetime | None:
    """A signup date (midnight in the server's zone) or moment, checked as every moment is."""
    if value is None or value == "":
        return None
    try:
        return checked_moment(value, day_zone=get_default_timezone())
    except BadMoment as error:
        raise Malformed(f"user.signedUpAt {error}") from None
