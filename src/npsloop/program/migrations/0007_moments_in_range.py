# Moments outside 1970-01-01 to 2100-01-01 (UTC): older versions stored them, and on
# PostgreSQL a BC one can't be read back. Mended first, then refused by the database.

import datetime

from django.db import migrations, models

import npsloop.moments


def mend(apps, schema_editor):
    npsloop.moments.bring_into_range(apps.get_model("program", "Release"), "released_at", clear=False)
    npsloop.moments.bring_into_range(apps.get_model("program", "Programme"), "one_off_at", clear=True)


class Migration(migrations.Migration):

    dependencies = [
        ('program', '0006_ask_opens_in_cache'),
    ]

    operations = [
        migrations.RunPython(mend, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='programme',
            name='one_off_at',
            field=models.DateTimeField(blank=True, null=True, validators=[npsloop.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name='release',
            name='released_at',
            field=models.DateTimeField(validators=[npsloop.moments.validate_moment]),
        ),
        migrations.AddConstraint(
            model_name='programme',
            constraint=models.CheckConstraint(condition=models.Q(('one_off_at__range', (datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)))), name='programme_one_off_in_range', violation_error_message='one_off_at must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, e.g. 2024-05-01T09:30:00Z'),
        ),
        migrations.AddConstraint(
            model_name='release',
            constraint=models.CheckConstraint(condition=models.Q(('released_at__range', (datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)))), name='release_time_in_range', violation_error_message='released_at must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, e.g. 2024-05-01T09:30:00Z'),
        ),
    ]
