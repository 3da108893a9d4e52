"""Bind every API token to one site (a token acts only there, with its user's role at that site).

Existing tokens are bound to the site of their user's first membership (lowest membership id). If the user
belongs to more than one site, which site the token was meant for is ambiguous, so the token is also
revoked: it keeps working nowhere rather than at a site nobody chose (mint a new one at the intended site).
A token whose user has no membership could never see anything; it cannot be bound and is deleted.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def bind_tokens_to_a_site(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("patients", "ApiToken")
    SiteMembership = apps.get_model("patients", "SiteMembership")
    sites_of: dict[int, list[int]] = {}
    for user_id, site_id in SiteMembership.objects.order_by("id").values_list("user_id", "site_id"):
        sites_of.setdefault(user_id, []).append(site_id)
    now = timezone.now()
    for token in ApiToken.objects.all():
        sites = sites_of.get(token.user_id, [])
        if not sites:
            token.delete()
            continue
        token.site_id = sites[0]
        if len(sites) > 1 and token.revoked_at is None:
            token.revoked_at = now  # ambiguous: revoked (see the module docstring)
        token.save(update_fields=["site", "revoked_at"])
    if schema_editor.connection.vendor == "postgresql":
        # Run the deferred foreign-key checks of these updates now: PostgreSQL refuses the ALTER TABLE below
        # while they are pending in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_episode_whole_body_mri"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_tokens",
                to="patients.site",
            ),
        ),
        migrations.RunPython(bind_tokens_to_a_site, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_tokens",
                to="patients.site",
            ),
        ),
    ]
