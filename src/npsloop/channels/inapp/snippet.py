"""The snippet a team pastes into its web app."""

from __future__ import annotations

from django.conf import settings

from npsloop.workspaces.models import Workspace

SNIPPET = """<script>
  window.npsloop = window.npsloop ||
    function () {{ (npsloop.q = npsloop.q || []).push(arguments); }};
  npsloop("identify", {{
    id: "USER_ID",                     // your user's id (required)
    email: "ann@example.com",          // optional, as are all below
    name: "Ann Lee",
    signedUpAt: "2026-01-31",
    account: {{ id: "ACCOUNT_ID", name: "Acme GmbH" }},
    properties: {{ plan: "pro", role: "admin" }}
  }}, {{ userHash: "HMAC_FROM_YOUR_SERVER" }});
</script>
<script async src="{base}/widget.js" data-key="{key}"></script>"""


def widget_snippet(workspace: Workspace) -> str:
    return SNIPPET.format(base=settings.BASE_URL, key=workspace.publishable_key)
