"""Named fixtures every test can use: a workspace with a survey and an API key, and a
second workspace whose data must stay invisible to the first."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from huey.contrib.djhuey import HUEY

from npsloop.surveys.models import Survey
from npsloop.surveys.services import create_survey
from npsloop.workspaces.models import Workspace
from npsloop.workspaces.services import create_api_key, create_workspace


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_inline() -> None:
    """Background tasks run inside the test that queues them (Huey's immediate mode), so a
    test sees their effects without a worker, whatever NPSLOOP_QUEUE_IMMEDIATE says."""
    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _forget_remembered() -> None:
    """Each test starts with an empty per-process cache: ids are reused between tests once
    their transactions are rolled back, so a remembered survey could belong to another."""
    cache.clear()


@pytest.fixture
def workspace(db: None) -> Workspace:
    return create_workspace("Acme Cloud")


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return create_workspace("Other Corp")


@pytest.fixture
def survey(workspace: Workspace) -> Survey:
    return create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")


@pytest.fixture
def other_survey(other_workspace: Workspace) -> Survey:
    return create_survey(other_workspace, name="Their NPS", product_name="Other")


class ApiClient:
    """A Django test client that sends the workspace's API key and speaks JSON."""

    def __init__(self, secret: str | None, basic: bool = False) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if secret is not None and basic:
            token = base64.b64encode(f"{secret}:".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        elif secret is not None:
            self.headers["Authorization"] = f"Bearer {secret}"

    def _call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        send: Callable[..., Any] = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = "application/json"
        return send(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._call("get", path, **headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("post", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("put", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("patch", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._call("delete", path, **headers)


@pytest.fixture
def api(workspace: Workspace) -> ApiClient:
    _, secret = create_api_key(workspace, "tests")
    return ApiClient(secret)


@pytest.fixture
def other_api(other_workspace: Workspace) -> ApiClient:
    _, secret = create_api_key(other_workspace, "other tests")
    return ApiClient(secret)
