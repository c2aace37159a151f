"""The workspace settings page sets the widget up starting with identity verification: the
secret, server code that computes the userHash, and a warning for as long as it is off."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys

from console_fixtures import SignedIn

from npsloop.channels.inapp.identity import user_hash
from npsloop.workspaces.models import Workspace


def url(workspace: Workspace) -> str:
    return f"/w/{workspace.slug}/settings/"


def code(page: str, element_id: str) -> str:
    found = re.search(rf'<code id="{element_id}">(.*?)</code>', page, re.S)
    assert found is not None, f"no #{element_id} on the page"
    return html.unescape(found.group(1))


def test_the_widget_setup_starts_with_identity_verification(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    page = signed_in(workspace, "admin").get(url(workspace)).content.decode()
    setup = page[page.index('id="widget-setup"') :]
    steps = re.findall(r"<h3>(.*?)</h3>", setup)
    assert steps[0] == "1. Verify who is signed in"
    assert setup.index(workspace.widget_secret) < setup.index("<h3>2.")
    assert setup.index(code(page, "userhash-python")) < setup.index("<h3>2.")


def test_the_server_code_on_the_page_computes_the_user_hash(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    page = signed_in(workspace, "admin").get(url(workspace)).content.decode()
    env = {**os.environ, "NPSLOOP_WIDGET_SECRET": workspace.widget_secret}
    python = f"class user:\n    id = 'u-42'\n{code(page, 'userhash-python')}\nprint(user_hash)"
    computed = subprocess.run(
        [sys.executable, "-c", python], env=env, capture_output=True, text=True, check=True
    )
    assert computed.stdout.strip() == user_hash(workspace, "u-42")
    node = f"const user = {{id: 42}};\n{code(page, 'userhash-node')}\nconsole.log(userHash);"
    computed = subprocess.run(
        ["node", "-e", node], env=env, capture_output=True, text=True, check=True
    )
    assert computed.stdout.strip() == user_hash(workspace, "42")


def test_it_warns_while_identity_verification_is_off(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "admin")
    page = client.get(url(workspace)).content.decode()
    warning = re.search(r'<div class="warning" role="alert">(.*?)</div>', page, re.S)
    assert warning is not None
    assert "Identity verification is off" in warning.group(1)
    assert "answer their survey in their place" in warning.group(1)
    client.post(url(workspace), {"name": workspace.name, "require_identity": "on"})
    workspace.refresh_from_db()
    assert workspace.require_identity is True
    assert 'class="warning"' not in client.get(url(workspace)).content.decode()
