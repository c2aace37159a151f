"""/responses: record answers (safely retried), read them back, correct them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Annotated, Any

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from npsloop.api.auth import API_AUTH, workspace_of
from npsloop.api.contacts import ContactFields, contact_data
from npsloop.api.errors import answers, field_error, one_of, reported_at
from npsloop.api.moments import Bound, Moment, start_of
from npsloop.api.pagination import PageParams, paginate
from npsloop.api.surveys import survey_of
from npsloop.errors import NotFound
from npsloop.inbound import Unreadable, parse_json
from npsloop.stats import CATEGORIES
from npsloop.surveys.models import Channel, Response, unknown_channel
from npsloop.surveys.payload import response_data
from npsloop.surveys.responses import ResponseData, record_response, update_response

router = Router(tags=["responses"])

# Declared loose on purpose: pydantic would turn 7.0 or True into 7. The score goes to the
# services as sent, and npsloop.stats.parse_score (shared with imports and the calculator)
# accepts an integer 0-10 or a string of digits for one, and rejects everything else.
Score = Annotated[
    Any,
    Field(
        description="An integer from 0 to 10. 7.5, 7.0, -1, 11, true and null are rejected.",
        json_schema_extra={"type": "integer", "minimum": 0, "maximum": 10},
    ),
]
IDEMPOTENCY_RENAME = {"key": ("header", "Idempotency-Key")}


class ResponseContact(ContactFields):
    """The person who answered, by external_id or email; created if new, else updated."""

    external_id: str | None = None


class ResponseIn(Schema):
    survey: int = Field(description="The id of one of this workspace's surveys.")
    contact: ResponseContact
    score: Score
    comment: str = ""
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Extra questions: question name → answer."
    )
    channel: str = Field("other", json_schema_extra=one_of(Channel.values))
    created_at: Moment | None = Field(
        None, description="When it was answered, for historical imports; default now."
    )


class ResponsePatch(Schema):
    score: Score = None
    comment: Any = Field(None, description="Text.")
    answers: Any = Field(None, description="Object of question name → answer.")


class ContactRef(Schema):
    external_id: str | None
    email: str | None


class ResponseOut(Schema):
    id: int
    survey: int
    contact: ContactRef | None = Field(description="null once the contact was erased.")
    account: str | None = Field(description="External id of the contact's account then.")
    score: int
    category: str = Field(json_schema_extra=one_of(CATEGORIES))
    comment: str
    answers: dict[str, Any]
    channel: str = Field(json_schema_extra=one_of(Channel.values))
    properties: dict[str, Any] = Field(description="The contact's properties when answering.")
    created_at: datetime
    updated_at: datetime
    erased: bool


class ResponsePage(Schema):
    items: list[ResponseOut]
    next_cursor: str | None


class ResponseFilters(Schema):
    since: Bound | None = Field(None, description="Answered at or after.")
    until: Bound | None = Field(None, description="Answered before.")
    survey: int | None = None
    channel: str | None = Field(None, json_schema_extra=one_of(Channel.values))
    category: str | None = Field(None, json_schema_extra=one_of(CATEGORIES))
    has_comment: bool | None = None


def response_json(response: Response) -> dict[str, Any]:
    """What response.created's data shows, with the times as datetimes for the schema."""
    return response_data(response, show_time=lambda value: value)


Run = Callable[..., HttpResponse]


