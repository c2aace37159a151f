"""/surveys: the questions responses answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from npsloop.api.auth import workspace_of
from npsloop.api.errors import answers, field_error, filled, one_of, reported_at, within
from npsloop.api.pagination import PageParams, paginate
from npsloop.channels.link.links import contact_url, public_url
from npsloop.contacts.models import Contact
from npsloop.errors import NotFound
from npsloop.memory import Memory
from npsloop.surveys.configure import NUMBERS, TEXTS, update_survey
from npsloop.surveys.models import CtaAudience, Survey, WidgetPosition
from npsloop.surveys.services import create_survey
from npsloop.surveys.texts import LANGUAGES
from npsloop.workspaces.models import Workspace

SURVEY_MEMORY = 5.0
# Kept as they are, not pickled: their readers (the survey named by a response, a filter)
# never change them.
SURVEYS = Memory(size=1_000)
router = Router(tags=["surveys"])


class SurveyIn(Schema):
    name: str = Field(
        description="For you: shown in reports, never to respondents.",
        json_schema_extra=filled(TEXTS["name"]),
    )
    product_name: str = Field(
        description="Fills the standard question.", json_schema_extra=filled(TEXTS["product_name"])
    )
    question: str = Field(
        "",
        description="Leave empty for the standard NPS question.",
        json_schema_extra={"maxLength": TEXTS["question"]},
    )


class SurveyOut(Schema):
    id: int
    name: str
    slug: str
    public_url: str = Field(description="The survey's public link for anonymous answers.")
    product_name: str
    question: str = Field(description="The custom question, empty for the standard one.")
    question_text: str = Field(description="The question as respondents see it.")
    language: str = Field(description="For contacts whose language we don't speak.")
    texts: dict[str, dict[str, str]] = Field(description="Custom wording per language.")
    extra_questions: list[dict[str, Any]]
    cta_url: str
    cta_audience: str
    sender_name: str
    sender_email: str
    reply_to: str
    cooldown_days: int | None = Field(description="null: the workspace's cooldown.")
    reminders: int
    reminder_days: int
    edit_days: int
    in_app: bool = Field(description="The in-app widget may ask this survey.")
    widget_position: str
    widget_event: str = Field(description="Shown only after this widget event; empty: any page.")
    targeting: dict[str, Any]
    dismiss_days: int
    widget_returns: int
    is_active: bool
    created_at: datetime
    updated_at: datetime


class SurveyPatch(Schema):
    """Only the fields sent are changed."""

    name: str | None = Field(None, json_schema_extra=filled(TEXTS["name"]))
    product_name: str | None = Field(None, json_schema_extra=filled(TEXTS["product_name"]))
    question: str | None = Field(None, json_schema_extra={"maxLength": TEXTS["question"]})
    language: str | None = Field(None, json_schema_extra=one_of(LANGUAGES))
    texts: dict[str, Any] | None = None
    extra_questions: list[Any] | None = None
    cta_url: str | None = None
    cta_audience: str | None = Field(None, json_schema_extra=one_of(CtaAudience.values))
    sender_name: str | None = Field(None, json_schema_extra={"maxLength": TEXTS["sender_name"]})
    sender_email: str | None = None
    reply_to: str | None = None
    cooldown_days: int | None = Field(None, json_schema_extra=within(NUMBERS["cooldown_days"]))
    reminders: int | None = Field(None, json_schema_extra=within(NUMBERS["reminders"]))
    reminder_days: int | None = Field(None, json_schema_extra=within(NUMBERS["reminder_days"]))
    edit_days: int | None = Field(None, json_schema_extra=within(NUMBERS["edit_days"]))
    in_app: bool | None = None
    widget_position: str | None = Field(None, json_schema_extra=one_of(WidgetPosition.values))
    widget_event: str | None = Field(None, json_schema_extra={"maxLength": TEXTS["widget_event"]})
    targeting: dict[str, Any] | None = None
    dismiss_days: int | None = Field(None, json_schema_extra=within(NUMBERS["dismiss_days"]))
    widget_returns: int | None = Field(None, json_schema_extra=within(NUMBERS["widget_returns"]))
    is_active: bool | None = None


class LinkOut(Schema):
    url: str


class SurveyPage(Schema):
    items: list[SurveyOut]
    next_cursor: str | None


def survey_json(survey: Survey) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "name": survey.name,
        "product_name": survey.product_name,
        "slug": survey.slug,
        "public_url": public_url(survey),
        "question": survey.question,
        "question_text": survey.question_text,
        "language": survey.language,
        "texts": survey.texts,
        "extra_questions": survey.extra_questions,
        "cta_url": survey.cta_url,
        "cta_audience": survey.cta_audience,
        "sender_name": survey.sender_name,
        "sender_email": survey.sender_email,
        "reply_to": survey.reply_to,
        "cooldown_days": survey.cooldown_days,
        "reminders": survey.reminders,
        "reminder_days": survey.reminder_days,
        "edit_days": survey.edit_days,
        "in_app": survey.in_app,
        "widget_position": survey.widget_position,
        "widget_event": survey.widget_event,
        "targeting": survey.targeting,
        "dismiss_days": survey.dismiss_days,
        "widget_returns": survey.widget_returns,
        "is_active": survey.is_active,
        "created_at": survey.created_at,
        "updated_at": survey.updated_at,
    }


def survey_of(workspace: Workspace, survey_id: int, location: tuple[str, str]) -> Survey:
    """The workspace's survey a request names in a field, or a 422 on that field.

    A survey of another workspace reads exactly like one that does not exist. Found
    surveys are remembered for a few seconds: every recorded response names one.
    """
    memory_key = f"{workspace.pk}:{survey_id}"
    survey: Survey | None = SURVEYS.get(memory_key)
    if survey is None:
        survey = Survey.objects.filter(workspace=workspace, pk=survey_id).first()
        if survey is not None:
            SURVEYS.set(memory_key, survey, SURVEY_MEMORY)
    if survey is None:
        raise field_error(location, f"no survey with id {survey_id} in this workspace")
    return survey


@router.get("", response=answers({200: SurveyPage}, 422), summary="List surveys")
def list_surveys(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(Survey.objects.filter(workspace=workspace_of(request)), page, survey_json)


@router.post("", response=answers({201: SurveyOut}, 413, 422), summary="Create a survey")
def post_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    with reported_at("body"):
        survey = create_survey(
            workspace_of(request),
            name=payload.name,
            product_name=payload.product_name,
            question=payload.question,
        )
    return Status(201, survey_json(survey))


def survey_in_workspace(request: HttpRequest, survey_id: int) -> Survey:
    workspace = workspace_of(request)
    survey = Survey.objects.filter(workspace=workspace, pk=survey_id).first()
    if survey is None:
        raise NotFound(f"no survey with id {survey_id} in this workspace")
    survey.workspace = workspace
    return survey


@router.get("/{int:survey_id}", response=answers({200: SurveyOut}, 404), summary="Get a survey")
def get_survey(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    return survey_json(survey_in_workspace(request, survey_id))


@router.patch(
    "/{int:survey_id}",
    response=answers({200: SurveyOut}, 404, 413, 422),
    summary="Change a survey",
    description="Wording per language, extra questions, call to action, sender, timing. "
    "Fields left out stay as they are; `cooldown_days: null` means the workspace's.",
)
def patch_survey(request: HttpRequest, survey_id: int, payload: SurveyPatch) -> dict[str, Any]:
    survey = survey_in_workspace(request, survey_id)
    changes = payload.dict(exclude_unset=True)
    with reported_at("body"):
        update_survey(survey, changes)
    return survey_json(survey)


@router.get(
    "/{int:survey_id}/link",
    response=answers({200: LinkOut}, 404, 422),
    summary="A contact's survey link",
    description="The public link signed for one contact (external id or email), so their "
    "answer is attributed to them.",
)
def get_contact_link(request: HttpRequest, survey_id: int, contact: str) -> dict[str, str]:
    survey = survey_in_workspace(request, survey_id)
    found = (
        Contact.objects.filter(workspace_id=survey.workspace_id, external_id=contact).first()
        or Contact.objects.filter(
            workspace_id=survey.workspace_id, email=contact.strip().lower()
        ).first()
    )
    if found is None:
        raise field_error(("query", "contact"), f"no contact {contact!r} in this workspace")
    return {"url": contact_url(survey, found)}
