from django.apps import AppConfig


class FusionConfig(AppConfig):
    name = "fusion"
    verbose_name = "Fusion Patient Cases"