def _without_the_schema_layer(run: Run) -> Run:
    """POST /responses is the request every integration sends most. Ninja's generic run
    (its authentication classes, a parameter model per source, the answer validated
    against ResponseOut) cost as much as recording the response, so a well-formed request
    is run here: the same key check (API_AUTH), the body checked by the same ResponseIn
    and the same view function, its answer rendered by the API's renderer. Anything that
    ninja would refuse (no key, a body that is not JSON or not a ResponseIn) is left to
    ninja's run, which refuses it in its own words."""

    operation: Any = run.__self__  # type: ignore[attr-defined]  # ninja's run is its method

    @wraps(run)
    def plainly(request: HttpRequest, **path: Any) -> HttpResponse:
        request.auth = next(filter(None, (check(request) for check in API_AUTH)), None)  # type: ignore[attr-defined]
        if request.auth is None:  # type: ignore[attr-defined]
            return run(request, **path)
        try:
            # The checks every body gets (no NUL, not too deep); a refusal is ninja's to word.
            payload = ResponseIn.model_validate(parse_json(request.body))
        except (Unreadable, pydantic.ValidationError):
            return run(request, **path)
        try:
            answer = post_response(request, payload, request.META.get("HTTP_IDEMPOTENCY_KEY"))
        except Exception as error:  # what ninja's run does with it
            return operation.api.on_exception(request, error)
        return operation.api.create_response(request, answer.value, status=answer.status_code)

    return plainly


@router.post(
    "",
    response=answers({200: ResponseOut, 201: ResponseOut}, 413, 422),
    summary="Record a response",
)
@decorate_view(_without_the_schema_layer)
def post_response(
    request: HttpRequest,
    payload: ResponseIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Retrying with the same key and body returns the first response (200).",
    ),
) -> Status[dict[str, Any]]:
    """201 with the new response; 200 with the original one when the Idempotency-Key was
    already used for the same answer; 422 when it was used for a different one."""
    workspace = workspace_of(request)
    survey = survey_of(workspace, payload.survey, ("body", "survey"))
    data = ResponseData(
        survey=survey,
        score=payload.score,
        contact=contact_data(payload.contact.external_id, payload.contact),
        comment=payload.comment,
        answers=payload.answers,
        channel=payload.channel,
        created_at=payload.created_at,
        key=idempotency_key,
    )
    with reported_at("body", rename=IDEMPOTENCY_RENAME):
        recorded = record_response(workspace, data)
    return Status(201 if recorded.created else 200, response_json(recorded.response))


@router.get("", response=answers({200: ResponsePage}, 422), summary="List responses")
def list_responses(
    request: HttpRequest, filters: Query[ResponseFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Responses in the order they were recorded; filters combine with AND."""
    workspace = workspace_of(request)
    rows = Response.objects.select_related("contact", "account").filter(workspace=workspace)
    if filters.survey is not None:
        rows = rows.filter(survey=survey_of(workspace, filters.survey, ("query", "survey")))
    if filters.since is not None:
        rows = rows.filter(created_at__gte=start_of(filters.since, workspace))
    if filters.until is not None:
        rows = rows.filter(created_at__lt=start_of(filters.until, workspace))
    if filters.channel is not None:
        if problem := unknown_channel(filters.channel):
            raise field_error(("query", "channel"), problem)
        rows = rows.filter(channel=filters.channel)
    if filters.category is not None:
        if filters.category not in CATEGORIES:
            accepted = ", ".join(CATEGORIES)
            raise field_error(
                ("query", "category"), f"must be one of {accepted}, got {filters.category!r}"
            )
        rows = rows.filter(category=filters.category)
    if filters.has_comment is not None:
        rows = rows.exclude(comment="") if filters.has_comment else rows.filter(comment="")
    return paginate(rows, page, response_json)


def _response(request: HttpRequest, response_id: int) -> Response:
    response = (
        Response.objects.select_related("contact", "account", "workspace")
        .filter(workspace=workspace_of(request), pk=response_id)
        .first()
    )
    if response is None:
        raise NotFound(f"no response with id {response_id} in this workspace")
    return response


@router.get(
    "/{int:response_id}", response=answers({200: ResponseOut}, 404), summary="Get a response"
)
def get_response(request: HttpRequest, response_id: int) -> dict[str, Any]:
    return response_json(_response(request, response_id))


@router.patch(
    "/{int:response_id}",
    response=answers({200: ResponseOut}, 404, 413, 422),
    summary="Correct a response",
)
def patch_response(
    request: HttpRequest, response_id: int, payload: ResponsePatch
) -> dict[str, Any]:
    """Change the score, comment or answers; fields left out stay as they are."""
    response = _response(request, response_id)
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    with reported_at("body"):
        update_response(response, **changes)
    return response_json(response)
