"""The fast email check accepts exactly what Django's validate_email accepts."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from npsloop.contacts.fields import ContactData, clean_contact_data, is_email
from npsloop.errors import InvalidInput

TRICKY = [
    "ann@example.com",
    "a.b-c+tag@sub.example.co.uk",
    "o'brien@example.ie",
    "x@localhost",
    "x@[127.0.0.1]",
    "x@[::1]",
    "x@[999.1.1.1]",
    "x@xn--bcher-kva.example",
    "x@bücher.example",
    "jörg@example.com",
    '"quoted local"@example.com',
    '"a\\"b"@example.com',
    "\u212aelvin@example.com",
    "\u017fam@example.com",
    ".ann@example.com",
    "ann.@example.com",
    "a..b@example.com",
    "ann@example",
    "ann@example.c",
    "ann@example.123",
    "ann@-example.com",
    "ann@example-.com",
    "ann@exa_mple.com",
    "ann@example.-com",
    "ann@example.com-",
    "ann@example.com.",
    "ann@@example.com",
    "a@b@example.com",
    "ann@",
    "@example.com",
    "ann example@example.com",
    "ann@example.com\n",
    "",
    "a" * 64 + "@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a@b." + "c" * 63,
    "a@b." + "c" * 64,
    "a" * 310 + "@example.com",
    "a" * 307 + "@example.com",
]


def django_accepts(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("address", TRICKY)
def test_it_agrees_with_django_on_tricky_addresses(address: str) -> None:
    assert is_email(address) == django_accepts(address)


def test_it_agrees_with_django_on_random_addresses() -> None:
    rng = random.Random(7)
    pieces = [*"ab-._+09'\"!#{}|~`[]\\:; @", "\u212a", "\u0131", "é", "xn--", ".com", "@x.io", "-"]
    for _ in range(20_000):
        address = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        address = rng.choice(["", "ann"]) + address + rng.choice(["", "@example.com", ".io"])
        assert is_email(address) == django_accepts(address), address


def test_it_refuses_a_contact_whose_email_django_refuses() -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_contact_data(ContactData(email="ann@example.123"))
    assert "name@example.com" in refused.value.errors["email"]


def test_it_keeps_an_unusual_address_django_accepts() -> None:
    assert clean_contact_data(ContactData(email="X@[127.0.0.1]")).email == "x@[127.0.0.1]"
