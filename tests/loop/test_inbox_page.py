"""The cases inbox page: tabs and their counts, every filter in the URL, the orders, pages,
the CSV of every matching case, bad parameters named, and other workspaces kept out."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from npsloop.console import inbox as inbox_page
from npsloop.loop import inbox
from npsloop.loop.cases import change

from .inbox_fixtures import BY, FORMULA, SCRIPT, Queue, counts, listed, queue, viewer_of

__all__ = ["queue"]
pytestmark = pytest.mark.django_db
OPEN_ONES = ("old", "late", "unowned", "mine", "fan")


def test_it_counts_every_tab_and_lists_the_chosen_one(queue: Queue) -> None:
    client = queue.client()
    reply = client.get(queue.url())
    assert reply.status_code == 200
    assert counts(reply) == {"mine": 2, "unassigned": 1, "overdue": 1, "all": 5}
    assert set(listed(reply)) == queue.ids("old", "mine")  # an editor starts on their own
    tabs = {"unassigned": ("unowned",), "overdue": ("late",), "all": OPEN_ONES}
    for tab, names in tabs.items():
        assert set(listed(client.get(queue.url(f"tab={tab}")))) == queue.ids(*names), tab


def test_a_viewer_starts_on_all_and_sees_no_bulk_controls(queue: Queue) -> None:
    reply = queue.client(viewer_of(queue)).get(queue.url())
    assert set(listed(reply)) == queue.ids(*OPEN_ONES)
    html = reply.content.decode()
    assert 'name="case"' not in html and "Apply to selected" not in html
    assert "Apply to selected" in queue.client().get(queue.url()).content.decode()


def test_the_counts_are_one_query_that_follows_the_filters(queue: Queue) -> None:
    criteria = inbox.Criteria(category="detractor")
    with CaptureQueriesContext(connection) as queries:
        found = inbox.tab_counts(queue.workspace, criteria, queue.cora.pk, timezone.now())
    assert len(queries) == 1
    assert found == {"mine": 1, "unassigned": 1, "overdue": 1, "all": 2}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("status=resolved", ("done",)),
        ("status=contacted", ("old",)),
        ("status=any", (*OPEN_ONES, "done")),
        ("category=passive", ("old", "mine")),
        ("kind=advocacy", ("fan",)),
        ("owner={cora}", ("late",)),
        ("owner={cora}&status=any", ("late", "done")),
        ("team={support}", ("late", "unowned")),
        ("survey={onboarding}", ("unowned",)),
        ("account=acme", ("late",)),
        ("tag=PRICING", ("late",)),
        ("period=30d", ("late", "unowned", "mine", "fan")),
        ("period=custom&since={old_day}&until={old_day}", ("old",)),
        ("category=detractor", ("late", "unowned")),
    ],
)
def test_each_filter_narrows_the_list(queue: Queue, query: str, names: tuple[str, ...]) -> None:
    zone = ZoneInfo(queue.workspace.time_zone)
    old_day = queue.cases["old"].opened_at.astimezone(zone).date()
    filled = query.format(
        cora=queue.cora.pk,
        support=queue.support.pk,
        onboarding=queue.onboarding.pk,
        old_day=old_day.isoformat(),
    )
    reply = queue.client().get(queue.url(f"tab=all&{filled}"))
    assert reply.status_code == 200, reply.content.decode()
    assert set(listed(reply)) == queue.ids(*names)
    assert counts(reply)["all"] == len(names)


def test_it_sorts_by_due_date_opened_or_priority(queue: Queue) -> None:
    client = queue.client()
    order = {
        "": ("old", "late", "unowned", "mine", "fan"),  # due date; the contacted one is not late
        "sort=opened": ("fan", "mine", "unowned", "late", "old"),
        "sort=priority": ("late", "unowned", "old", "mine", "fan"),
    }
    for query, names in order.items():
        reply = client.get(queue.url(f"tab=all&{query}"))
        assert listed(reply) == [queue.cases[name].pk for name in names], query


def test_a_row_shows_what_the_case_is(queue: Queue) -> None:
    html = queue.client().get(queue.url("tab=all")).content.decode()
    late = queue.cases["late"]
    assert f'data-href="/w/{queue.workspace.slug}/cases/{late.pk}/"' in html
    assert 'class="overdue"' in html and "overdue · 3\xa0hours ago" in html
    assert "=SUM(A1:A9) is what we pay" in html and "Acme" in html and "Cora" in html
    assert '<span class="badge">pricing</span>' in html and "Urgent" in html
    assert "in 1\xa0day" in html  # the unowned detractor, due in 48 hours
    assert SCRIPT not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_pages_keep_every_filter(queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_page, "PER_PAGE", 2)
    client = queue.client()
    first = client.get(queue.url("tab=all&sort=opened&category=passive&status=any"))
    assert listed(first) == [queue.cases["mine"].pk, queue.cases["old"].pk]
    reply = client.get(queue.url("tab=all&status=any&sort=priority"))
    seen = listed(reply)
    html = reply.content.decode()
    assert "Page 1 of 3" in html and "sort=priority" in html
    for number in (2, 3):
        seen += listed(client.get(queue.url(f"tab=all&status=any&sort=priority&page={number}")))
    assert sorted(seen) == sorted(queue.ids(*OPEN_ONES, "done"))
    beyond = client.get(queue.url("tab=all&page=4"))
    assert beyond.status_code == 400
    assert "must be from 1 to 3: 5 cases match, 2 a page; got 4" in beyond.content.decode()


def test_pages_stop_at_a_bound(queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_page, "PER_PAGE", 1)
    monkeypatch.setattr(inbox_page, "MAX_PAGE", 2)
    reply = queue.client().get(queue.url("tab=all&page=3"))
    assert reply.status_code == 400
    assert "and pages stop at 2" in reply.content.decode()


@pytest.mark.parametrize(
    ("query", "name", "says"),
    [
        (
            "tab=everything",
            "tab",
            "must be one of mine, unassigned, overdue, all, got 'everything'",
        ),
        ("status=done", "status", "must be one of open, contacted, resolved, closed or any"),
        ("category=fan", "category", "must be one of promoter, passive, detractor, got 'fan'"),
        ("kind=x", "kind", "must be one of follow_up, advocacy, got 'x'"),
        ("survey=abc", "survey", "no survey 'abc' in this workspace"),
        ("survey=99999999999999999999999", "survey", "no survey '99999999999999999999999'"),
        ("owner={their_owner}", "owner", "no member"),
        ("team=0", "team", "no team '0' in this workspace"),
        ("account=nope", "account", "no account with the id 'nope' in this workspace"),
        ("tag=nope", "tag", "no tag 'nope' in this workspace"),
        ("period=custom", "since", "a custom period needs a date like 2026-03-01"),
        ("period=ever", "period", "must be one of 30d, 90d, quarter, year, custom, got 'ever'"),
        ("sort=score", "sort", "must be one of due, opened, priority, got 'score'"),
        ("page=0", "page", "must be a page number (1, 2, …), got '0'"),
        ("page=%EF%BC%91", "page", "must be a page number"),
    ],
)
def test_a_bad_parameter_is_named_with_what_is_accepted(
    queue: Queue, query: str, name: str, says: str
) -> None:
    their_owner = queue.theirs.owner_id
    reply = queue.client().get(queue.url(query.format(their_owner=their_owner)))
    assert reply.status_code == 400
    html = reply.content.decode().replace("&#x27;", "'")
    assert f"<code>{name}</code>: {says}" in html
    # The rest of the page still works, with the bad parameter left out.
    assert counts(reply)["all"] == 5


def test_a_bad_parameter_leaves_the_good_ones_working(queue: Queue) -> None:
    reply = queue.client().get(queue.url("tab=all&category=passive&owner=zzz"))
    assert reply.status_code == 400
    assert set(listed(reply)) == queue.ids("old", "mine")
    assert "owner=zzz" not in reply.content.decode()


def csv_rows(reply: Any) -> list[dict[str, str]]:
    assert reply["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(reply.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_holds_every_matching_case(queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_page, "PER_PAGE", 1)
    reply = queue.client().get(queue.url("tab=all&status=any&format=csv"))
    assert reply.status_code == 200
    assert "attachment" in reply["Content-Disposition"]
    rows = csv_rows(reply)
    assert list(rows[0]) == list(inbox.EXPORT_HEADER)
    assert {int(row["case_id"]) for row in rows} == queue.ids(*OPEN_ONES, "done")
    late = next(row for row in rows if int(row["case_id"]) == queue.cases["late"].pk)
    assert late["comment"] == "'" + FORMULA  # a spreadsheet keeps it text
    assert (late["owner"], late["team"], late["account"]) == ("cora@acme.test", "Support", "acme")
    assert (late["status"], late["priority"], late["tags"]) == ("open", "urgent", "pricing")
    assert (late["score"], late["category"], late["kind"]) == ("1", "detractor", "follow_up")
    assert late["contact_external_id"] == "u-late"
    assert late["contact_email"] == "u-late@example.com"
    assert late["recovered"] == "no" and late["closed_at"] == ""
    done = next(row for row in rows if int(row["case_id"]) == queue.cases["done"].pk)
    assert done["first_contacted_at"].endswith("Z") and done["closed_at"].endswith("Z")


def test_the_csv_follows_the_tab_and_filters(queue: Queue) -> None:
    rows = csv_rows(queue.client().get(queue.url("format=csv")))
    assert {int(row["case_id"]) for row in rows} == queue.ids("old", "mine")
    rows = csv_rows(queue.client().get(queue.url("tab=all&tag=pricing&format=csv")))
    assert [int(row["case_id"]) for row in rows] == [queue.cases["late"].pk]


def test_the_csv_is_read_in_batches(queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox, "EXPORT_BATCH", 2)
    cases = inbox.in_tab(queue.workspace, inbox.Criteria(), "all", None, "due")
    rows = list(inbox.export_rows(cases))
    assert [row[0] for row in rows] == [case.pk for case in cases]
    assert [row[17] for row in rows].count("pricing") == 1


def test_a_csv_with_a_bad_filter_is_refused(queue: Queue) -> None:
    reply = queue.client().get(queue.url("tab=all&status=done&format=csv"))
    assert reply.status_code == 400
    assert "status: must be one of open, contacted" in reply.content.decode()


def test_a_recovered_detractor_is_marked(queue: Queue) -> None:
    late = queue.cases["late"]
    late.category = "promoter"  # as a rescore leaves it
    late.save(update_fields=["category"])
    rows = csv_rows(queue.client().get(queue.url("tab=all&format=csv")))
    row = next(row for row in rows if int(row["case_id"]) == late.pk)
    assert row["recovered"] == "yes"
    assert "recovered" in queue.client().get(queue.url("tab=all")).content.decode()


def test_another_workspace_is_not_found(queue: Queue) -> None:
    other = queue.theirs.workspace.slug
    assert queue.client().get(f"/w/{other}/cases/").status_code == 404
    listed_here = listed(queue.client().get(queue.url("tab=all&status=any")))
    assert queue.theirs.pk not in listed_here


def test_an_anonymous_visitor_is_sent_to_sign_in(queue: Queue) -> None:
    reply = Client().get(queue.url())
    assert reply.status_code == 302 and "/login/" in reply["Location"]


def test_other_methods_are_refused(queue: Queue) -> None:
    assert queue.client().delete(queue.url()).status_code == 405


def test_a_case_moved_past_due_shows_in_overdue(queue: Queue) -> None:
    change(queue.cases["mine"], by=BY, due=timezone.now() - timedelta(minutes=1))
    reply = queue.client().get(queue.url("tab=overdue"))
    assert set(listed(reply)) == queue.ids("late", "mine")
