#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cno_app.settings")
    # manage.py is the developer's entry point, so it defaults to DEBUG on; gunicorn (wsgi.py),
    # Celery and docker-compose never do, and production sets DEBUG=0 explicitly.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
