from __future__ import annotations

import pytest

from npsloop.cli import main
from npsloop.workspaces.models import Workspace


def test_it_prints_only_the_slug(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workspace", "create", "Acme Cloud", "--time-zone", "Europe/Berlin"]) == 0
    out = capsys.readouterr().out
    assert out == "acme-cloud\n"
    assert Workspace.objects.get(slug="acme-cloud").time_zone == "Europe/Berlin"


def test_it_gives_a_second_workspace_of_the_same_name_its_own_slug(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["workspace", "create", "Acme Cloud"])
    main(["workspace", "create", "Acme Cloud"])
    assert capsys.readouterr().out.split() == ["acme-cloud", "acme-cloud-2"]


def test_it_rejects_an_unknown_time_zone(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workspace", "create", "Acme", "--time-zone", "Mars/Olympus"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "must be an IANA time zone like Europe/Berlin, got 'Mars/Olympus'" in captured.err
    assert not Workspace.objects.exists()


def test_it_rejects_an_empty_name(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workspace", "create", "  "]) == 1
    assert "name: must be 1 to 200 characters" in capsys.readouterr().err
    assert not Workspace.objects.exists()


def test_it_requires_a_name(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["workspace", "create"])
    assert exit_.value.code == 2
    assert "the following arguments are required: name" in capsys.readouterr().err
