"""Several changes of one case at once (the API's PATCH): the names people give resolved
against the workspace, then every change made by its owner in cases.py, all in one
transaction, so an edit is kept whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from npsloop.errors import InvalidInput
from npsloop.loop import cases
from npsloop.loop.models import Case, Outcome
from npsloop.loop.routing import WORKERS
from npsloop.surveys.annotations import set_tags, tags_named
from npsloop.surveys.models import Tag
from npsloop.workspaces.models import Member

# A field left out of an edit; None means "clear it" for the owner and the outcome.
UNCHANGED: Any = object()


@dataclass
class CaseEdit:
    owner: str | None = UNCHANGED  # a member's email, or None: nobody
    status: str = UNCHANGED
    outcome: str | None = UNCHANGED  # an outcome's name, or None: no outcome
    due_at: datetime = UNCHANGED
    priority: str = UNCHANGED
    tags: list[str] = UNCHANGED  # the response's whole list of tags


@dataclass
class _Resolved:
    owner: Member | None = UNCHANGED
    outcome: Outcome | None = UNCHANGED
    tags: list[Tag] = UNCHANGED


def edit_case(case: Case, edit: CaseEdit, *, by: cases.Actor, version: int | None = None) -> Case:
    """Make the edit's changes; InvalidInput naming every field that names nothing of the
    workspace, StaleCase when ``version`` is not the case's, StatusNotAllowed for a move
    the case can't make (then nothing of the edit is kept)."""
    found = _resolve(case, edit)
    with transaction.atomic():
        # The first change checks the caller's version; the next ones the version it left,
        # so nobody else's edit can come between them unseen.
        if found.owner is not UNCHANGED:
            case = cases.assign(case, found.owner, by=by, version=version)
            version = case.version
        changes: dict[str, Any] = {}
        if found.outcome is not UNCHANGED:
            changes["outcome"] = found.outcome
            changes["clear_outcome"] = found.outcome is None
        if edit.due_at is not UNCHANGED:
            changes["due"] = edit.due_at
        if edit.priority is not UNCHANGED:
            changes["priority"] = edit.priority
        if changes:
            case = cases.change(case, by=by, version=version, **changes)
            version = case.version
        if edit.status is not UNCHANGED:
            case = cases.move(case, edit.status, by=by, version=version)
            version = case.version
        if found.tags is not UNCHANGED:
            if version is not None:
                cases.check_version(case, version)
            set_tags(case.response, found.tags, by=by.user)
    return case


def _resolve(case: Case, edit: CaseEdit) -> _Resolved:
    errors: dict[str, str] = {}
    found = _Resolved()
    if edit.owner is not UNCHANGED:
        found.owner = None if edit.owner is None else _member(case, edit.owner, errors)
    if edit.outcome is not UNCHANGED:
        found.outcome = None if edit.outcome is None else _outcome(case, edit.outcome, errors)
    if edit.tags is not UNCHANGED:
        try:
            found.tags = tags_named(case.response.workspace, edit.tags)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    return found


def _member(case: Case, email: str, errors: dict[str, str]) -> Member | None:
    member = (
        Member.objects.filter(
            workspace_id=case.workspace_id, user__email__iexact=email.strip(), role__in=WORKERS
        )
        .select_related("user")
        .first()
    )
    if member is None:
        errors["owner"] = (
            f"no member with email {email!r} who works cases (editor, admin or owner) in this "
            "workspace; give such a member's email, or null for nobody"
        )
    return member


def _outcome(case: Case, name: str, errors: dict[str, str]) -> Outcome | None:
    outcomes = list(Outcome.objects.filter(workspace_id=case.workspace_id, is_active=True))
    for outcome in outcomes:
        if outcome.name.casefold() == name.strip().casefold():
            return outcome
    known = ", ".join(outcome.name for outcome in outcomes) or "none"
    errors["outcome"] = f"unknown outcome {name!r}; this workspace's outcomes: {known}, or null"
    return None
