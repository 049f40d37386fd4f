"""WSGI entry point for gunicorn (`oreledger serve` starts it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
application = get_wsgi_application()
