"""The responses explorer pages: the list with every filter in the URL (and its CSV of all
matching rows), and one response opened with its person's context."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from npsloop.console import tags_and_notes
from npsloop.console.access import EDITORS
from npsloop.console.dashboard import Page, _cell
from npsloop.errors import InvalidInput
from npsloop.insights import explorer
from npsloop.loop.models import Case
from npsloop.surveys.models import Category

PER_PAGE = 50
ANNOTATORS_ONLY = (
    "Viewers see responses with their tags and notes; only editors, admins and owners tag "
    "them and write notes. Ask an admin of this workspace for the editor role."
)
HAS_COMMENT = {"yes": True, "no": False}
# The URL parameters of the explorer beyond the dashboard's own filters.
PARAMETERS = ("category", "score", "has_comment", "q", "segment")


@dataclass(frozen=True)
class Explorer:
    """The explorer's URL parameters, read: what to search, which page, the parameters
    that reproduce them (bad ones dropped) and what each raw value was."""

    criteria: explorer.Criteria
    page: int
    params: dict[str, str]
    raw: dict[str, str]


def read_parameters(page: Page) -> Explorer:
    """Every explorer parameter of the request; a bad one is put in `page.errors` with
    what is accepted, and ignored."""
    raw = {name: page.request.GET.get(name, "").strip() for name in (*PARAMETERS, "page")}
    errors: dict[str, str] = {}
    params: dict[str, str] = {}
    category = raw["category"] or None
    if category is not None and category not in Category.values:
        errors["category"] = f"must be one of {', '.join(Category.values)}, got {category!r}"
        category = None
    scores = None
    if raw["score"]:
        try:
            scores = explorer.parse_scores(raw["score"])
        except InvalidInput as error:
            errors.update(error.errors)
    has_comment = None
    if raw["has_comment"]:
        has_comment = HAS_COMMENT.get(raw["has_comment"])
        if has_comment is None:
            errors["has_comment"] = f"must be yes or no, got {raw['has_comment']!r}"
    text = raw["q"]
    if len(text) > explorer.MAX_TEXT:
        errors["q"] = f"must be at most {explorer.MAX_TEXT} characters, got {len(text)}"
        text = ""
    segment = None
    if raw["segment"]:
        try:
            segment = explorer.parse_segment(raw["segment"])
        except InvalidInput as error:
            errors.update(error.errors)
    number = 1
    if raw["page"]:
        if raw["page"].isascii() and raw["page"].isdigit() and int(raw["page"]) >= 1:
            number = int(raw["page"])
        else:
            errors["page"] = f"must be a page number (1, 2, …), got {raw['page']!r}"
    for name in PARAMETERS:
        if raw[name] and name not in errors:
            params[name] = raw[name]
    page.errors.update(errors)
    criteria = explorer.Criteria(category, scores, has_comment, text, segment)
    return Explorer(criteria, number, params, raw)


@login_required
def response_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    page = Page(request, slug, "dash-responses")
    wanted = read_parameters(page)
    if page.csv:
        return _export(page, wanted.criteria)
    criteria = wanted.criteria
    search: dict[str, Any] = {
        "category": criteria.category,
        "scores": criteria.scores,
        "has_comment": criteria.has_comment,
        "text": criteria.text,
        "segment": criteria.segment,
        "per_page": PER_PAGE,
    }
    number = wanted.page
    rows, total = explorer.search_responses(page.workspace, page.filters, page=number, **search)
    pages = max(1, -(-total // PER_PAGE))
    if number > pages:
        page.errors["page"] = (
            f"must be from 1 to {pages}: {total} responses match, {PER_PAGE} a page; got {number}"
        )
        number = 1
        rows, total = explorer.search_responses(page.workspace, page.filters, page=1, **search)
    params = dict(wanted.params)
    here = page.query_string(**params, page=str(number) if number > 1 else "")
    return page.render(
        "console/dashboard/responses.html",
        {
            "rows": rows,
            "total": total,
            "number": number,
            "pages": pages,
            "first": (number - 1) * PER_PAGE + 1,
            "last": (number - 1) * PER_PAGE + len(rows),
            "here": here,
            "previous_query": (
                page.query_string(**params, page=str(number - 1) if number > 2 else "")
                if number > 1
                else None
            ),
            "next_query": (
                page.query_string(**params, page=str(number + 1)) if number < pages else None
            ),
            "raw": wanted.raw,
            "categories": Category.values,
            "extra_params": params,
        },
    )


class _Echo:
    """A file for csv.writer that hands each line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def _export(page: Page, criteria: explorer.Criteria) -> HttpResponseBase:
    """Every matching response, not only one page, streamed as it is read."""
    if page.errors:
        problems = "; ".join(f"{k}: {v}" for k, v in page.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(explorer.EXPORT_HEADER)
        for row in explorer.export_rows(page.workspace, page.filters, criteria):
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    period = page.filters.period
    name = slugify(f"{page.workspace.slug}-responses-{period.since}-{period.last_day}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def response_detail(request: HttpRequest, slug: str, response_id: int) -> HttpResponse:
    page = Page(request, slug, "dash-responses")
    wanted = read_parameters(page)
    context = explorer.response_context(page.workspace, response_id)
    if context is None:
        raise Http404("no such response")
    errors: dict[str, str] = {}
    if request.method == "POST":
        # Tags and notes, the response page's only changes.
        if page.role not in EDITORS:
            return HttpResponseForbidden(ANNOTATORS_ONLY)
        assert isinstance(request.user, User)  # login_required let only signed-in users in
        name = request.POST.get("action", "")
        action = tags_and_notes.ACTIONS.get(name)
        try:
            if action is None:
                known = ", ".join(tags_and_notes.ACTIONS)
                raise InvalidInput({"action": f"must be one of {known}, got {name!r}"})
            action(request, context.response, request.user)
        except InvalidInput as error:
            errors = error.errors
        else:
            part = "notes" if name == "add_note" else "tags"
            return redirect(f"{request.path}?{request.GET.urlencode()}#{part}")
    if page.csv:
        return _detail_csv(page, context, request.GET.get("table") or "responses")
    number = wanted.page
    back = page.query_string(**wanted.params, page=str(number) if number > 1 else "")
    rendered = page.render(
        "console/dashboard/response.html",
        {
            "context": context,
            "response": context.response,
            "contact": context.contact,
            "case": Case.objects.filter(response=context.response)
            .select_related("owner__user")
            .first(),
            "back": back,
            "raw": wanted.raw,
            "categories": Category.values,
            "extra_params": wanted.params,
            "action_errors": errors,
            "posted_note": request.POST.get("body", "") if errors else "",
            **tags_and_notes.annotations_context(context.response),
        },
    )
    if errors:
        rendered.status_code = 422
    return rendered


DETAIL_TABLES = ("responses", "asks")


def _detail_csv(page: Page, context: explorer.ResponseContext, table: str) -> HttpResponse:
    if table not in DETAIL_TABLES:
        page.errors["table"] = f"must be one of {', '.join(DETAIL_TABLES)}, got {table!r}"
    response_id = context.response.pk
    if table == "asks":
        return page.csv_response(
            f"response-{response_id}-asks",
            [
                "id",
                "survey",
                "channel",
                "wave",
                "status",
                "due_at",
                "sent_at",
                "reminders_sent",
                "dismissals",
                "responded_at",
                "response_id",
            ],
            (
                [
                    ask.pk,
                    ask.survey.name,
                    ask.channel,
                    ask.wave,
                    ask.status,
                    _iso(ask.due_at),
                    _iso(ask.sent_at),
                    ask.reminders_sent,
                    ask.dismissals,
                    _iso(ask.responded_at),
                    ask.response_id,
                ]
                for ask in context.asks
            ),
        )
    return page.csv_response(
        f"response-{response_id}-history",
        ["id", "created_at", "survey", "score", "category", "channel", "wave", "comment"],
        (
            [
                r.pk,
                _iso(r.created_at),
                r.survey.name,
                r.score,
                r.category,
                r.channel,
                r.wave,
                r.comment,
            ]
            for r in context.responses
        ),
    )


def _iso(when: datetime | None) -> str:
    return explorer.utc_iso(when) if when is not None else ""
