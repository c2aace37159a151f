from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The operator's faces: the `npsloop` subcommands that run, load and move data."""

    name = "npsloop.ops"
    label = "ops"
