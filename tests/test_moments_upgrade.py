"""Moments an older version stored outside 1970-01-01 to 2100-01-01 are repaired on upgrade,
and from then on the database itself refuses them.

On PostgreSQL a year-1 moment with a positive offset is stored as a BC timestamp that
psycopg can't read back: one such row made every page, list and export that touched it
answer 500. SQLite can hold year 1 in UTC, which pages then can't convert to a zone west
of Greenwich.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from api_client import ApiClient
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.program.models import Programme, Release
from npsloop.program.programmes import programme_of
from npsloop.program.releases import create_release
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Response
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.keys import create_api_key

# The last migrations before the moments were checked by the database.
BEFORE = [
    ("contacts", "0001_initial"),
    ("program", "0006_ask_opens_in_cache"),
    ("surveys", "0007_fewer_indexes"),
]
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def too_early() -> str:
    """What an older version could store: BC on PostgreSQL, year 1 on SQLite."""
    return (
        "0001-01-01T00:00:00+01:00" if connection.vendor == "postgresql" else "0001-01-01 00:00:00"
    )


def too_late() -> str:
    return (
        "9999-12-31T23:00:00-05:00" if connection.vendor == "postgresql" else "9999-12-31 23:00:00"
    )


def store(table: str, column: str, value: str, pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def older_version(transactional_db: None) -> Iterator[None]:
    """The database as the version before the check left it; upgraded again afterwards,
    whatever the test did."""
    migrate(BEFORE)
    try:
        yield
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_upgrade_repairs_moments_an_older_version_stored(
    older_version: None, tmp_path: Path
) -> None:
    workspace = create_workspace("Acme Cloud", time_zone="America/New_York")
    survey = create_survey(workspace, name="NPS", product_name="Acme")
    ann = upsert_contact(workspace, ContactData(external_id="ann", email="ann@x.io")).contact
    bob = upsert_contact(workspace, ContactData(external_id="bob", email="bob@x.io")).contact
    fine = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    kim = upsert_contact(workspace, ContactData(external_id="kim", signed_up_at=fine)).contact
    answer = record_response(workspace, ResponseData(survey=survey, score=9, contact=ann))
    release = create_release(workspace, name="v1", released_at=fine)
    programme = programme_of(survey)
    store("contacts_contact", "signed_up_at", too_early(), ann.pk)
    store("contacts_contact", "unsubscribed_at", too_early(), ann.pk)
    store("contacts_contact", "signed_up_at", too_late(), bob.pk)
    store("contacts_contact", "bounced_at", too_late(), bob.pk)
    store("surveys_response", "created_at", too_early(), answer.response.pk)
    store("program_release", "released_at", too_late(), release.pk)
    store("program_programme", "one_off_at", too_early(), programme.pk)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # Unknown again where empty means "unknown"; at the nearest end of the range where a
    # value must stay (an unsubscribe is still an unsubscribe).
    assert Contact.objects.get(pk=ann.pk).signed_up_at is None
    assert Contact.objects.get(pk=ann.pk).unsubscribed_at == EARLIEST
    assert Contact.objects.get(pk=bob.pk).signed_up_at is None
    assert Contact.objects.get(pk=bob.pk).bounced_at == LATEST
    assert Contact.objects.get(pk=kim.pk).signed_up_at == fine
    assert Response.objects.get().created_at == EARLIEST
    assert Release.objects.get().released_at == LATEST
    assert Programme.objects.get().one_off_at is None
    every_reader_answers(workspace.slug, create_api_key(workspace, "t")[1], tmp_path)


def every_reader_answers(slug: str, secret: str, folder: Path) -> None:
    api = ApiClient(secret)
    for path in (
        "/api/v1/contacts",
        "/api/v1/contacts/ann",
        "/api/v1/responses",
        "/api/v1/releases",
    ):
        assert api.get(path).status_code == 200, path
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-1234-x")
    browser = Client()
    browser.force_login(staff)
    for page in (
        f"/w/{slug}/responses/",
        f"/w/{slug}/segments/?by=signup_month&period=custom&since=1970-01-01&until=1979-12-31",
        f"/w/{slug}/trend/",
        f"/w/{slug}/cohorts/",
        "/admin/contacts/contact/",
        f"/admin/contacts/contact/{Contact.objects.get(external_id='ann').pk}/change/",
        "/admin/program/release/",
        "/admin/surveys/response/",
    ):
        assert browser.get(page).status_code == 200, page
    call_command("export", "--workspace", slug, "--out", str(folder), stdout=StringIO())
    # The contact can be edited and erased again.
    assert api.put("/api/v1/contacts/ann", {"name": "Ann Lee"}).status_code == 200
    assert api.delete("/api/v1/contacts/ann").status_code == 200


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("contacts_contact", "signed_up_at"),
        ("contacts_contact", "unsubscribed_at"),
        ("contacts_contact", "bounced_at"),
        ("surveys_response", "created_at"),
        ("program_release", "released_at"),
        ("program_programme", "one_off_at"),
    ],
)
def test_the_database_refuses_a_moment_outside_the_range(db: None, table: str, column: str) -> None:
    workspace = create_workspace("Acme Cloud")
    survey = create_survey(workspace, name="NPS", product_name="Acme")
    ann = upsert_contact(workspace, ContactData(external_id="ann")).contact
    rows = {
        "contacts_contact": ann.pk,
        "surveys_response": record_response(
            workspace, ResponseData(survey=survey, score=9)
        ).response.pk,
        "program_release": create_release(workspace, name="v1", released_at=EARLIEST).pk,
        "program_programme": programme_of(survey).pk,
    }
    for value in (too_early(), too_late()):
        with pytest.raises(IntegrityError), transaction.atomic():
            store(table, column, value, rows[table])
