from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "insurance"

    def ready(self):
        from insurance import signals

        signals.connect()
