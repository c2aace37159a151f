"""Who may call the API: a workspace's live key, as Bearer token or Basic username."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from api_client import ApiClient
from django.test import Client
from django.utils import timezone

from npsloop.workspaces.keys import KEY_MEMORY, create_api_key, revoke_api_key
from npsloop.workspaces.models import ApiKey, Workspace

URL = "/api/v1/surveys"
MESSAGE = (
    "missing or invalid API key: send `Authorization: Bearer <key>` "
    "or HTTP Basic with the key as username"
)


def test_it_accepts_a_bearer_key(api: ApiClient) -> None:
    assert api.get(URL).status_code == 200


def test_it_accepts_the_key_as_basic_username(workspace: Workspace) -> None:
    _, secret = create_api_key(workspace)
    assert ApiClient(secret, basic=True).get(URL).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer nps_nothere_123",
        "Bearer not-even-our-format",
        "Basic " + base64.b64encode(b"nps_nothere_123:").decode(),
        "Basic not-base64!",
        "Token abc",
    ],
)
def test_it_answers_401_with_a_json_message_without_a_valid_key(
    db: None, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    r = Client().get(URL, headers=headers)
    assert r.status_code == 401
    assert r.json() == {"detail": MESSAGE}


def test_it_refuses_a_revoked_key(workspace: Workspace) -> None:
    key, secret = create_api_key(workspace)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert ApiClient(secret).get(URL).status_code == 401


def test_it_records_when_a_key_was_last_used(workspace: Workspace) -> None:
    key, secret = create_api_key(workspace)
    ApiClient(secret).get(URL)
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_it_asks_for_a_key_on_writes_too(db: None) -> None:
    r = Client().post("/api/v1/responses", data={}, content_type="application/json")
    assert r.status_code == 401


def test_it_refuses_a_key_at_once_after_it_is_revoked_in_this_process(
    workspace: Workspace,
) -> None:
    key, secret = create_api_key(workspace)
    client = ApiClient(secret)
    assert client.get(URL).status_code == 200
    revoke_api_key(key)
    assert client.get(URL).status_code == 401


def test_it_remembers_a_checked_key_only_for_a_few_seconds(workspace: Workspace) -> None:
    key, secret = create_api_key(workspace)
    client = ApiClient(secret)
    assert client.get(URL).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())  # by another process
    assert client.get(URL).status_code == 200  # still remembered here
    later = timezone.now() + timedelta(seconds=KEY_MEMORY + 1)
    with time_machine.travel(later, tick=False):  # ... until the memory runs out
        assert client.get(URL).status_code == 401
