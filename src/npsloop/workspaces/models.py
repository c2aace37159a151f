"""A workspace is one surveyed product or brand; everything else belongs to exactly one."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_publishable_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


def new_widget_secret() -> str:
    return secrets.token_hex(32)


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="IANA name; used for daily buckets and display."
    )
    cooldown_days = models.PositiveIntegerField(
        default=90,
        help_text=(
            "Nobody is asked again this many days after they were asked or answered, "
            "whatever the survey or channel. A survey may set its own."
        ),
    )
    send_rate_per_minute = models.PositiveIntegerField(
        default=1000, help_text="At most this many survey emails leave per minute."
    )
    # The in-app widget: a publishable key that may sit in any web page, the secret the
    # customer's backend signs user ids with, and who may embed it.
    publishable_key = models.CharField(max_length=40, unique=True, default=new_publishable_key)
    widget_secret = models.CharField(max_length=64, default=new_widget_secret)
    require_identity = models.BooleanField(
        default=False,
        help_text="Refuse widget requests for a user without a valid userHash.",
    )
    widget_origins = models.TextField(
        blank=True,
        help_text="Web origins allowed to embed the widget, one per line "
        "(e.g. https://app.example.com).",
    )
    anonymous_sample_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Share of anonymous visitors (per device) the widget may ask."
    )
    widget_recheck_minutes = models.PositiveSmallIntegerField(
        default=10,
        help_text=(
            "How long a browser keeps the widget's 'not now' before it asks the server again "
            "(at most; sooner when the person may be asked sooner). 0: it asks on every page."
        ),
    )
    # The dashboards: reference scores to compare with, and when a group is too small.
    benchmarks = models.JSONField(
        null=True,
        blank=True,
        help_text='[{"name": "SaaS average", "nps": 30, "source": "…"}]; empty: the defaults.',
    )
    small_group_n = models.PositiveIntegerField(
        default=30, help_text="Segments with fewer responses are marked unreliable."
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def allowed_origins(self) -> set[str]:
        return {line.strip().rstrip("/") for line in self.widget_origins.split() if line.strip()}


class Role(models.TextChoices):
    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class CaseAlerts(models.TextChoices):
    EVERY_CASE = "every", "Every case of mine"
    DETRACTORS = "detractors", "Only detractors"
    DAILY = "daily", "A daily summary"
    NONE = "none", "None"


class Member(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    digest = models.BooleanField(
        default=False,
        help_text="Email this member the workspace's NPS each Monday for the week before.",
    )
    # The Monday of the last week a digest was sent for: claimed before sending, so a
    # digest goes once however many workers run the hourly job.
    digest_sent_for = models.DateField(null=True, blank=True)
    case_alerts = models.CharField(
        max_length=10,
        choices=CaseAlerts.choices,
        default=CaseAlerts.EVERY_CASE,
        help_text="Which of the cases this member owns they are told of by email.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="member_once_per_workspace"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="member_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"


class LocalAccount(models.Model):
    """An account whose set-password link was shown to an admin of `workspace`, because the
    server could not email it. Whoever that admin passed the link to chose the password, so
    nothing proves the account belongs to whoever reads mail at its address: the members
    page never adds it to another workspace (a superuser can, after checking with the
    person, by deleting this mark in the admin)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="local_account",
    )
    # Kept when the workspace goes: its admins may still know the password.
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} (set up in {self.workspace or 'a deleted workspace'})"


class ApiKey(models.Model):
    """Only a hash of the secret is stored; the prefix lets people tell their keys apart."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"
