from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The operator's faces: the `npsloop` subcommands that run, load and move data."""

    name = "npsloop.ops"
    label = "ops"

    def ready(self) -> None:
        # djhuey only autodiscovers modules named `tasks`; ours live in npsloop/jobs.py, and
        # a consumer that never imported them would drop every message it receives.
        import npsloop.jobs  # noqa: F401
