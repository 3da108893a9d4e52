"""Every registry test writes its uploads and exports under its own temporary directory."""

import pytest


@pytest.fixture(autouse=True)
def registry_dir(settings, tmp_path):
    settings.REGISTRY_DIR = tmp_path / "registry"
    return settings.REGISTRY_DIR


@pytest.fixture
def tasks_in_process():
    """Run Celery tasks in this process (the real task, no broker), as without CELERY_BROKER_URL."""
    from cno_app.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
