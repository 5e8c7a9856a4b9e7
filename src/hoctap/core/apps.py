from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hoctap.core"
    label = "core"
