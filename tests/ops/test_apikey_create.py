from __future__ import annotations

import pytest

from npsloop.cli import main
from npsloop.workspaces.keys import authenticate_api_key
from npsloop.workspaces.models import ApiKey, Workspace


def test_it_prints_a_working_secret_once_and_stores_only_its_hash(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apikey", "create", "--workspace", workspace.slug, "--name", "crm"]) == 0
    captured = capsys.readouterr()
    secret = captured.out.strip()
    assert captured.out == secret + "\n"
    key = authenticate_api_key(secret)
    assert key is not None and key.workspace == workspace and key.name == "crm"
    assert "shown once and stored only as a hash" in captured.err
    assert secret not in captured.err
    assert not ApiKey.objects.filter(secret_hash=secret).exists()


def test_it_names_the_existing_workspaces_for_an_unknown_slug(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apikey", "create", "--workspace", "acme"]) == 1
    err = capsys.readouterr().err
    assert "no workspace with the slug 'acme'" in err
    assert "existing workspaces: acme-cloud" in err
    assert "npsloop workspace create NAME" in err
    assert not ApiKey.objects.exists()


def test_it_says_how_to_create_a_workspace_when_there_is_none(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apikey", "create", "--workspace", "acme"]) == 1
    assert "there are no workspaces yet" in capsys.readouterr().err


def test_it_requires_the_workspace(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["apikey", "create"])
    assert exit_.value.code == 2
    assert "--workspace" in capsys.readouterr().err
