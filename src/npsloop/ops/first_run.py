"""The admin login `npsloop run --first-run-demo` creates, and what to tell about it later.

The first-run password is kept in NPSLOOP_HOME/admin-password (readable by its owner
only) so that every start can print it; once someone changes it, the file no longer
matches and npsloop says so instead of printing a password that doesn't work.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from npsloop.workspaces.configure import ensure_admin

ADMIN_USERNAME = "admin"


def password_file() -> Path:
    return Path(settings.HOME) / "admin-password"


def create_first_run_admin() -> AbstractUser:
    """The `admin` superuser with a random password written to the password file."""
    password = secrets.token_urlsafe(12)
    path = password_file()
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(password + "\n")
    user, _ = ensure_admin(ADMIN_USERNAME, "admin@localhost", password)
    return user


def admin_login_lines() -> list[str]:
    """What to print about signing in, true whatever happened since the first run."""
    path = password_file()
    user = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
    if path.exists() and user is not None:
        password = path.read_text().strip()
        if user.check_password(password):
            return [
                f"Sign in as:  {ADMIN_USERNAME} / {password}",
                f"             (the first-run password, kept in {path}; change it in the admin)",
            ]
        return [
            f"Sign in as:  {ADMIN_USERNAME} with the password you chose (it was changed after the",
            f"             first run, so the one in {path} no longer works)",
        ]
    if get_user_model().objects.filter(is_staff=True, is_active=True).exists():
        return ["Sign in with your staff account (`npsloop createadmin --email E` resets one)."]
    return ["No one can sign in yet: create an admin with `npsloop createadmin --email E`."]
