from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_apitoken_site"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="require_otp",
            field=models.BooleanField(
                default=False,
                help_text="Ask everyone at this site for a one-time password after their password.",
            ),
        ),
    ]
