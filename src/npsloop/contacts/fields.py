"""What a caller may say about a contact, and the checks every entry point shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from npsloop.errors import InvalidInput
from npsloop.moments import BadMoment, checked_moment

LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
# Django's validate_email for the everyday address, lower-case ASCII: its dot-atom local
# part, an "@", then its domain pattern without the IDN, punycode and IP-literal forms. What
# this accepts, Django accepts; everything else is handed to Django, which costs ten times
# as much (its patterns are case-insensitive and Unicode-wide).
_ATOM = r"[-!#$%&'*+/=?^_`{}|~0-9a-z]+"
_PLAIN_EMAIL = re.compile(
    rf"{_ATOM}(?:\.{_ATOM})*"
    r"@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*"
    r"\.(?!-)[a-z-]{2,63}(?<!-)"
).fullmatch
MAX_EMAIL = 320
MAX_ID = 200
MAX_NAME = 200
MAX_PROPERTY_KEY = 100
PROPERTY_VALUE_TYPES = (str, int, float, bool)


@dataclass
class ContactData:
    """A contact as one entry point describes it. ``None`` means "leave as it is".

    Properties merge key by key into the stored ones; a property given as ``None``
    is removed.
    """

    external_id: str | None = None
    email: str | None = None
    name: str | None = None
    locale: str | None = None
    signed_up_at: datetime | None = None
    account_external_id: str | None = None
    account_name: str | None = None
    properties: dict[str, object] | None = field(default=None)


def clean_contact_data(data: ContactData) -> ContactData:
    """Return a normalised copy, or raise InvalidInput naming every bad field."""
    errors: dict[str, str] = {}
    external_id = _clean_id(data.external_id, "external_id", errors)
    email = None
    if data.email is not None:
        email = data.email.strip().lower()
        if not is_email(email):
            errors["email"] = f"must be an email address like name@example.com, got {data.email!r}"
    if external_id is None and email is None:
        errors.setdefault("external_id", "a contact needs an external_id or an email")
    if data.name is not None and len(data.name) > MAX_NAME:
        errors["name"] = f"must be at most {MAX_NAME} characters, got {len(data.name)}"
    if data.locale is not None and data.locale != "" and not LOCALE.match(data.locale):
        errors["locale"] = f"must be a language tag like en, de-CH or pt_BR, got {data.locale!r}"
    signed_up_at = None
    if data.signed_up_at is not None:
        try:
            signed_up_at = checked_moment(data.signed_up_at)
        except BadMoment as error:
            errors["signed_up_at"] = str(error)
    account_external_id = _clean_id(data.account_external_id, "account.external_id", errors)
    if data.account_name is not None and account_external_id is None:
        errors["account.external_id"] = "an account needs an external_id"
    if data.properties is not None:
        check_properties(data.properties, errors)
    if errors:
        raise InvalidInput(errors)
    return ContactData(
        external_id=external_id,
        email=email,
        name=data.name,
        locale=data.locale,
        signed_up_at=signed_up_at,
        account_external_id=account_external_id,
        account_name=data.account_name,
        properties=data.properties,
    )


def is_email(value: str) -> bool:
    """Whether Django's ``validate_email`` accepts the address; common ones are checked fast."""
    if len(value) <= MAX_EMAIL and _PLAIN_EMAIL(value) is not None:
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _clean_id(value: str | None, name: str, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    if not stripped:
        errors[name] = "must not be empty"
    elif len(stripped) > MAX_ID:
        errors[name] = f"must be at most {MAX_ID} characters, got {len(stripped)}"
    return stripped or None


def check_properties(properties: dict[str, object], errors: dict[str, str]) -> None:
    for key, value in properties.items():
        if not key or len(key) > MAX_PROPERTY_KEY:
            errors["properties"] = f"names must be 1 to {MAX_PROPERTY_KEY} characters, got {key!r}"
        elif value is not None and not isinstance(value, PROPERTY_VALUE_TYPES):
            errors[f"properties.{key}"] = (
                f"must be a string, number, boolean or null, got {type(value).__name__}"
            )
