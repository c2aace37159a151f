"""Event: one change, written by the change's owner in the change's own transaction."""

from __future__ import annotations

from django.db import models

from npsloop.workspaces.models import Workspace


class EventType(models.TextChoices):
    RESPONSE_CREATED = "response.created"
    RESPONSE_UPDATED = "response.updated"
    CONTACT_UNSUBSCRIBED = "contact.unsubscribed"
    CONTACT_RESUBSCRIBED = "contact.resubscribed"
    CONTACT_BOUNCED = "contact.bounced"
    ASK_SENT = "ask.sent"
    ASK_FAILED = "ask.failed"
    RESPONSE_TAGGED = "response.tagged"
    RESPONSE_NOTED = "response.noted"
    CASE_OPENED = "case.opened"
    CASE_ASSIGNED = "case.assigned"
    CASE_STATUS_CHANGED = "case.status_changed"
    CASE_UPDATED = "case.updated"
    CASE_REPLIED = "case.replied"
    CASE_OVERDUE = "case.overdue"


class Event(models.Model):
    """What happened, to which rows, shaped for the outside world (``data``).

    The ids it concerns are plain numbers, not foreign keys: the log outlives the rows
    (an erased contact, a deleted survey) and must never block their deletion. The id
    only grows, so a reader that remembers the last id it saw misses nothing.
    """

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    type = models.CharField(max_length=40, choices=EventType.choices)
    response_id = models.BigIntegerField(null=True, blank=True)
    contact_id = models.BigIntegerField(null=True, blank=True)
    ask_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField()
    created_at = models.DateTimeField()
    # The writing transaction's id on PostgreSQL (a column default: pg_current_xact_id()),
    # 0 on SQLite. Readers list events by (txid, id) and only those of transactions that
    # have ended, so an event committed late never lands behind a follower's position.
    txid = models.BigIntegerField(db_default=0, editable=False)

    class Meta:
        # Each index is written on every response recorded: the feed's, and the contact's
        # for erasure. A type filter reads the feed's index; pruning walks the ids.
        indexes = [
            models.Index(fields=["workspace", "txid", "id"], name="event_feed"),
            models.Index(
                fields=["contact_id"],
                name="event_contact",
                condition=models.Q(contact_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class Cursor(models.Model):
    """How far one follower of the log (opening cases, a webhook, …) has read in one
    workspace: the id of the last event it handled."""

    name = models.CharField(max_length=60)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "workspace"], name="cursor_once_per_follower")
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.position} in {self.workspace_id}"
