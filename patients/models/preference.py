"""What a user chose for themselves, kept with their account (not with a site)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UserPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    # Blank: none chosen, so the browser's Accept-Language decides.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'}"
