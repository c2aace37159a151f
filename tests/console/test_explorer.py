"""The responses explorer: every filter in the URL, pages that keep them, a CSV of every
matching response, and one response opened with its person's whole context."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from npsloop.console import responses as pages
from npsloop.contacts.accounts import AccountData, upsert_account
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.insights import explorer
from npsloop.insights.filters import Filters, Period
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.configure import create_survey
from npsloop.surveys.erasure import erase_contact
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Workspace

ROW_LINK = re.compile(r'href="/w/[^/]+/responses/(\d+)/\?([^"]*)"')


def person(
    workspace: Workspace, email: str, account: str | None = None, **properties: object
) -> Contact:
    return upsert_contact(
        workspace,
        ContactData(
            email=email,
            external_id=email.split("@")[0],
            name=email.split("@")[0].title() + " Example",
            locale="de",
            signed_up_at=datetime(2024, 2, 29, 12, tzinfo=UTC),
            account_external_id=account,
            account_name=f"{account} Industries" if account else None,
            properties=properties or None,
        ),
    ).contact


def answer(
    workspace: Workspace,
    survey: Survey,
    score: int,
    contact: Contact | None = None,
    *,
    comment: str = "",
    channel: str = "email",
    wave: int | None = None,
    days_ago: float = 1,
    when: datetime | None = None,
) -> Response:
    return record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=score,
            contact=contact,
            comment=comment,
            channel=channel,
            wave=wave,
            created_at=when or timezone.now() - timedelta(days=days_ago),
        ),
    ).response


@dataclass
class Data:
    a: Response  # ada, 10, "Love the API", email, wave 1
    b: Response  # ben, 8, no comment, in-app
    c: Response  # ada, 3, "Billing is CONFUSING", email
    d: Response  # anonymous, 6, "slow api", link, 40 days ago
    e: Response  # ben, 9, no comment, on the second survey
    second: Survey
    ada: Contact
    ben: Contact

    def named(self, letters: str) -> set[int]:
        return {getattr(self, letter).pk for letter in letters}


@pytest.fixture
def data(workspace: Workspace, survey: Survey, other_survey: Survey) -> Data:
    second = create_survey(workspace, name="Onboarding", product_name="Acme Cloud")
    ada = person(
        workspace, "ada@example.com", "acc-042", plan="pro", modules="compute, storage", seats=42
    )
    ben = person(workspace, "ben@example.com", "acc-007", plan="free", beta=True)
    upsert_account(workspace, AccountData("acc-042", properties={"tier": "gold"}))
    data = Data(
        a=answer(workspace, survey, 10, ada, comment="Love the API", wave=1, days_ago=2),
        b=answer(workspace, survey, 8, ben, channel="in-app", days_ago=5),
        c=answer(workspace, survey, 3, ada, comment="Billing is CONFUSING", days_ago=10),
        d=answer(workspace, survey, 6, comment="slow api", channel="link", days_ago=40),
        e=answer(workspace, second, 9, ben, days_ago=3),
        second=second,
        ada=ada,
        ben=ben,
    )
    outsider = person(other_survey.workspace, "ada@example.com", plan="pro")
    answer(other_survey.workspace, other_survey, 1, outsider, comment="Love the API")
    return data


def listed(reply: Any) -> list[int]:
    return [int(pk) for pk, _ in ROW_LINK.findall(reply.content.decode())]


def url(workspace: Workspace, query: str = "") -> str:
    return f"/w/{workspace.slug}/responses/?{query}"


@pytest.fixture
def viewer(workspace: Workspace) -> Client:
    """A signed-in viewer member. Without a password: hashing one costs a second a test."""
    user = get_user_model().objects.create_user(f"viewer-{workspace.slug}")
    add_member(workspace, user, "viewer")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "abcde"),
        ("category=detractor", "cd"),
        ("category=promoter", "ae"),
        ("score=0-6", "cd"),
        ("score=9,10", "ae"),
        ("score=8", "b"),
        ("score=0-3,9", "ce"),
        ("has_comment=yes", "acd"),
        ("has_comment=no", "be"),
        ("q=api", "ad"),
        ("q=confusing", "c"),
        ("segment=plan%3Dpro", "ac"),
        ("segment=account%3Dacc-007", "be"),
        ("segment=plan%3DPro", ""),
        ("channel=email", "ace"),
        ("channel=link", "d"),
        ("wave=1", "a"),
        ("wave=0", "bcde"),
        ("period=30d", "abce"),
        ("category=detractor&has_comment=yes&q=billing", "c"),
        ("score=0-6&channel=link", "d"),
        ("segment=plan%3Dpro&category=promoter", "a"),
        ("q=api&period=30d", "a"),
    ],
)
def test_it_filters_by_everything_in_the_url(
    workspace: Workspace, data: Data, viewer: Client, query: str, expected: str
) -> None:
    reply = viewer.get(url(workspace, query))
    assert reply.status_code == 200
    assert set(listed(reply)) == data.named(expected)


def test_it_lists_newest_first_with_who_said_it(
    workspace: Workspace, data: Data, viewer: Client
) -> None:
    reply = viewer.get(url(workspace))
    assert listed(reply) == [data.a.pk, data.e.pk, data.b.pk, data.c.pk, data.d.pk]
    page = reply.content.decode()
    assert "Ada Example" in page and "acc-042 Industries" in page
    assert "5 responses" in page


def test_it_filters_by_survey(workspace: Workspace, data: Data, viewer: Client) -> None:
    assert set(listed(viewer.get(url(workspace, f"survey={data.second.pk}")))) == {data.e.pk}


def test_pages_keep_every_filter(
    workspace: Workspace, survey: Survey, viewer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "PER_PAGE", 2)
    ada = person(workspace, "ada@example.com", plan="pro")
    ben = person(workspace, "ben@example.com", plan="free")
    mine = [
        answer(workspace, survey, 2, ada, comment=f"note {i}", days_ago=i + 1) for i in range(5)
    ]
    answer(workspace, survey, 2, ben, comment="note from ben")
    answer(workspace, survey, 2, ada, days_ago=0.5)
    answer(workspace, survey, 10, ada, comment="note, but a promoter")
    query = "category=detractor&has_comment=yes&q=note&segment=plan%3Dpro&channel=email"
    seen: list[int] = []
    reply = viewer.get(url(workspace, query))
    for number in (1, 2, 3):
        assert reply.status_code == 200
        seen += listed(reply)
        page = reply.content.decode()
        assert f"Page {number} of 3" in page
        for _, link_query in ROW_LINK.findall(page):
            assert "q=note" in link_query and "segment=plan%3Dpro" in link_query
        following = re.search(r'rel="next" href="\?([^"]*)"', page)
        if number == 3:
            assert following is None
            previous = re.search(r'rel="prev" href="\?([^"]*)"', page)
            assert previous is not None
            back = previous.group(1).replace("&amp;", "&")
            assert "page=2" in back and "category=detractor" in back
            break
        assert following is not None
        forward = following.group(1).replace("&amp;", "&")
        for part in query.split("&"):
            assert part in forward
        assert f"page={number + 1}" in forward
        reply = viewer.get(url(workspace, forward))
    assert seen == [r.pk for r in mine]


def csv_rows(reply: Any) -> list[dict[str, str]]:
    """The rows of a streamed CSV: only a streaming response has `streaming_content`."""
    body = b"".join(reply.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_holds_every_matching_response_on_every_page(
    workspace: Workspace, survey: Survey, viewer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "PER_PAGE", 2)
    ada = person(workspace, "ada@example.com", "acc-042", plan="pro")
    wanted = [
        answer(workspace, survey, 4, ada, comment=text, days_ago=i + 1)
        for i, text in enumerate(["=cmd|' /C calc'!A0", "+1 fine", "-minus", "@sum", "plain"])
    ]
    answer(workspace, survey, 10, ada, comment="=promoter, filtered out")
    reply = viewer.get(url(workspace, "category=detractor&format=csv"))
    assert reply.status_code == 200
    assert reply["Content-Type"].startswith("text/csv")
    assert "attachment" in reply["Content-Disposition"]
    rows = csv_rows(reply)
    assert [int(r["id"]) for r in rows] == [r.pk for r in wanted]
    assert [r["comment"] for r in rows] == [
        "'=cmd|' /C calc'!A0",
        "'+1 fine",
        "'-minus",
        "'@sum",
        "plain",
    ]
    first = rows[0]
    assert list(first) == list(explorer.EXPORT_HEADER)
    assert first["contact_email"] == "ada@example.com"
    assert first["contact_external_id"] == "ada"
    assert first["account"] == "acc-042"
    assert (first["survey"], first["score"], first["category"]) == (survey.name, "4", "detractor")
    stamp = wanted[0].created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert first["created_at"] == stamp and stamp.endswith("Z")


def test_the_csv_matches_the_filtered_list(
    workspace: Workspace, data: Data, viewer: Client
) -> None:
    query = "has_comment=yes&period=year"
    shown = listed(viewer.get(url(workspace, query)))
    exported = [int(r["id"]) for r in csv_rows(viewer.get(url(workspace, query + "&format=csv")))]
    assert exported == shown == [data.a.pk, data.c.pk, data.d.pk]


def test_a_csv_with_a_bad_filter_is_refused(workspace: Workspace, viewer: Client) -> None:
    reply = viewer.get(url(workspace, "score=eleven&format=csv"))
    assert reply.status_code == 400
    assert "score: must be scores from 0 to 10" in reply.content.decode()


def test_a_script_in_a_comment_shows_as_text(
    workspace: Workspace, survey: Survey, viewer: Client
) -> None:
    ada = person(workspace, "ada@example.com")
    response = answer(workspace, survey, 0, ada, comment="<script>alert('x')</script> & more")
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more"
    for page in (url(workspace), f"/w/{workspace.slug}/responses/{response.pk}/"):
        body = viewer.get(page).content.decode()
        assert escaped in body
        assert "<script>alert" not in body


def detail(workspace: Workspace, response: Response, query: str = "") -> str:
    return f"/w/{workspace.slug}/responses/{response.pk}/?{query}"


def test_a_response_opens_with_its_persons_context(
    workspace: Workspace, survey: Survey, data: Data, viewer: Client
) -> None:
    now = timezone.now()
    SurveyRequest.objects.create(
        workspace=workspace,
        survey=survey,
        contact=data.ada,
        channel="email",
        wave=1,
        token=uuid.uuid4().hex,
        status=AskStatus.RESPONDED,
        due_at=now - timedelta(days=3),
        sent_at=now - timedelta(days=3),
        reminders_sent=1,
        responded_at=data.a.created_at,
        response=data.a,
    )
    SurveyRequest.objects.create(
        workspace=workspace,
        survey=data.second,
        contact=data.ada,
        channel="in-app",
        wave=2,
        token=uuid.uuid4().hex,
        status=AskStatus.EXPIRED,
        due_at=now - timedelta(days=30),
        dismissals=3,
        dismissed_at=now - timedelta(days=20),
    )
    Contact.objects.filter(pk=data.ada.pk).update(unsubscribed_at=now)
    reply = viewer.get(detail(workspace, data.c, "q=billing&category=detractor&page=1"))
    assert reply.status_code == 200
    page = reply.content.decode()
    # who, and the account
    assert "ada@example.com" in page and "Signed up" in page and "29 Feb 2024" in page
    assert "Unsubscribed" in page and "<dd>de</dd>" in page
    assert "acc-042 Industries" in page and "tier" in page and "gold" in page
    # properties now and when they answered, and the modules as a list
    assert "<td>seats</td><td>42</td><td>42</td>" in page
    assert "<li>compute</li><li>storage</li>" in page
    # every response of the person: the earlier one, this one, the later one
    history = page[page.index('id="history"') : page.index('id="asks-h"')]
    assert history.count("<tr") == 3
    assert f"/responses/{data.a.pk}/" in history and "this one" in history
    assert "Love the API" in history
    # every ask: responded with a reminder, and a widget ask dismissed three times
    asks = page[page.index('id="asks"') :]
    assert "responded" in asks and "outcome unknown" not in asks
    assert "expired" in asks and "3\u00d7" in asks and "Onboarding" in asks
    # the way back keeps the filters
    back = re.search(r'href="/w/[^/]+/responses/\?([^"]*)">← Back', page)
    assert (
        back is not None and "q=billing" in back.group(1) and "category=detractor" in back.group(1)
    )


def test_the_context_knows_earlier_and_later(workspace: Workspace, data: Data) -> None:
    context = explorer.response_context(workspace, data.c.pk)
    assert context is not None
    assert [r.pk for r in context.responses] == [data.c.pk, data.a.pk]
    assert context.earlier == [] and [r.pk for r in context.later] == [data.a.pk]
    assert context.modules == ["compute", "storage"]
    assert context.account is not None and context.account.external_id == "acc-042"
    assert ("plan", "pro", "pro") in context.properties


def test_the_detail_exports_the_history_and_the_asks(
    workspace: Workspace, survey: Survey, data: Data, viewer: Client
) -> None:
    SurveyRequest.objects.create(
        workspace=workspace,
        survey=survey,
        contact=data.ada,
        channel="email",
        token=uuid.uuid4().hex,
        due_at=timezone.now(),
    )
    history = viewer.get(detail(workspace, data.a, "format=csv"))
    assert history.status_code == 200
    rows = list(csv.DictReader(io.StringIO(history.content.decode())))
    assert [int(r["id"]) for r in rows] == [data.c.pk, data.a.pk]
    asks = viewer.get(detail(workspace, data.a, "format=csv&table=asks"))
    [ask] = list(csv.DictReader(io.StringIO(asks.content.decode())))
    assert (ask["status"], ask["channel"]) == ("scheduled", "email")
    wrong = viewer.get(detail(workspace, data.a, "format=csv&table=cases"))
    assert wrong.status_code == 400
    assert "table: must be one of responses, asks" in wrong.content.decode()


def test_an_erased_persons_response_still_opens(
    workspace: Workspace, data: Data, viewer: Client
) -> None:
    erase_contact(data.ada)
    reply = viewer.get(detail(workspace, data.a))
    assert reply.status_code == 200
    page = reply.content.decode()
    assert "erased" in page and "Love the API" not in page and "ada@example.com" not in page
    assert "score-chip promoter" in page
    listing = viewer.get(url(workspace, "category=promoter")).content.decode()
    assert "erased" in listing


def test_an_anonymous_response_opens_with_its_ask(
    workspace: Workspace, survey: Survey, data: Data, viewer: Client
) -> None:
    SurveyRequest.objects.create(
        workspace=workspace,
        survey=survey,
        device="device-1",
        channel="link",
        token=uuid.uuid4().hex,
        status=AskStatus.RESPONDED,
        due_at=timezone.now() - timedelta(days=41),
        responded_at=data.d.created_at,
        response=data.d,
    )
    reply = viewer.get(detail(workspace, data.d))
    assert reply.status_code == 200
    page = reply.content.decode()
    assert "Anonymous" in page and "slow api" in page
    assert "responded" in page[page.index('id="asks"') :]


def test_another_workspaces_response_is_not_found(
    workspace: Workspace, other_survey: Survey, viewer: Client
) -> None:
    theirs = answer(other_survey.workspace, other_survey, 3, comment="secret")
    assert viewer.get(detail(workspace, theirs)).status_code == 404
    assert viewer.get(detail(workspace, theirs, "format=csv")).status_code == 404


def test_another_workspaces_dashboard_is_not_found(
    other_workspace: Workspace, other_survey: Survey, viewer: Client
) -> None:
    theirs = answer(other_workspace, other_survey, 3)
    assert viewer.get(url(other_workspace)).status_code == 404
    assert viewer.get(url(other_workspace, "format=csv")).status_code == 404
    assert viewer.get(detail(other_workspace, theirs)).status_code == 404


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("category=happy", "category", "must be one of promoter, passive, detractor, got"),
        ("score=11", "score", "must be scores from 0 to 10"),
        ("score=6-0", "score", "a range goes from low to high, like 0-6"),
        ("score=7.5", "score", "must be scores from 0 to 10"),
        ("has_comment=maybe", "has_comment", "must be yes or no, got"),
        ("segment=plan", "segment", "must be a contact property and its value"),
        ("segment=%3Dpro", "segment", "must be a contact property and its value"),
        ("q=" + "x" * 201, "q", "must be at most 200 characters, got 201"),
        ("page=0", "page", "must be a page number (1, 2, …), got"),
        ("page=two", "page", "must be a page number (1, 2, …), got"),
        ("page=" + "9" * 40, "page", "must be from 1 to 1: 5 responses match"),
        ("channel=fax", "channel", "must be one of email, in-app, link, other"),
    ],
)
def test_a_bad_filter_is_named_and_ignored(
    workspace: Workspace, data: Data, viewer: Client, query: str, name: str, message: str
) -> None:
    reply = viewer.get(url(workspace, query))
    assert reply.status_code == 400
    page = reply.content.decode()
    assert f"<code>{name}</code>" in page
    assert message.replace("'", "&#x27;") in page
    assert set(listed(reply)) == data.named("abcde")


def test_a_bad_filter_leaves_the_good_ones_working(
    workspace: Workspace, data: Data, viewer: Client
) -> None:
    reply = viewer.get(url(workspace, "category=detractor&score=high"))
    assert reply.status_code == 400
    assert set(listed(reply)) == data.named("cd")
    links = [q for _, q in ROW_LINK.findall(reply.content.decode())]
    assert all("category=detractor" in q and "score" not in q for q in links)


def test_an_anonymous_visitor_is_sent_to_sign_in(workspace: Workspace, data: Data) -> None:
    for page in (url(workspace), detail(workspace, data.a)):
        reply = Client().get(page)
        assert reply.status_code == 302
        assert reply["Location"].startswith("/login/?next=")


def test_the_period_is_in_the_workspace_time_zone(db: None) -> None:
    workspace = create_workspace("Acme East", time_zone="America/New_York")
    survey = create_survey(workspace, name="NPS", product_name="Acme")
    late = answer(workspace, survey, 9, when=datetime(2025, 3, 11, 3, 30, tzinfo=UTC))
    answer(workspace, survey, 9, when=datetime(2025, 3, 10, 3, 30, tzinfo=UTC))
    march_10 = Filters(Period("custom", date(2025, 3, 10), date(2025, 3, 11)))
    rows, total = explorer.search_responses(workspace, march_10)
    assert total == 1 and [r.pk for r in rows] == [late.pk]


def test_a_segment_matches_numbers_and_booleans_as_spelled(
    workspace: Workspace, data: Data
) -> None:
    year = Filters(Period("year", date.today() - timedelta(days=365), date.today() + timedelta(2)))
    for segment, expected in [
        (("seats", "42"), "ac"),
        (("beta", "true"), "be"),
        (("beta", "false"), ""),
        (("plan", "free"), "be"),
        (("nothing", "x"), ""),
    ]:
        rows, total = explorer.search_responses(workspace, year, segment=segment)
        assert {r.pk for r in rows} == data.named(expected), segment
        assert total == len(expected)


def test_the_search_pages_and_rejects_nonsense(workspace: Workspace, data: Data) -> None:
    year = Filters(Period("year", date.today() - timedelta(days=365), date.today() + timedelta(2)))
    first, total = explorer.search_responses(workspace, year, per_page=2)
    last, _ = explorer.search_responses(workspace, year, per_page=2, page=3)
    beyond, _ = explorer.search_responses(workspace, year, per_page=2, page=10**30)
    assert total == 5 and [r.pk for r in first] == [data.a.pk, data.e.pk]
    assert [r.pk for r in last] == [data.d.pk] and beyond == []
    for bad in (
        {"page": 0},
        {"per_page": 501},
        {"category": "fan"},
        {"scores": {11}},
        {"text": "x" * 201},
        {"segment": ("", "pro")},
    ):
        with pytest.raises(InvalidInput):
            explorer.search_responses(workspace, year, **bad)


@pytest.mark.parametrize(
    ("text", "scores"),
    [("7", {7}), ("0-6", set(range(7))), ("9,10", {9, 10}), ("0-2, 9", {0, 1, 2, 9})],
)
def test_scores_are_read_from_their_url_form(text: str, scores: set[int]) -> None:
    assert explorer.parse_scores(text) == scores


@pytest.mark.parametrize("text", ["", "11", "-1", "1-", "a", "5-3", "1,,2", "½"])
def test_scores_that_are_not_scores_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        explorer.parse_scores(text)


def test_modules_are_read_as_a_list() -> None:
    assert explorer.modules_used({"modules": "billing, compute,,edge"}) == [
        "billing",
        "compute",
        "edge",
    ]
    assert explorer.modules_used({"modules": ["a", "b"]}) == ["a", "b"]
    assert explorer.modules_used({}) == []
