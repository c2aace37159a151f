"""Cases open for answers recorded from now on: on a server that already has answers, the
follower of answers starts after the last event of each workspace (not at the oldest one
kept, which would open and alert on 90 days of history at once)."""

from django.db import migrations
from django.db.models import Max


def start_at_end(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Cursor = apps.get_model("events", "Cursor")
    last = Event.objects.values("workspace_id").annotate(last=Max("id"))
    Cursor.objects.bulk_create(
        Cursor(name="cases", workspace_id=row["workspace_id"], position=row["last"])
        for row in last
    )


class Migration(migrations.Migration):
    dependencies = [("loop", "0001_cases"), ("events", "0002_loop_types_and_cursors")]
    operations = [migrations.RunPython(start_at_end, migrations.RunPython.noop)]
