"""The exclusion app's admin pages (Django's autodiscovery imports this module)."""

from exclusion.interop.cds_hooks import admin as cds_hooks_admin  # noqa: F401 - registers CdsClient
