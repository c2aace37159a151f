"""Who is asked when. Releases come first: major ones will hold asks back for a while."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from npsloop.workspaces.models import Workspace


class Release(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="releases")
    name = models.CharField(max_length=200)
    released_at = models.DateTimeField()
    major = models.BooleanField(
        default=False, help_text="A major change (API, UI or CLI) that may move the score."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "released_at"], name="release_time")]

    def __str__(self) -> str:
        return self.name
