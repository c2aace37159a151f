from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "npsloop.program"
    label = "program"
