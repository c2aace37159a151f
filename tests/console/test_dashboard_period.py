"""A custom period on the dashboard pages: days from 1970-01-01 to 2099-12-31, else the
page says so (it used to answer 500 for year 1 or 9999, counting periods around them)."""

from __future__ import annotations

import pytest
from console_fixtures import SignedIn

from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace

PAGES = ["", "trend/", "segments/", "cohorts/", "responses/", "accounts/", "follow-up/"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("since", "until"), [("0001-01-01", "0001-12-31"), ("9999-01-01", "9999-12-31")]
)
def test_a_period_outside_the_years_is_refused_on_the_page(
    workspace: Workspace, survey: Survey, signed_in: SignedIn, page: str, since: str, until: str
) -> None:
    client = signed_in(workspace, "viewer")
    reply = client.get(
        f"/w/{workspace.slug}/{page}", {"period": "custom", "since": since, "until": until}
    )
    assert reply.status_code == 400
    assert "must be a date like 2026-03-01 from 1970-01-01 to 2099-12-31" in reply.content.decode()


def test_the_first_and_last_days_are_fine(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "viewer")
    for since, until in (("1970-01-01", "1970-12-31"), ("2099-01-01", "2099-12-31")):
        reply = client.get(
            f"/w/{workspace.slug}/trend/", {"period": "custom", "since": since, "until": until}
        )
        assert reply.status_code == 200
        assert "from 1970-01-01 to 2099-12-31" not in reply.content.decode()
