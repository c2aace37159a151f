"""The WSGI application the production web server runs: Django's, for every request."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npsloop.settings")
application = get_wsgi_application()
