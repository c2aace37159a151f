"""Responses remember the programme wave that asked them, and the rollups count by wave."""

from collections import Counter
from zoneinfo import ZoneInfo

from django.db import migrations, models


def waves_from_asks(apps, schema_editor):
    """Responses given through an ask take the ask's wave; the rollups of the workspaces
    concerned are then recounted, so they count those responses in their wave."""
    SurveyRequest = apps.get_model("program", "SurveyRequest")
    Response = apps.get_model("surveys", "Response")
    ScoreDay = apps.get_model("surveys", "ScoreDay")
    Workspace = apps.get_model("workspaces", "Workspace")
    answered = SurveyRequest.objects.filter(response__isnull=False, wave__isnull=False)
    touched = set()
    for response_id, wave, workspace_id in answered.values_list(
        "response_id", "wave", "workspace_id"
    ).iterator():
        Response.objects.filter(pk=response_id).update(wave=wave)
        touched.add(workspace_id)
    for workspace in Workspace.objects.filter(pk__in=touched):
        zone = ZoneInfo(workspace.time_zone)
        counts = Counter()
        rows = Response.objects.filter(workspace=workspace).values_list(
            "survey_id", "created_at", "channel", "wave", "score"
        )
        for survey_id, created_at, channel, wave, score in rows.iterator():
            counts[(survey_id, created_at.astimezone(zone).date(), channel, wave or 0, score)] += 1
        ScoreDay.objects.filter(workspace=workspace).delete()
        ScoreDay.objects.bulk_create(
            ScoreDay(workspace=workspace, survey_id=s, day=d, channel=c, wave=w, score=x, count=n)
            for (s, d, c, w, x), n in counts.items()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_survey_dismiss_days_survey_in_app_survey_targeting_and_more"),
        ("workspaces", "0004_publishable_key_unique"),
        ("program", "0006_ask_opens_in_cache"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="scoreday",
            name="scoreday_unique",
        ),
        migrations.AddField(
            model_name="response",
            name="wave",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The programme wave that asked (1 = initial); empty: none.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="scoreday",
            name="wave",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="scoreday",
            constraint=models.UniqueConstraint(
                fields=("survey", "day", "channel", "wave", "score"), name="scoreday_unique"
            ),
        ),
        migrations.RunPython(waves_from_asks, migrations.RunPython.noop),
    ]
