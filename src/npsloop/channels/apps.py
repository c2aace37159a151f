from __future__ import annotations

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "npsloop.channels"
    label = "channels"

    def ready(self) -> None:
        from npsloop.channels.email import feedback

        feedback.listen()
