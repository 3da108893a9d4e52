"""Every registry test writes its uploads and exports under its own temporary directory; the site admin and
the clinician of NORTH."""

import pytest


@pytest.fixture(autouse=True)
def registry_dir(settings, tmp_path):
    settings.REGISTRY_DIR = tmp_path / "registry"
    return settings.REGISTRY_DIR


@pytest.fixture
def admin(north):
    from tests.factories import make_user

    return make_user(north, "site_admin", "north-admin")


@pytest.fixture
def clinician(north):
    from tests.factories import make_user

    return make_user(north, "clinician", "north-clinician")
