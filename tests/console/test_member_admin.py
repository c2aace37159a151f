"""The admin's Member pages go through the membership doors: a workspace keeps an owner."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Role, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def only_owner(workspace: Workspace) -> Member:
    return add_member(workspace, User.objects.create_user("olga", "olga@example.com"), Role.OWNER)


def change(client: Client, member: Member, role: str) -> str:
    page = client.post(
        f"/admin/workspaces/member/{member.pk}/change/",
        {"role": role, "case_alerts": "every"},
        follow=True,
    )
    return page.content.decode()


def test_the_only_owner_cannot_be_demoted(superuser_client: Client, only_owner: Member) -> None:
    page = change(superuser_client, only_owner, Role.VIEWER)
    assert "is the only owner, and a workspace always keeps at least one" in page
    assert Member.objects.get(pk=only_owner.pk).role == Role.OWNER


def test_an_owner_can_be_demoted_when_another_remains(
    superuser_client: Client, workspace: Workspace, only_owner: Member
) -> None:
    add_member(workspace, User.objects.create_user("otto", "otto@example.com"), Role.OWNER)
    change(superuser_client, only_owner, Role.EDITOR)
    assert Member.objects.get(pk=only_owner.pk).role == Role.EDITOR


def test_the_only_owner_cannot_be_deleted(superuser_client: Client, only_owner: Member) -> None:
    page = superuser_client.post(
        f"/admin/workspaces/member/{only_owner.pk}/delete/", {"post": "yes"}
    )
    assert page.status_code == 403
    listed = superuser_client.post(
        "/admin/workspaces/member/",
        {"action": "delete_selected", "_selected_action": [only_owner.pk], "post": "yes"},
    )
    assert listed.status_code == 403
    assert Member.objects.filter(pk=only_owner.pk).exists()


def test_other_members_are_deleted(
    superuser_client: Client, workspace: Workspace, only_owner: Member
) -> None:
    viewer = add_member(workspace, User.objects.create_user("vic", "vic@example.com"), Role.VIEWER)
    superuser_client.post(f"/admin/workspaces/member/{viewer.pk}/delete/", {"post": "yes"})
    assert not Member.objects.filter(pk=viewer.pk).exists()
