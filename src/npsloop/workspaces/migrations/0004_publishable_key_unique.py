from django.db import migrations, models

import npsloop.workspaces.models


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0003_workspace_anonymous_sample_percent_and_more")]

    operations = [
        migrations.AlterField(
            model_name="workspace",
            name="publishable_key",
            field=models.CharField(
                default=npsloop.workspaces.models.new_publishable_key, max_length=40, unique=True
            ),
        ),
    ]
