"""People who are asked (contacts) and the customer companies they belong to (accounts)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from npsloop.moments import ACCEPTED, in_range, validate_moment
from npsloop.workspaces.models import Workspace


class Account(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="accounts")
    external_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="account_external_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.external_id


class Contact(models.Model):
    """A person. Identified by the customer's own id, by email, or both (never neither)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    external_id = models.CharField(max_length=200, null=True, blank=True)
    email = models.EmailField(max_length=254, null=True, blank=True)
    name = models.CharField(max_length=200, blank=True)
    locale = models.CharField(max_length=35, blank=True)
    signed_up_at = models.DateTimeField(null=True, blank=True, validators=[validate_moment])
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    properties = models.JSONField(default=dict, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True, validators=[validate_moment])
    bounced_at = models.DateTimeField(null=True, blank=True, validators=[validate_moment])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="contact_external_id_unique",
            ),
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(email__isnull=False),
                name="contact_email_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(external_id__isnull=False) | models.Q(email__isnull=False),
                name="contact_has_identity",
            ),
            models.CheckConstraint(
                condition=in_range("signed_up_at", "unsubscribed_at", "bounced_at"),
                name="contact_moments_in_range",
                violation_error_message=f"dates must be {ACCEPTED}",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "updated_at"], name="contact_updated")]

    def __str__(self) -> str:
        return self.email or self.external_id or f"contact {self.pk}"
