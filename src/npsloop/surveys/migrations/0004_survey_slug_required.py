from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_survey_cooldown_days_survey_cta_audience_and_more")]

    operations = [
        migrations.AlterField(
            model_name="survey",
            name="slug",
            field=models.SlugField(
                help_text="The public link is /s/<slug>.", max_length=80, unique=True
            ),
        ),
    ]
