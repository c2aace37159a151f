"""Schemathesis over /api/v1/openapi.json: every operation against its own document.

Loaded from the WSGI application the production server runs (no network), with a real
key of a workspace that holds a survey, contacts and responses. Every check is on but
one: a 5xx, a status the document does not declare, a body, header or content type it
does not describe, a request it calls invalid that is accepted, a missing key that is
not a 401, a method it does not list that is not a 405 with Allow — each fails the test.

Left out, on purpose: positive_data_acceptance ("every request the document calls valid
is answered 2xx"). The document can't say that a survey id must name a survey of this
workspace, that `initial_min_days` must not exceed `initial_max_days`, that a cursor is
one this API handed out, or that a date-time lies in 1970-2100 in UTC; such requests are
rightly a 422 naming the field (tests/api/ checks those answers one by one).

The seed is fixed and the examples bounded, so each run sends the same requests and takes
about a minute on each database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from npsloop.contacts.fields import ContactData
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace
from npsloop.wsgi import application

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 21,
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture
def key(workspace: Workspace, survey: Survey) -> Iterator[str]:
    """A key of a workspace with a survey, contacts and their responses; the requests
    reach the test's database connection, as with Django's test client."""
    for n, score in enumerate((10, 8, 3)):
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                contact=ContactData(external_id=f"u-{n}", email=f"person{n}@example.com"),
                comment="fine" if n else "",
            ),
        )
    _, secret = create_api_key(workspace, "fuzz")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield secret
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# The workspace is made once per operation and kept across its examples, as a real
# server keeps its data across requests.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_its_document_says(case: Any, key: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"}, excluded_checks=[positive_data_acceptance]
    )
