"""Creating a workspace and changing its settings, and the server's admin account (members:
npsloop.workspaces.membership; API keys: npsloop.workspaces.keys)."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils.text import slugify

from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace, new_widget_secret


def create_workspace(name: str, *, time_zone: str = "UTC") -> Workspace:
    """Create a workspace with a unique slug made from its name."""
    name = name.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 200:
        errors["name"] = f"must be 1 to 200 characters, got {name!r}"
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = f"must be an IANA time zone like Europe/Berlin, got {time_zone!r}"
    if errors:
        raise InvalidInput(errors)
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Workspace.objects.create(name=name, slug=slug, time_zone=time_zone)


def ensure_admin(username: str, email: str, password: str) -> tuple[AbstractUser, bool]:
    """A staff superuser with this username and password, created or reset; and whether it
    was created."""
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = users(username=username)
    user.email = email
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return user, created


WORKSPACE_NUMBERS = {
    "cooldown_days": (0, 3650),
    "send_rate_per_minute": (1, 1_000_000),
    "anonymous_sample_percent": (0, 100),
    "widget_recheck_minutes": (0, 1440),
    "small_group_n": (1, 100_000),
}
MAX_BENCHMARKS = 10


def update_workspace(workspace: Workspace, changes: dict[str, object]) -> Workspace:
    """Change a workspace's settings, all or none; InvalidInput names every bad field."""
    errors: dict[str, str] = {}
    for field, value in changes.items():
        if field in WORKSPACE_NUMBERS:
            low, high = WORKSPACE_NUMBERS[field]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[field] = f"must be a whole number from {low} to {high}, got {value!r}"
        elif field == "require_identity":
            if not isinstance(value, bool):
                errors[field] = f"must be true or false, got {value!r}"
        elif field == "widget_origins":
            if not isinstance(value, str):
                errors[field] = "must be text: one origin per line"
            else:
                bad = [o for o in value.split() if not _is_origin(o)]
                if bad:
                    errors[field] = (
                        f"not an origin: {', '.join(bad)}; write scheme and host, with a port "
                        "if it isn't the default, e.g. https://app.example.com"
                    )
        elif field == "name":
            if not isinstance(value, str) or not 0 < len(value.strip()) <= 200:
                errors[field] = "must be 1 to 200 characters"
        elif field == "benchmarks":
            if problem := benchmark_problem(value):
                errors[field] = problem
        else:
            errors[field] = "can't be changed here"
    if errors:
        raise InvalidInput(errors)
    for field, value in changes.items():
        setattr(workspace, field, value.strip() if isinstance(value, str) else value)
    workspace.save()
    return workspace


def benchmark_problem(value: object) -> str | None:
    """What is wrong with a list of benchmarks, or None; None itself means the defaults."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_BENCHMARKS:
        return f"must be a list of at most {MAX_BENCHMARKS} benchmarks"
    for number, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) - {"name", "nps", "source"}:
            return f"benchmark {number}: must have a name, an nps and optionally a source"
        name, nps, source = item.get("name"), item.get("nps"), item.get("source", "")
        if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
            return f"benchmark {number}: the name must be 1 to 100 characters"
        if isinstance(nps, bool) or not isinstance(nps, int | float) or not -100 <= nps <= 100:
            return f"benchmark {number}: the NPS must be a number from -100 to 100, got {nps!r}"
        if not isinstance(source, str) or len(source) > 300:
            return f"benchmark {number}: the source must be text of at most 300 characters"
    return None


def rotate_widget_secret(workspace: Workspace) -> str:
    """A new secret for userHash; hashes made with the old one stop working at once."""
    workspace.widget_secret = new_widget_secret()
    workspace.save(update_fields=["widget_secret"])
    return workspace.widget_secret


def _is_origin(value: str) -> bool:
    parts = urlsplit(value.rstrip("/"))
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not parts.path
        and not parts.query
        and not parts.fragment
    )
