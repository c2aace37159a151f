from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "npsloop.workspaces"
    label = "workspaces"
