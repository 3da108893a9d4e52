"""API tokens: shown once at creation, stored only as a SHA-256 hash, revocable by site admins.

A token is bound to one site: it acts only there, with its user's role at that site (patients.tokens.services
`token_authenticate`), so a user who works at two sites needs a token per site.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class ApiToken(models.Model):
    # Not audited: the key's hash (the key itself is never stored) and its last use (bookkeeping).
    AUDIT_LEFT_OUT = frozenset(("key_hash", "last_used_at"))

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    # PROTECT: the row says who had access where, and until when; a site with tokens is not deleted with them.
    site = models.ForeignKey("patients.Site", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'registry export'.")
    prefix = models.CharField(max_length=12, db_index=True, help_text="First characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("API token")
        verbose_name_plural = gettext_lazy("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def audit_site_id(self) -> int:
        return self.site_id
