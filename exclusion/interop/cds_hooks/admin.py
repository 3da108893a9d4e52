"""CDS Hooks clients in the admin, scoped like the rest of it: a site administrator sees and registers the
clients of the sites they administer. The JWKS is checked on save (public RSA or EC keys with a kid; a
private key is refused)."""

from __future__ import annotations

from django.contrib import admin

from exclusion.interop.cds_hooks.models import CdsClient
from patients.admin import SiteScopedAdmin


@admin.register(CdsClient)
class CdsClientAdmin(SiteScopedAdmin):
    list_display = ["name", "site", "issuer", "active", "created_at"]
    list_filter = ["active", "site"]
    list_select_related = ["site"]
    search_fields = ["name", "issuer"]
    readonly_fields = ["created_at"]
    fields = ["name", "site", "issuer", "jwks", "active", "created_at"]
