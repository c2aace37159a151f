"""Background work (Huey tasks and periodic schedules): thin wrappers around services.

Tasks only say "go look"; state lives in our tables, so a lost or repeated message
loses nothing and runs no business rule twice.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from npsloop.surveys.rollups import count_responses, rebuild, stored_rollups
from npsloop.workspaces.models import Workspace

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="17"))
def check_rollups() -> list[str]:
    """Nightly: recount every workspace's daily score histograms from its responses and
    rebuild those that differ. The safety net for data changed outside the services (raw
    SQL, restored backups); returns the slugs of the workspaces that were repaired."""
    return [ws.slug for ws in Workspace.objects.order_by("pk") if repair_rollups(ws)]


def repair_rollups(workspace: Workspace) -> bool:
    """Rebuild the workspace's rollups if they disagree with its responses."""
    if stored_rollups(workspace) == count_responses(workspace):
        return False
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Writers of responses add to the rollups in the same transaction; holding this
            # lock while recounting means each response is counted exactly once: either it
            # committed before the recount (and is in it) or it adds itself afterwards.
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE surveys_scoreday IN SHARE ROW EXCLUSIVE MODE")
        stored, counted = stored_rollups(workspace), count_responses(workspace)
        if stored == counted:
            return False
        differing = sum(1 for key in stored.keys() | counted.keys() if stored[key] != counted[key])
        log.warning(
            "rollups of workspace %s disagreed with its responses on %d (survey, day, channel,"
            " score) counts; rebuilt them from the responses",
            workspace.slug,
            differing,
        )
        rebuild(workspace)
    return True
