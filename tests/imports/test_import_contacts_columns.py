"""Which column fills which field: documented names, --map, and everything else as properties."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from npsloop.contacts.models import Contact
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]
Write = Callable[[str, str], Path]


def test_it_keeps_unknown_columns_as_contact_properties(
    workspace: Workspace, write: Write, run: Run
) -> None:
    run(
        "import_contacts",
        write("a.csv", "external_id,plan,Seats,region\nu1,pro,12,\n"),
        "--workspace",
        workspace.slug,
    )

    # From CSV every property is text; the empty region is simply not set.
    assert Contact.objects.get(workspace=workspace).properties == {"plan": "pro", "Seats": "12"}


def test_it_reads_documented_headers_in_any_case(
    workspace: Workspace, write: Write, run: Run
) -> None:
    run(
        "import_contacts",
        write("a.csv", "Email, Name \nann@x.io,Ann\n"),
        "--workspace",
        workspace.slug,
    )

    contact = Contact.objects.get(workspace=workspace)
    assert (contact.email, contact.name, contact.properties) == ("ann@x.io", "Ann", {})


def test_it_maps_other_headers_with_map_options(
    workspace: Workspace, write: Write, run: Run
) -> None:
    path = write("a.csv", "User ID,Full name,Tier,secret\nu1,Ann,gold,xyz\n")

    run(
        "import_contacts",
        path,
        "--workspace",
        workspace.slug,
        "--map",
        "User ID=external_id",
        "--map",
        "Full name=name",
        "--map",
        "Tier=property:plan",
        "--map",
        "secret=-",
    )

    contact = Contact.objects.get(workspace=workspace)
    assert (contact.external_id, contact.name, contact.properties) == (
        "u1",
        "Ann",
        {"plan": "gold"},
    )


def test_it_reads_a_property_named_like_a_field_from_a_prefixed_column(
    workspace: Workspace, write: Write, run: Run
) -> None:
    run(
        "import_contacts",
        write("a.csv", "external_id,name,property:name\nu1,Ann,nickname\n"),
        "--workspace",
        workspace.slug,
    )

    contact = Contact.objects.get(workspace=workspace)
    assert (contact.name, contact.properties) == ("Ann", {"name": "nickname"})
