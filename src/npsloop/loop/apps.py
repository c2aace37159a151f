from django.apps import AppConfig


class LoopConfig(AppConfig):
    name = "npsloop.loop"
    label = "loop"
