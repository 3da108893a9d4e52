from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0008_site_require_otp"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("update", "Updated"),
                    ("delete", "Deleted"),
                    ("export", "Exported"),
                ],
                max_length=10,
            ),
        ),
    ]
