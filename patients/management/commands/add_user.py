"""`python manage.py add_user USERNAME --site SITE --role ROLE [--password-stdin] [--token] [--api-write]`

Creates the user if needed, the site (SITE is its code) if needed, and the membership. With --token it
creates an API token bound to SITE (it acts only there) and prints only the token, once: it is stored hashed
and cannot be shown again.
"""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from patients.choices import Role
from patients.models import Site, SiteMembership
from patients.tokens.services import token_create


class Command(BaseCommand):
    help = "Create a user with a role at a site (creating the site if needed); optionally print an API token."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--site", required=True, help="Site code, e.g. NORTH (created if missing).")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from stdin.")
        parser.add_argument("--token", action="store_true", help="Create an API token and print only it.")
        parser.add_argument("--api-write", action="store_true", help="Let an api_client write clinical data.")

    def handle(self, *args: Any, **options: Any) -> None:
        username, code, role = options["username"], options["site"].strip(), options["role"]
        if options["api_write"] and role != Role.API_CLIENT:
            raise CommandError("--api-write only applies to the api_client role.")
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on stdin.")
        site_field = Site._meta.get_field("code")
        try:
            site_field.run_validators(code)
        except ValidationError as exc:
            raise CommandError(f"Invalid site code {code!r}: {' '.join(exc.messages)}") from exc

        User = get_user_model()
        with transaction.atomic():
            site, site_created = Site.objects.get_or_create(code=code, defaults={"name": code})
            user = User.objects.filter(username=username).first()
            user_created = user is None
            if user_created:
                user = User(username=username)
            if password is not None:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from exc
                user.set_password(password)
            elif user_created:
                user.set_unusable_password()  # token-only (or set a password later)
            user.save()
            membership, _ = SiteMembership.objects.update_or_create(
                user=user, site=site, defaults={"role": role, "api_write": options["api_write"]}
            )
            key = None
            if options["token"]:
                # Bound to this site only, whatever other sites the user belongs to.
                _, key = token_create(
                    actor=None, user=user, site=site, name=f"created by add_user ({role} at {code})"
                )

        if key is not None:
            self.stdout.write(key)  # only the token: scripts capture it with $(...)
            return
        self.stdout.write(
            f"{'Created' if user_created else 'Updated'} {username}: {role} at {site.code}"
            f"{' (new site)' if site_created else ''}."
        )
