from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "npsloop.contacts"
    label = "contacts"
