from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Workspace

SignedIn = Callable[[Workspace, str], Client]


@pytest.fixture
def signed_in(db: None) -> SignedIn:
    """A browser session of a new member with this role in the workspace."""

    def sign_in(workspace: Workspace, role: str) -> Client:
        user = get_user_model().objects.create_user(f"{role}-{workspace.slug}", password="pw-1234")
        add_member(workspace, user, role)
        client = Client()
        client.force_login(user)
        return client

    return sign_in
