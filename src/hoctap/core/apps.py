from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hoctap.core"
    label = "core"

    def ready(self) -> None:
        from hoctap.core.bulk import lookups_register

        lookups_register()
