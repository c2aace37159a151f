"""Who may change what through the widget: without a valid userHash it records answers and
creates new contacts but never rewrites a stored one, and the token a check answers with
works only for the browser (and, when verified, the user) it was given to. Each test runs
through Django's test client and through the WSGI application the production server runs,
where the check has a route of its own."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from api_client import ApiClient
from django.utils import timezone

from npsloop.channels.inapp.identity import user_hash
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Account, Contact
from npsloop.contacts.services import upsert_contact
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.models import Workspace
from tests.channels.conftest import client_for

ANN_AS_STORED = {
    "external_id": "u-1",
    "email": "ann@example.com",
    "name": "Ann Lee",
    "locale": "",
    "signed_up_at": None,
    "properties": {"plan": "pro"},
    "account": "acme",
}
REWRITE = {
    "id": "u-1",
    "email": "mallory@evil.example",
    "name": "Mallory",
    "locale": "fr",
    "signedUpAt": "2020-01-01",
    "properties": {"plan": "free", "role": "owner"},
    "account": {"id": "acme", "name": "Evil Corp"},
}


class Browser:
    """One browser (a device id in its storage) running the widget of a workspace."""

    def __init__(self, workspace: Workspace, transport: str, device: str = "dev-1") -> None:
        self.workspace = workspace
        self.client = client_for(transport)
        self.device = device

    def post(self, endpoint: str, **body: Any) -> Any:
        payload = {"key": self.workspace.publishable_key, "device": self.device, **body}
        return self.client.post(
            f"/widget/v1/{endpoint}", json.dumps(payload), content_type="text/plain"
        )

    def token(self, **body: Any) -> str:
        reply = self.post("check", **body)
        assert reply.status_code == 200, reply.content
        assert reply.json()["show"] is True, reply.json()
        return str(reply.json()["token"])


def as_the_api_shows(api: ApiClient, external_id: str) -> dict[str, Any]:
    reply = api.get(f"/api/v1/contacts/{external_id}")
    assert reply.status_code == 200, reply.content
    contact = reply.json()
    return {
        "external_id": contact["external_id"],
        "email": contact["email"],
        "name": contact["name"],
        "locale": contact["locale"],
        "signed_up_at": contact["signed_up_at"],
        "properties": contact["properties"],
        "account": contact["account"]["external_id"] if contact["account"] else None,
    }


def test_an_unverified_check_leaves_a_stored_contact_as_it_is(
    workspace: Workspace, survey: Survey, ann: Contact, api: ApiClient, transport: str
) -> None:
    browser = Browser(workspace, transport)
    token = browser.token(user=REWRITE)  # the check works, for Ann as stored
    assert as_the_api_shows(api, "u-1") == ANN_AS_STORED
    assert Account.objects.get(external_id="acme").name == "Acme GmbH"
    another_account = {**REWRITE, "account": {"id": "globex", "name": "Globex"}}
    assert browser.post("check", user=another_account).status_code == 200
    assert as_the_api_shows(api, "u-1") == ANN_AS_STORED
    # Answering works as before, and changes nothing either.
    reply = browser.post("answer", token=token, score=9, user=REWRITE)
    assert reply.json() == {"score": 9, "category": "promoter"}
    assert Response.objects.get().contact_id == ann.pk
    assert as_the_api_shows(api, "u-1") == ANN_AS_STORED


def test_an_unverified_check_does_not_greet_with_the_stored_name(
    workspace: Workspace, survey: Survey, ann: Contact, transport: str
) -> None:
    survey.texts = {"en": {"thanks_promoter": "Thank you, {name}!"}}
    survey.save()
    reply = Browser(workspace, transport).post("check", user={"id": "u-1", "name": "Mal"})
    assert reply.json()["survey"]["thanks"]["promoter"] == "Thank you, Mal!"
    assert "Ann" not in reply.content.decode()
    verified = Browser(workspace, transport, device="dev-2").post(
        "check", user={"id": "u-1"}, userHash=user_hash(workspace, "u-1")
    )
    assert verified.json()["survey"]["thanks"]["promoter"] == "Thank you, Ann Lee!"


def test_a_verified_check_updates_the_stored_contact(
    workspace: Workspace, survey: Survey, ann: Contact, api: ApiClient, transport: str
) -> None:
    browser = Browser(workspace, transport)
    browser.token(user=REWRITE, userHash=user_hash(workspace, "u-1"))
    assert as_the_api_shows(api, "u-1") == {
        "external_id": "u-1",
        "email": "mallory@evil.example",
        "name": "Mallory",
        "locale": "fr",
        "signed_up_at": "2020-01-01T00:00:00Z",
        "properties": {"plan": "free", "role": "owner"},
        "account": "acme",
    }
    assert Account.objects.get(external_id="acme").name == "Evil Corp"


def test_an_unverified_check_creates_a_new_contact_with_its_details(
    workspace: Workspace, survey: Survey, api: ApiClient, transport: str
) -> None:
    kim = {**REWRITE, "id": "u-7", "email": "kim@example.com", "name": "Kim Park"}
    kim["account"] = {"id": "initech", "name": "Initech"}
    Browser(workspace, transport).token(user=kim)
    assert as_the_api_shows(api, "u-7") == {
        "external_id": "u-7",
        "email": "kim@example.com",
        "name": "Kim Park",
        "locale": "fr",
        "signed_up_at": "2020-01-01T00:00:00Z",
        "properties": {"plan": "free", "role": "owner"},
        "account": "initech",
    }
    assert Account.objects.get(external_id="initech").name == "Initech"


def test_a_new_unverified_identity_cannot_take_a_stored_email_or_rename_an_account(
    workspace: Workspace, survey: Survey, ann: Contact, api: ApiClient, transport: str
) -> None:
    emailed_only = upsert_contact(workspace, ContactData(email="bo@example.com")).contact
    browser = Browser(workspace, transport)
    browser.token(user={**REWRITE, "id": "u-8", "email": "ann@example.com"})
    browser.post("check", user={"id": "u-9", "email": "bo@example.com"})
    assert as_the_api_shows(api, "u-1") == ANN_AS_STORED
    emailed_only.refresh_from_db()
    assert (emailed_only.external_id, emailed_only.email) == (None, "bo@example.com")
    # The new people are stored, without the addresses that belong to others.
    assert as_the_api_shows(api, "u-8")["email"] is None
    assert as_the_api_shows(api, "u-8")["account"] == "acme"
    assert as_the_api_shows(api, "u-9")["email"] is None
    assert Account.objects.get(external_id="acme").name == "Acme GmbH"


def test_a_token_answers_only_for_the_browser_it_was_given_to(
    workspace: Workspace, survey: Survey, transport: str
) -> None:
    kim = {"id": "u-7", "name": "Kim Park"}
    browser = Browser(workspace, transport)
    token = browser.token(user=kim)
    ask = SurveyRequest.objects.get()
    # Someone else who learnt the token (or the ask's own token) and the user's id, from
    # another browser: refused, and nothing is recorded.
    other = Browser(workspace, transport, device="dev-evil")
    for stolen in (token, ask.token):
        for endpoint, extra in [("answer", {"score": 0}), ("dismiss", {})]:
            reply = other.post(endpoint, token=stolen, user=kim, **extra)
            assert reply.status_code == 403, (endpoint, stolen)
    assert browser.post("answer", token=ask.token, user=kim, score=0).status_code == 403
    assert not Response.objects.exists()
    ask.refresh_from_db()
    assert ask.dismissals == 0
    assert browser.post("answer", token=token, user=kim, score=8).json()["score"] == 8


def test_a_verified_token_needs_the_users_hash_to_answer(
    workspace: Workspace, survey: Survey, transport: str
) -> None:
    kim = {"id": "u-7"}
    good = user_hash(workspace, "u-7")
    browser = Browser(workspace, transport)
    token = browser.token(user=kim, userHash=good)
    # The same browser, without the hash (as a script on the page could send): refused.
    assert browser.post("answer", token=token, user=kim, score=0).status_code == 403
    assert not Response.objects.exists()
    assert browser.post("answer", token=token, user=kim, userHash=good, score=9).status_code == 200


def test_a_token_expires_and_the_next_check_gives_a_fresh_one(
    workspace: Workspace, survey: Survey, transport: str
) -> None:
    kim = {"id": "u-7"}
    browser = Browser(workspace, transport)
    token = browser.token(user=kim)
    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        reply = browser.post("answer", token=token, user=kim, score=5)
        assert reply.status_code == 403 and "expired" in reply.json()["error"]
        assert not Response.objects.exists()
        fresh = browser.token(user=kim)
        assert browser.post("answer", token=fresh, user=kim, score=5).status_code == 200


@pytest.mark.parametrize("token", ["", "x" * 9, "a" * 400, 5])
def test_a_token_that_was_never_given_is_refused_or_malformed(
    workspace: Workspace, survey: Survey, transport: str, token: object
) -> None:
    reply = Browser(workspace, transport).post("answer", token=token, score=5)
    assert reply.status_code == 400 and "token" in reply.json()["error"]
