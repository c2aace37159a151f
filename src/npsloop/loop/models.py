"""Closing the loop: cases (one per response that needs an answer from a person), the rules
that open them, the teams that own them and the outcomes they end with."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from npsloop.contacts.models import Account, Contact
from npsloop.surveys.models import Category, Response, Survey
from npsloop.workspaces.models import Member, Workspace


class CaseKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up"
    ADVOCACY = "advocacy", "Advocacy"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTACTED = "contacted", "Contacted"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed without contact"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class CaseSettings(models.Model):
    """How a workspace routes cases and counts their due time; made with the default rules
    and outcomes the first time anything of the loop is asked of the workspace."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="case_settings"
    )
    owner_property = models.CharField(
        max_length=100,
        blank=True,
        default="csm_email",
        help_text="The contact or account property that holds the owner's email address.",
    )
    default_owner = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    business_hours = models.BooleanField(
        default=False, help_text="Count due times in business hours of the workspace time zone."
    )
    # ISO weekdays, Monday 1 … Sunday 7.
    business_days = models.CharField(max_length=7, default="12345")
    day_starts = models.TimeField(default=time(9))
    day_ends = models.TimeField(default=time(17))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(day_starts__lt=models.F("day_ends")), name="case_day_starts_first"
            )
        ]

    def __str__(self) -> str:
        return f"case settings of {self.workspace_id}"


class Team(models.Model):
    """Members who share cases in turn (round robin)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(Member, related_name="teams", blank=True)
    # How many cases the team has been given: the next goes to member number turns % size.
    turns = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("workspace", Lower("name"), name="team_name_unique")]

    def __str__(self) -> str:
        return self.name


class CaseRule(models.Model):
    """Which answers open a case, and its kind, due time, priority and team. Rules are read
    in order and the first that matches decides; a survey with rules of its own uses those
    instead of the workspace's."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="case_rules")
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, null=True, blank=True, related_name="case_rules"
    )
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=100)
    categories = models.JSONField(help_text="promoter, passive and/or detractor")
    needs_comment = models.BooleanField(default=False)
    property_name = models.CharField(max_length=100, blank=True)
    property_value = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=CaseKind.choices, default=CaseKind.FOLLOW_UP)
    due_hours = models.PositiveIntegerField(default=48)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="rules"
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_hours__gte=1) & Q(due_hours__lte=24 * 90),
                name="case_rule_due_1h_to_90d",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    """How a case ended ("fixed", "explained", …): a list each workspace edits."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="outcomes")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="outcome_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """One response that a person of the workspace answers: its owner, status and due time."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="case")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    rule = models.ForeignKey(
        CaseRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    # The answer's category when the case opened, and now: a detractor who answers again
    # as a promoter keeps the case, marked recovered.
    opened_category = models.CharField(max_length=10, choices=Category.choices)
    category = models.CharField(max_length=10, choices=Category.choices)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    owner = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    due_at = models.DateTimeField()
    opened_at = models.DateTimeField()
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Resolved or closed.")
    status_changed_at = models.DateTimeField()
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The person's next answer to the same survey after the case opened, kept here when it
    # comes (loop/next_answers.py): the follow-up tab's recovery reads it without searching
    # every answer of every person.
    next_response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_score = models.PositiveSmallIntegerField(null=True, blank=True)
    next_answered_at = models.DateTimeField(null=True, blank=True)
    # When the case.overdue event was written (once per time the case fell behind).
    overdue_at = models.DateTimeField(null=True, blank=True)
    # Raised by every change: an edit made from an older version is refused (a conflict),
    # never silently written over another person's.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_known"
            ),
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="case_kind_known"),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="case_queue"),
            models.Index(fields=["workspace", "owner", "status"], name="case_owner"),
            models.Index(fields=["workspace", "opened_at"], name="case_opened"),
            # The inbox's queue of cases still to work (open or contacted), in due order:
            # its pages and its tab counts read this index alone (on PostgreSQL it carries
            # the owner, status and priority too), not the whole table of cases.
            models.Index(
                fields=["workspace", "due_at", "id"],
                name="case_working",
                condition=Q(status__in=["open", "contacted"]),
                include=["owner", "status", "priority"],
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.status})"

    @property
    def recovered(self) -> bool:
        """Opened for a detractor whose answer is now a promoter's."""
        return self.opened_category == Category.DETRACTOR and self.category == Category.PROMOTER

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.OPEN, CaseStatus.CONTACTED)


class ActivityKind(models.TextChoices):
    OPENED = "opened"
    ASSIGNED = "assigned"
    STATUS = "status"
    CHANGED = "changed"
    RESCORED = "rescored"
    NOTED = "noted"
    REPLIED = "replied"
    OVERDUE = "overdue"


class CaseActivity(models.Model):
    """One line of a case's history, kept as long as the case (the event log is pruned)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activity")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who, as shown: a member's name, "npsloop" for the rules, or an API key's name.
    actor_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="case_activity_time")]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


class MailStatus(models.TextChoices):
    """Where an alert email stands; the same path as an ask's (program/sending.py)."""

    WAITING = "waiting"  # to be sent at send_after (again, after a temporary refusal)
    CLAIMED = "claimed"  # a worker took it and has not handed it to the mail server yet
    SENDING = "sending"  # being handed over: if the worker dies now, nobody knows
    SENT = "sent"
    FAILED = "failed"  # refused for good, or too many temporary refusals
    UNKNOWN = "unknown"  # maybe delivered (broken hand-over): never sent again


class AlertMail(models.Model):
    """What an email waiting to be sent carries about its own sending: claimed with a
    conditional UPDATE, so any number of workers send each once."""

    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.WAITING)
    send_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class MorningSummary(AlertMail):
    """One member's morning email of a day (workspace time zone): their overdue cases and,
    for members who chose a daily summary, the cases that came to them since the last one."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="case_summaries")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="case_summary_once_a_day"),
            models.CheckConstraint(
                condition=Q(status__in=MailStatus.values), name="case_summary_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "send_after"], name="case_summary_queue")]

    def __str__(self) -> str:
        return f"summary of {self.day} for member {self.member_id} ({self.status})"


class Alert(AlertMail):
    """A member to be told of a case by email: its owner when it opens or comes to them, or
    whoever stands in for an owner while it has none. Made in the case's own transaction, so
    a case never opens without its alert. A member's alerts due together go in one email;
    `daily` ones wait for their morning summary instead."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="case_alerts_due")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    # Why this member: the case's owner, or stand-in for the owner of an unassigned case.
    reason = models.CharField(max_length=20)
    daily = models.BooleanField(default=False)
    summary = models.ForeignKey(
        MorningSummary, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )

    class Meta:
        constraints = [
            # Each member hears of a case once, however often it comes back to them.
            models.UniqueConstraint(fields=["member", "case"], name="case_alert_once"),
            models.CheckConstraint(
                condition=Q(status__in=MailStatus.values), name="case_alert_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "send_after"], name="case_alert_queue")]

    def __str__(self) -> str:
        return f"alert of case {self.case_id} for member {self.member_id} ({self.status})"
