from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "hoctap.demo"
    label = "demo"
