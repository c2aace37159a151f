"""Who is asked when: releases (major ones hold asks back) and asks (SurveyRequest)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from npsloop.contacts.models import Contact
from npsloop.moments import ACCEPTED, in_range, validate_moment
from npsloop.workspaces.models import Workspace


class Release(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="releases")
    name = models.CharField(max_length=200)
    released_at = models.DateTimeField(validators=[validate_moment])
    major = models.BooleanField(
        default=False, help_text="A major change (API, UI or CLI) that may move the score."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "released_at"], name="release_time")]
        constraints = [
            models.CheckConstraint(
                condition=in_range("released_at"),
                name="release_time_in_range",
                violation_error_message=f"released_at must be {ACCEPTED}",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AskStatus(models.TextChoices):
    SCHEDULED = "scheduled", "scheduled"
    # A worker took it into a batch; nothing has been handed to the mail server yet, so a
    # worker that dies now leaves it safe to send again.
    CLAIMED = "claimed", "claimed"
    # Handed to the mail server and no answer yet. If the worker dies here nobody knows
    # whether the email left: the ask becomes UNKNOWN and is reported, never re-sent.
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    RESPONDED = "responded", "responded"
    FAILED = "failed", "failed"
    UNKNOWN = "unknown", "outcome unknown"
    CANCELLED = "cancelled", "cancelled"
    # An in-app ask dismissed more often than the survey lets it return.
    EXPIRED = "expired", "expired"


PENDING_STATUSES = (AskStatus.SCHEDULED, AskStatus.CLAIMED, AskStatus.SENDING)


class SurveyRequest(models.Model):
    """One ask: a contact asked one survey on one channel, from the moment it is due until
    it is answered, fails, or is cancelled. Its token is the secret in every link."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="asks")
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="asks",
        help_text="Empty for an anonymous visitor of the widget, known by their device.",
    )
    device = models.CharField(max_length=64, blank=True, db_index=True)
    channel = models.CharField(max_length=10)
    wave = models.PositiveSmallIntegerField(null=True, blank=True)
    token = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=10, choices=AskStatus.choices, default=AskStatus.SCHEDULED)
    due_at = models.DateTimeField()
    claim = models.CharField(max_length=32, blank=True, help_text="Which batch holds it.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="The first email.")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    remind_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    provider_message_id = models.CharField(
        max_length=255, blank=True, db_index=True, help_text="The email provider's id, if any."
    )
    error = models.TextField(blank=True, help_text="Why it failed, was cancelled or is unknown.")
    response = models.OneToOneField(
        "surveys.Response", on_delete=models.SET_NULL, null=True, blank=True, related_name="ask"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    dismissals = models.PositiveSmallIntegerField(default=0)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    displayed_at = models.DateTimeField(null=True, blank=True, help_text="The last display.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Two schedulers racing for one contact: the database lets only one win.
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status="scheduled"),
                name="ask_one_scheduled_per_contact",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AskStatus.values), name="ask_status_known"
            ),
            # Two browser tabs checking at once open one widget ask, not two.
            models.UniqueConstraint(
                fields=["contact", "survey"],
                condition=models.Q(channel="in-app", status="sent"),
                name="ask_one_open_in_app_per_contact",
            ),
            models.UniqueConstraint(
                fields=["device", "survey"],
                condition=models.Q(channel="in-app", status="sent", contact__isnull=True),
                name="ask_one_open_in_app_per_device",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="ask_due"),
            models.Index(fields=["status", "remind_at"], name="ask_remind"),
            models.Index(fields=["contact", "sent_at"], name="ask_contact_sent"),
            models.Index(fields=["workspace", "survey", "created_at"], name="ask_survey_time"),
        ]

    def __str__(self) -> str:
        return f"ask {self.pk} ({self.status}) of {self.contact_id} for survey {self.survey_id}"

    @property
    def person(self) -> Contact:
        """The contact of an ask that has one: every email ask, every identified widget ask.
        Callers check `contact_id` first where an anonymous widget ask can reach them."""
        contact = self.contact
        if contact is None:
            raise ValueError(f"ask {self.pk} belongs to an anonymous visitor")
        return contact


def default_channels() -> list[str]:
    return ["email"]


class ProgrammeKind(models.TextChoices):
    LIFECYCLE = "lifecycle", "lifecycle: after signup, moment of truth, +90 days, then quarterly"
    RECURRING = "recurring", "every N days for contacts with tenure of at least M days"
    ONE_OFF = "one_off", "one wave to the targeted contacts"


class Programme(models.Model):
    """When a survey's contacts are asked. The planner turns it into asks; nothing is
    asked until a team switches it on."""

    survey = models.OneToOneField(
        "surveys.Survey", on_delete=models.CASCADE, related_name="programme"
    )
    enabled = models.BooleanField(default=False)
    kind = models.CharField(
        max_length=10, choices=ProgrammeKind.choices, default=ProgrammeKind.LIFECYCLE
    )
    # lifecycle
    initial_min_days = models.PositiveSmallIntegerField(default=7)
    initial_max_days = models.PositiveSmallIntegerField(default=14)
    second_min_days = models.PositiveSmallIntegerField(default=30)
    second_max_days = models.PositiveSmallIntegerField(default=90)
    third_days = models.PositiveSmallIntegerField(default=90)
    # lifecycle (after the third wave) and recurring
    every_days = models.PositiveSmallIntegerField(default=90)
    # recurring
    min_tenure_days = models.PositiveSmallIntegerField(default=90)
    # one-off
    one_off_at = models.DateTimeField(null=True, blank=True, validators=[validate_moment])
    # who and how many
    sample_percent = models.PositiveSmallIntegerField(default=100)
    daily_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many asks a day; empty: no cap."
    )
    daily_cap_percent = models.FloatField(
        null=True, blank=True, help_text="Or at most this percentage of eligible contacts a day."
    )
    account_cap_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At most this many contacts of one account a week."
    )
    blackout_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after a major release in which nobody is asked."
    )
    channels = models.JSONField(
        default=default_channels, help_text='In order of preference, e.g. ["in-app", "email"].'
    )
    fallback_days = models.PositiveSmallIntegerField(
        default=7, help_text="An in-app ask not shown within this many days goes by email."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=in_range("one_off_at"),
                name="programme_one_off_in_range",
                violation_error_message=f"one_off_at must be {ACCEPTED}",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} programme of survey {self.survey_id}"
