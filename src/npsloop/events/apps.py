from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "npsloop.events"
    label = "events"
