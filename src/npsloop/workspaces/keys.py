"""A workspace's API keys: created (the secret shown once, only its hash kept), checked on
every API request, revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from npsloop.memory import Memory
from npsloop.workspaces.models import ApiKey, Workspace

KEY_PREFIX = "nps_"
# Writing last_used_at on every request would turn each read into a write; a minute is
# precise enough to tell which keys are in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    # Keys are 190 random bits, so a fast hash is safe; a slow one would cost every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(workspace: Workspace, name: str = "") -> tuple[ApiKey, str]:
    """Create a key; the secret is returned once and only its hash is kept."""
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
    key = ApiKey.objects.create(
        workspace=workspace, name=name, prefix=prefix, secret_hash=hash_secret(secret)
    )
    return key, secret


# A process remembers a key it has checked for a few seconds, as it is (not pickled, as
# Django's local-memory cache would): on the API's busiest request the look-up was a
# quarter of the work of recording a response, and unpickling the remembered key and its
# workspace a third of what remained. Revoking a key therefore takes effect within
# KEY_MEMORY seconds everywhere, and at once in the process that revoked it. The key and
# its workspace are shared by the process's threads: callers only read them.
KEY_MEMORY = 5.0
_KEYS = Memory(size=1_000)


def authenticate_api_key(secret: str) -> ApiKey | None:
    """The live key with this secret (its workspace loaded), or None."""
    if not secret.startswith(KEY_PREFIX):
        return None
    digest = hash_secret(secret)
    remembered: ApiKey | None = _KEYS.get(digest)
    if remembered is not None:
        return remembered
    key = (
        ApiKey.objects.select_related("workspace")
        .filter(secret_hash=digest, revoked_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    _KEYS.set(digest, key, KEY_MEMORY)
    return key


def revoke_api_key(key: ApiKey) -> None:
    """Stop a key from working (in other processes within KEY_MEMORY seconds)."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _KEYS.forget(key.secret_hash)
