"""What comes in over HTTP before a view reads it: a NUL character (which neither
PostgreSQL's text nor its jsonb can hold) is refused with a 400 wherever it is, in the
address, the query or a form, instead of a 500 from the database; JSON is read with a
depth limit."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from npsloop.channels.link.links import public_url
from npsloop.contacts.models import Contact
from npsloop.inbound import Unreadable, parse_json
from npsloop.program.asks import ask_contacts
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Workspace

REASON = "contains a NUL character, which can't be stored"


def test_parse_json_names_where_the_nul_is() -> None:
    assert parse_json(b'{"a": [1, "x"]}') == {"a": [1, "x"]}
    assert parse_json(b'{"a": "\\\\u0000"}') == {"a": "\\u0000"}  # a backslash, then text
    for raw, where in [
        (b'{"a": [1, "x\\u0000"]}', ("a", 1)),
        (b'{"a": {"b\\u0000": 1}}', ("a",)),
        (b'"\\u0000"', ()),
    ]:
        with pytest.raises(Unreadable) as refused:
            parse_json(raw)
        assert (refused.value.location, refused.value.message) == (where, REASON)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 33 + b"]" * 33, "the body must be JSON nested at most 32 levels deep"),
        (b"[" * 100_000 + b"]" * 100_000, "the body must be JSON nested at most 32 levels deep"),
        (b"{nope", "the body must be JSON: Expecting property name enclosed in double quotes"),
        (b'"\x00"', "the body must be JSON: Invalid control character"),
    ],
)
def test_parse_json_refuses_what_it_cannot_read(raw: bytes, message: str) -> None:
    with pytest.raises(Unreadable) as refused:
        parse_json(raw)
    assert refused.value.message.startswith(message)
    assert parse_json(b"[" * 32 + b"]" * 32) is not None


@pytest.fixture
def owner(workspace: Workspace) -> Client:
    user = get_user_model().objects.create_user("owner", password="pw-1234-x")
    add_member(workspace, user, "owner")
    client = Client()
    client.force_login(user)
    return client


def test_a_nul_in_a_console_form_is_a_400(owner: Client, workspace: Workspace) -> None:
    reply = owner.post(f"/w/{workspace.slug}/settings/", {"name": "Acme\x00"})
    assert reply.status_code == 400
    assert reply.content.decode() == f"the form field name {REASON}"
    workspace.refresh_from_db()
    assert workspace.name == "Acme Cloud"


def test_a_nul_in_a_query_is_a_400(owner: Client, workspace: Workspace) -> None:
    reply = owner.get(f"/w/{workspace.slug}/responses/", {"q": "a\x00b"})
    assert reply.status_code == 400
    assert reply.content.decode() == f"the query parameter q {REASON}"


def test_a_nul_in_the_address_is_a_400(owner: Client, workspace: Workspace) -> None:
    reply = owner.get(f"/w/{workspace.slug}/responses/%00/")
    assert reply.status_code == 400
    assert reply.content.decode() == f"the address {REASON}"


def test_a_nul_in_a_comment_on_the_respondent_pages_is_a_400(survey: Survey, ann: Contact) -> None:
    ask = ask_contacts(survey, ["u-1"]).scheduled[0]
    emailed = Client().post(f"/r/{ask.token}/answers", {"score": "9", "comment": "x\x00"})
    assert emailed.status_code == 400
    page = urlsplit(public_url(survey)).path
    linked = Client().post(page, {"score": "9", "comment": "x\x00"})
    assert linked.status_code == 400
    assert not Response.objects.exists()
