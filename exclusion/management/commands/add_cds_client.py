"""Register a CDS Hooks client (an EHR) for one site:
`add_cds_client NAME --site CODE --issuer ISS --jwks FILE` (FILE holds the client's public JWK Set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exclusion.interop.cds_hooks.services import ClientRegistrationError, cds_client_register


class Command(BaseCommand):
    help = "Register a CDS Hooks client (EHR) for a site with its JWT issuer and public keys (JWKS file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the client, e.g. 'Northfield Epic'.")
        parser.add_argument("--site", required=True, help="The code of the site the client serves.")
        parser.add_argument("--issuer", required=True, help="The iss claim of the client's JWTs.")
        parser.add_argument("--jwks", required=True, help="A JSON file with the client's public JWK Set.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["jwks"])
        try:
            jwks = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read the JWKS file {path}: {exc.strerror or exc}.") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"The JWKS file {path} is not JSON: {exc}.") from exc
        try:
            client = cds_client_register(
                name=options["name"], site_code=options["site"], issuer=options["issuer"], jwks=jwks
            )
        except ClientRegistrationError as exc:
            raise CommandError(str(exc)) from exc
        kids = ", ".join(key["kid"] for key in client.jwks["keys"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Registered CDS client {client.name!r} for site {client.site.code}: issuer {client.issuer}, "
                f"keys {kids}."
            )
        )
