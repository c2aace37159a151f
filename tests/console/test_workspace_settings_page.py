"""Workspace settings: asking rules and the widget's keys, for admins and owners only."""

from __future__ import annotations

import pytest
from console_fixtures import SignedIn

from npsloop.workspaces.models import Workspace

GOOD = {
    "name": "Acme Cloud",
    "cooldown_days": "60",
    "send_rate_per_minute": "300",
    "widget_origins": "https://app.acme.example\nhttp://localhost:3000",
    "require_identity": "on",
    "anonymous_sample_percent": "25",
}


def url(workspace: Workspace) -> str:
    return f"/w/{workspace.slug}/settings/"


def test_an_admin_changes_the_settings(workspace: Workspace, signed_in: SignedIn) -> None:
    client = signed_in(workspace, "admin")
    page = client.get(url(workspace)).content.decode()
    assert workspace.publishable_key in page and workspace.widget_secret in page
    assert client.post(url(workspace), GOOD).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.cooldown_days, workspace.send_rate_per_minute) == (60, 300)
    assert workspace.allowed_origins == {"https://app.acme.example", "http://localhost:3000"}
    assert workspace.require_identity is True
    assert workspace.anonymous_sample_percent == 25


def test_replacing_the_secret(workspace: Workspace, signed_in: SignedIn) -> None:
    client = signed_in(workspace, "owner")
    before = workspace.widget_secret
    client.post(url(workspace), {"rotate_secret": "1"})
    workspace.refresh_from_db()
    assert workspace.widget_secret != before and len(workspace.widget_secret) == 64


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("widget_origins", "app.acme.example"),
        ("widget_origins", "https://app.acme.example/path"),
        ("anonymous_sample_percent", "101"),
        ("cooldown_days", "soon"),
        ("send_rate_per_minute", "0"),
        ("name", ""),
    ],
)
def test_bad_settings_change_nothing(
    workspace: Workspace, field: str, value: str, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "admin")
    reply = client.post(url(workspace), {**GOOD, field: value})
    assert reply.status_code == 422
    assert f"<strong>{field}</strong>" in reply.content.decode()
    workspace.refresh_from_db()
    assert workspace.cooldown_days == 90


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_never_see_the_secret(
    workspace: Workspace, role: str, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, role)
    reply = client.get(url(workspace))
    assert reply.status_code == 403
    assert workspace.widget_secret not in reply.content.decode()
    assert client.post(url(workspace), GOOD).status_code == 403


def test_an_admin_sets_the_benchmarks_and_the_small_group_size(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "admin")
    page = client.get(f"/w/{workspace.slug}/settings/").content.decode()
    assert "SaaS average | 30 |" in page  # the defaults, until the workspace sets its own
    saved = client.post(
        f"/w/{workspace.slug}/settings/",
        {
            "name": workspace.name,
            "benchmarks": "Our target | 45\nPeers | 27.5 | Industry report 2026\n",
            "small_group_n": "50",
        },
    )
    assert saved.status_code == 302
    workspace.refresh_from_db()
    assert workspace.benchmarks == [
        {"name": "Our target", "nps": 45, "source": ""},
        {"name": "Peers", "nps": 27.5, "source": "Industry report 2026"},
    ]
    assert workspace.small_group_n == 50
    overview = client.get(f"/w/{workspace.slug}/").content.decode()
    assert "Our target" in overview and "SaaS average" not in overview


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Target", "write name | NPS | source"),
        ("Target | high", "the NPS must be a number from -100 to 100, got 'high'"),
        ("Target | 130", "the NPS must be a number from -100 to 100, got 130"),
        (" | 30", "the name must be 1 to 100 characters"),
    ],
)
def test_bad_benchmarks_are_refused_with_the_reason(
    workspace: Workspace, signed_in: SignedIn, text: str, message: str
) -> None:
    client = signed_in(workspace, "admin")
    refused = client.post(
        f"/w/{workspace.slug}/settings/", {"name": workspace.name, "benchmarks": text}
    )
    assert refused.status_code == 422
    assert message in refused.content.decode().replace("&#x27;", "'")
    workspace.refresh_from_db()
    assert workspace.benchmarks is None
