from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "hoctap.learning"
    label = "learning"
