"""/surveys: the questions responses answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from npsloop.api.auth import workspace_of
from npsloop.api.errors import field_error, reported_at
from npsloop.api.pagination import PageParams, paginate
from npsloop.errors import NotFound
from npsloop.surveys.models import Survey
from npsloop.surveys.services import create_survey
from npsloop.workspaces.models import Workspace

SURVEY_MEMORY = 5.0
router = Router(tags=["surveys"])


class SurveyIn(Schema):
    name: str = Field(description="For you: shown in reports, never to respondents.")
    product_name: str = Field(description="Fills the standard question.")
    question: str = Field("", description="Leave empty for the standard NPS question.")


class SurveyOut(Schema):
    id: int
    name: str
    product_name: str
    question: str = Field(description="The custom question, empty for the standard one.")
    question_text: str = Field(description="The question as respondents see it.")
    is_active: bool
    created_at: datetime
    updated_at: datetime


class SurveyPage(Schema):
    items: list[SurveyOut]
    next_cursor: str | None


def survey_json(survey: Survey) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "name": survey.name,
        "product_name": survey.product_name,
        "question": survey.question,
        "question_text": survey.question_text,
        "is_active": survey.is_active,
        "created_at": survey.created_at,
        "updated_at": survey.updated_at,
    }


def survey_of(workspace: Workspace, survey_id: int, location: tuple[str, str]) -> Survey:
    """The workspace's survey a request names in a field, or a 422 on that field.

    A survey of another workspace reads exactly like one that does not exist. Found
    surveys are remembered for a few seconds: every recorded response names one.
    """
    memory_key = f"npsloop:survey:{workspace.pk}:{survey_id}"
    survey: Survey | None = cache.get(memory_key)
    if survey is None:
        survey = Survey.objects.filter(workspace=workspace, pk=survey_id).first()
        if survey is not None:
            cache.set(memory_key, survey, timeout=SURVEY_MEMORY)
    if survey is None:
        raise field_error(location, f"no survey with id {survey_id} in this workspace")
    return survey


@router.get("", response=SurveyPage, summary="List surveys")
def list_surveys(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(Survey.objects.filter(workspace=workspace_of(request)), page, survey_json)


@router.post("", response={201: SurveyOut}, summary="Create a survey")
def post_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    with reported_at("body"):
        survey = create_survey(
            workspace_of(request),
            name=payload.name,
            product_name=payload.product_name,
            question=payload.question,
        )
    return Status(201, survey_json(survey))


@router.get("/{int:survey_id}", response=SurveyOut, summary="Get a survey")
def get_survey(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    survey = Survey.objects.filter(workspace=workspace_of(request), pk=survey_id).first()
    if survey is None:
        raise NotFound(f"no survey with id {survey_id} in this workspace")
    return survey_json(survey)
