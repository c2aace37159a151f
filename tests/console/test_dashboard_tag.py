"""The tag filter on every dashboard page (and its CSV)."""

from __future__ import annotations

import csv
import io

import pytest
from console_fixtures import SignedIn

from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace
from tests.insights.test_metrics_by_tag import tag_some

pytestmark = pytest.mark.django_db
PAGES = ["", "trend/", "segments/", "cohorts/", "responses/", "accounts/"]


@pytest.mark.parametrize("page", PAGES)
def test_every_dashboard_page_takes_the_tag(
    workspace: Workspace, survey: Survey, signed_in: SignedIn, page: str
) -> None:
    tag_some(workspace, survey)
    client = signed_in(workspace, "viewer")
    reply = client.get(f"/w/{workspace.slug}/{page}", {"tag": "Pricing"})
    assert reply.status_code == 200
    assert "tagged Pricing" in reply.content.decode()
    unknown = client.get(f"/w/{workspace.slug}/{page}", {"tag": "nope"})
    assert unknown.status_code == 400
    assert "unknown tag" in unknown.content.decode()


def test_the_overview_csv_counts_the_tagged(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    tag_some(workspace, survey)
    client = signed_in(workspace, "viewer")
    reply = client.get(
        f"/w/{workspace.slug}/", {"tag": "Pricing", "format": "csv", "table": "histogram"}
    )
    rows = list(csv.reader(io.StringIO(reply.content.decode())))
    counts = {row[0]: row[1] for row in rows[1:]}
    assert (counts["10"], counts["9"], counts["2"], counts["0"]) == ("1", "1", "1", "0")
