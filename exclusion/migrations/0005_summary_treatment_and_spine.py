"""The activity summary gains treatment, response, CDAS components, prompts and the spine watch (issue 14).

Every existing summary is marked stale (its generation bumped), so the sweep recomputes it with them.
"""

from django.db import migrations, models
from django.db.models import F


def mark_stale(apps, schema_editor):
    summary = apps.get_model("exclusion", "ActivitySummary")
    summary.objects.update(dirty=F("dirty") + 1, stale=True)


class Migration(migrations.Migration):
    dependencies = [
        ("exclusion", "0004_review_loop"),
    ]

    operations = [
        migrations.AddField(
            model_name="activitysummary",
            name="treatment",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="activitysummary",
            name="response",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="activitysummary",
            name="cdas_components",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="activitysummary",
            name="prompts",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="activitysummary",
            name="spine",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(mark_stale, migrations.RunPython.noop),
    ]
