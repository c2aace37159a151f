# Moments outside 1970-01-01 to 2100-01-01 (UTC): older versions stored them, and on
# PostgreSQL a BC one can't be read back. Mended first, then refused by the database.

import datetime

from django.db import migrations, models

import npsloop.moments


def mend(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    npsloop.moments.bring_into_range(Contact, "signed_up_at", clear=True)
    npsloop.moments.bring_into_range(Contact, "unsubscribed_at", clear=False)
    npsloop.moments.bring_into_range(Contact, "bounced_at", clear=False)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(mend, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='contact',
            name='bounced_at',
            field=models.DateTimeField(blank=True, null=True, validators=[npsloop.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name='contact',
            name='signed_up_at',
            field=models.DateTimeField(blank=True, null=True, validators=[npsloop.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name='contact',
            name='unsubscribed_at',
            field=models.DateTimeField(blank=True, null=True, validators=[npsloop.moments.validate_moment]),
        ),
        migrations.AddConstraint(
            model_name='contact',
            constraint=models.CheckConstraint(condition=models.Q(('signed_up_at__range', (datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), ('unsubscribed_at__range', (datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), ('bounced_at__range', (datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)))), name='contact_moments_in_range', violation_error_message='dates must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, e.g. 2024-05-01T09:30:00Z'),
        ),
    ]
