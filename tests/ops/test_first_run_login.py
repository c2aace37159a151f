from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from pytest_django.fixtures import Settings

from npsloop.ops.first_run import admin_login_lines, create_first_run_admin


@pytest.fixture
def home(settings: Settings, tmp_path: Path) -> Path:
    settings.HOME = tmp_path
    return tmp_path


def test_it_prints_the_first_run_password_while_it_works(db: None, home: Path) -> None:
    create_first_run_admin()
    password = (home / "admin-password").read_text().strip()
    assert authenticate(username="admin", password=password) is not None
    assert admin_login_lines()[0] == f"Sign in as:  admin / {password}"
    assert (home / "admin-password").stat().st_mode & 0o777 == 0o600


def test_it_says_so_once_the_password_was_changed(db: None, home: Path) -> None:
    admin = create_first_run_admin()
    old = (home / "admin-password").read_text().strip()
    admin.set_password("something new and long")
    admin.save()
    lines = " ".join(admin_login_lines())
    assert old not in lines
    assert "with the password you chose" in lines
    assert f"the one in {home / 'admin-password'} no longer works" in lines


def test_it_points_to_createadmin_when_no_one_can_sign_in(db: None, home: Path) -> None:
    assert admin_login_lines() == [
        "No one can sign in yet: create an admin with `npsloop createadmin --email E`."
    ]


def test_it_points_to_the_staff_accounts_that_exist(db: None, home: Path) -> None:
    get_user_model().objects.create_superuser("ops@example.com", "ops@example.com", "x" * 14)
    assert admin_login_lines()[0].startswith("Sign in with your staff account")
