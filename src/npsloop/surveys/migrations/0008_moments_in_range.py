# Moments outside 1970-01-01 to 2100-01-01 (UTC): older versions stored them, and on
# PostgreSQL a BC one can't be read back. Mended first, then refused by the database.
# A response moved to the end of the range is counted on another day: the nightly
# rollup check (or `npsloop rollups rebuild`) recounts its workspace.

import datetime

import django.utils.timezone
from django.db import migrations, models

import npsloop.moments


def mend(apps, schema_editor):
    npsloop.moments.bring_into_range(apps.get_model("surveys", "Response"), "created_at", clear=False)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0007_fewer_indexes'),
    ]

    operations = [
        migrations.RunPython(mend, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='response',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, validators=[npsloop.moments.validate_moment]),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(('created_at__range', (datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)))), name='response_time_in_range', violation_error_message='created_at must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, e.g. 2024-05-01T09:30:00Z'),
        ),
    ]
