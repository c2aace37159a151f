from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate, get_user_model

from npsloop.cli import main


def test_it_creates_a_staff_superuser_with_a_printed_password(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["createadmin", "--email", "Ops@Example.com"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Created the admin ops@example.com; password: ")
    password = out.strip().rsplit(" ", 1)[1]
    user = authenticate(username="ops@example.com", password=password)
    assert user is not None and user.is_staff and user.is_superuser


def test_it_resets_the_password_of_an_existing_admin(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["createadmin", "--email", "ops@example.com"])
    first = capsys.readouterr().out.strip().rsplit(" ", 1)[1]
    main(["createadmin", "--email", "ops@example.com"])
    out = capsys.readouterr().out
    assert out.startswith("Updated the admin ops@example.com")
    second = out.strip().rsplit(" ", 1)[1]
    assert authenticate(username="ops@example.com", password=first) is None
    assert authenticate(username="ops@example.com", password=second) is not None
    assert get_user_model().objects.count() == 1


def test_it_reads_the_password_from_stdin_without_printing_it(
    db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase 42\n"))
    main(["createadmin", "--email", "ops@example.com", "--password-stdin"])
    assert "a long passphrase" not in capsys.readouterr().out
    assert authenticate(username="ops@example.com", password="a long passphrase 42") is not None


def test_it_refuses_a_weak_password_from_stdin(
    db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    assert main(["createadmin", "--email", "ops@example.com", "--password-stdin"]) == 1
    assert "the password was refused: This password is too common." in capsys.readouterr().err
    assert not get_user_model().objects.exists()


def test_it_refuses_an_empty_stdin(
    db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["createadmin", "--email", "ops@example.com", "--password-stdin"]) == 1
    assert "standard input held no password" in capsys.readouterr().err


def test_it_refuses_something_that_is_not_an_email(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["createadmin", "--email", "admin"]) == 1
    assert "--email must be an email address like you@example.com, got 'admin'" in (
        capsys.readouterr().err
    )
    assert not get_user_model().objects.exists()
