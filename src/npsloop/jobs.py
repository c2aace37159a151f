"""Background work (Huey tasks and periodic schedules): thin wrappers around services.

Tasks only say "go look"; state lives in our tables, so a lost or repeated message
loses nothing and runs no business rule twice.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from npsloop.surveys.rollups import repair_rollups
from npsloop.workspaces.models import Workspace


@db_periodic_task(crontab(hour="3", minute="17"))
def check_rollups() -> list[str]:
    """Nightly: recount every workspace's daily score histograms from its responses and
    rebuild those that differ. The safety net for data changed outside the services (raw
    SQL, restored backups); returns the slugs of the workspaces that were repaired."""
    return [ws.slug for ws in Workspace.objects.order_by("pk") if repair_rollups(ws)]
