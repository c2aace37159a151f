"""Named fixtures every test can use: a workspace with a survey and an API key, and a
second workspace whose data must stay invisible to the first."""

from __future__ import annotations

import pytest
from api_client import ApiClient
from django.core.cache import cache, caches
from huey.contrib.djhuey import HUEY

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.memory import forget_all
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace

pytest_plugins = ["smtp_fixtures", "provider_fixtures", "chromium"]


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
    caches["shared"].clear()
    forget_all()


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


@pytest.fixture
def ann(workspace: Workspace) -> Contact:
    """A contact with an external id, an email, a property and an account."""
    return upsert_contact(
        workspace,
        ContactData(
            external_id="u-1",
            email="ann@example.com",
            name="Ann Lee",
            properties={"plan": "pro"},
            account_external_id="acme",
            account_name="Acme GmbH",
        ),
    ).contact


@pytest.fixture
def api(workspace: Workspace) -> ApiClient:
    _, secret = create_api_key(workspace, "tests")
    return ApiClient(secret)


@pytest.fixture
def other_api(other_workspace: Workspace) -> ApiClient:
    _, secret = create_api_key(other_workspace, "other tests")
    return ApiClient(secret)
