"""/widget.js and the demo page."""

from __future__ import annotations

import gzip

from django.test import Client

from npsloop.channels.inapp.identity import user_hash
from npsloop.workspaces.configure import create_workspace


def test_the_script_is_served_small_and_cacheable(db: None) -> None:
    plain = Client().get("/widget.js")
    assert plain.status_code == 200
    assert plain["Content-Type"] == "text/javascript"
    assert b"npsloop" in plain.content
    packed = Client().get("/widget.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) <= 12 * 1024
    assert packed["Cache-Control"] == "public, max-age=300"


def test_the_demo_needs_the_demo_workspace(db: None) -> None:
    reply = Client().get("/widget/demo")
    assert reply.status_code == 404
    assert "npsloop demo" in reply.content.decode()


def test_the_demo_identifies_a_new_user_per_session(db: None) -> None:
    workspace = create_workspace("Acme Cloud")
    client = Client()
    page = client.get("/widget/demo").content.decode()
    user_id = client.session["demo_user"]
    assert f'id: "{user_id}"' in page
    assert user_hash(workspace, user_id) in page
    assert f'data-key="{workspace.publishable_key}"' in page
    assert client.get("/widget/demo/reports").status_code == 200
    client.get("/widget/demo?new=1")
    assert client.session["demo_user"] != user_id
