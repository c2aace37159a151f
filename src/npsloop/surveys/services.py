"""Creating surveys."""

from __future__ import annotations

import secrets

from django.utils.text import slugify

from npsloop.errors import InvalidInput
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace


def create_survey(
    workspace: Workspace, *, name: str, product_name: str, question: str = ""
) -> Survey:
    errors: dict[str, str] = {}
    for field, value, limit in (("name", name, 200), ("product_name", product_name, 200)):
        if not value.strip():
            errors[field] = "must not be empty"
        elif len(value) > limit:
            errors[field] = f"must be at most {limit} characters, got {len(value)}"
    if len(question) > 500:
        errors["question"] = f"must be at most 500 characters, got {len(question)}"
    if errors:
        raise InvalidInput(errors)
    return Survey.objects.create(
        workspace=workspace,
        name=name.strip(),
        slug=new_slug(name),
        product_name=product_name.strip(),
        question=question,
    )


def new_slug(name: str) -> str:
    """A readable, unguessable slug for the public link: the name plus random letters, so
    nobody can walk from one workspace's public survey to another's."""
    return f"{slugify(name)[:50] or 'survey'}-{secrets.token_hex(3)}"
