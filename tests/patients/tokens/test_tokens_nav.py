"""Site admins find the token pages from the navigation; nobody else is shown the link."""

from __future__ import annotations

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_api_tokens_link_is_shown_to_site_admins_only(client, north, trio):
    admin = make_user(north, "site_admin", "north-admin-nav")
    client.force_login(admin)
    assert 'href="/tokens/"' in client.get("/").content.decode()
    client.force_login(trio.owner)
    assert 'href="/tokens/"' not in client.get("/").content.decode()
