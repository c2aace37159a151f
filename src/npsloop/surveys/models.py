"""Survey definitions, the responses to them, the daily score histograms (rollups), and
the tags and notes a workspace puts on responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from npsloop.contacts.models import Account, Contact
from npsloop.moments import ACCEPTED, in_range, validate_moment
from npsloop.workspaces.models import Workspace

STANDARD_QUESTION = "How likely are you to recommend {product} to a friend or colleague?"


class Channel(models.TextChoices):
    EMAIL = "email"
    IN_APP = "in-app"
    LINK = "link"
    OTHER = "other"


# Channel.values builds its list anew at each use; every response recorded asks.
_CHANNELS = frozenset(Channel.values)


def unknown_channel(value: str) -> str | None:
    """What is wrong with a channel name, or None when it is one of ours."""
    if value in _CHANNELS:
        return None
    return f"must be one of {', '.join(Channel.values)}, got {value!r}"


class Category(models.TextChoices):
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


class CtaAudience(models.TextChoices):
    PROMOTERS = "promoters"
    EVERYONE = "everyone"


class WidgetPosition(models.TextChoices):
    BOTTOM_RIGHT = "bottom-right"
    BOTTOM_LEFT = "bottom-left"
    TOP_RIGHT = "top-right"
    TOP_LEFT = "top-left"


class Survey(models.Model):
    """What is asked and how: the texts in every language, the extra questions after the
    reason, the thank-you and call to action, the email's sender, and the ask timing."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="surveys")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="The public link is /s/<slug>.")
    product_name = models.CharField(max_length=200)
    question = models.CharField(
        max_length=500, blank=True, help_text="Leave empty for the standard question."
    )
    language = models.CharField(
        max_length=8, default="en", help_text="For contacts whose locale we don't speak."
    )
    texts = models.JSONField(
        default=dict, blank=True, help_text="Custom wording: {language: {text name: wording}}."
    )
    extra_questions = models.JSONField(
        default=list, blank=True, help_text="Asked after the reason; see docs/surveys.md."
    )
    cta_url = models.URLField(blank=True, help_text="e.g. a review site or a referral page.")
    cta_audience = models.CharField(
        max_length=10, choices=CtaAudience.choices, default=CtaAudience.PROMOTERS
    )
    sender_name = models.CharField(max_length=100, blank=True)
    sender_email = models.EmailField(blank=True, help_text="Empty: the server's default sender.")
    reply_to = models.EmailField(blank=True)
    cooldown_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: the workspace's cooldown."
    )
    reminders = models.PositiveSmallIntegerField(
        default=1, help_text="Reminders (0-2) to contacts who have not answered."
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days after the last email before a reminder."
    )
    edit_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days during which a respondent may change their answers."
    )
    in_app = models.BooleanField(default=True, help_text="The widget may ask this survey.")
    widget_position = models.CharField(
        max_length=12, choices=WidgetPosition.choices, default=WidgetPosition.BOTTOM_RIGHT
    )
    widget_event = models.CharField(
        max_length=100,
        blank=True,
        help_text="Shown only after this event (npsloop('event', name)); empty: on any page.",
    )
    targeting = models.JSONField(
        default=dict,
        blank=True,
        help_text='Who may be asked: {"properties": {"role": "admin"}, "min_tenure_days": 30}.',
    )
    dismiss_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days before a dismissed widget survey returns."
    )
    widget_returns = models.PositiveSmallIntegerField(
        default=2, help_text="How often a dismissed widget survey returns before it expires."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(reminders__lte=2), name="survey_reminders_0_to_2"),
            models.CheckConstraint(
                condition=Q(cta_audience__in=CtaAudience.values), name="survey_cta_audience_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_cooldown_days(self) -> int:
        if self.cooldown_days is not None:
            return self.cooldown_days
        return self.workspace.cooldown_days

    @property
    def question_text(self) -> str:
        return self.question or STANDARD_QUESTION.format(product=self.product_name)


class Response(models.Model):
    """One person's answer. The score and category are enforced by the database too."""

    # Not indexed alone: every index of the table below starts with the workspace, and each
    # index is written on every response stored.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    score = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=10, choices=Category.choices)
    comment = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.OTHER)
    wave = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The programme wave that asked (1 = initial); empty: none."
    )
    properties = models.JSONField(
        default=dict, blank=True, help_text="The contact's properties when they answered."
    )
    key = models.CharField(
        max_length=200,
        help_text=(
            "Unique within the workspace: the client's Idempotency-Key, an import row's key, "
            "or generated. Retries and re-imports with the same key change nothing."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now, validators=[validate_moment])
    updated_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person's data was erased; the score remains."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=10), name="response_score_0_to_10"
            ),
            models.CheckConstraint(
                condition=(
                    Q(score__gte=9, category="promoter")
                    | Q(score__gte=7, score__lte=8, category="passive")
                    | Q(score__lte=6, category="detractor")
                ),
                name="response_category_matches_score",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="response_channel_known"
            ),
            models.CheckConstraint(
                condition=in_range("created_at"),
                name="response_time_in_range",
                violation_error_message=f"created_at must be {ACCEPTED}",
            ),
            models.UniqueConstraint(fields=["workspace", "key"], name="response_key_unique"),
        ]
        indexes = [
            models.Index(fields=["workspace", "survey", "created_at"], name="response_survey_time"),
            models.Index(fields=["workspace", "created_at"], name="response_time"),
            models.Index(fields=["workspace", "account", "score"], name="response_account_score"),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.category}) on {self.survey_id}"


class ScoreDay(models.Model):
    """How many responses of one score a survey got on one channel in one wave on one day.

    A day is a calendar day in the workspace's time zone. Histograms add, so any
    period's NPS is a sum of these rows: dashboards stay fast at any volume.
    """

    # Not indexed alone: scoreday_workspace_day and scoreday_unique start with them.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # 0 for responses that no programme wave asked for: a NULL would make the unique
    # constraint below let duplicates through.
    wave = models.PositiveSmallIntegerField(default=0)
    day = models.DateField()
    score = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "day", "channel", "wave", "score"], name="scoreday_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="scoreday_count_positive"),
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="scoreday_workspace_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} score {self.score}: {self.count}"


class Tag(models.Model):
    """A label a workspace puts on responses ("pricing", "onboarding"), case or not."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("workspace", Lower("name"), name="tag_name_unique")]

    def __str__(self) -> str:
        return self.name


class ResponseTag(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="response_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "tag"], name="response_tag_once")
        ]
        indexes = [models.Index(fields=["tag", "response"], name="response_tag_by_tag")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.response_id}"


class Note(models.Model):
    """What someone of the workspace wrote about a response (Markdown, shown rendered safely).
    The author's name is kept as written, so a note outlives its author's account."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["response", "created_at"], name="note_by_response")]

    def __str__(self) -> str:
        return f"note on {self.response_id} by {self.author_name}"
