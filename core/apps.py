from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import inputs

        # Every form of every app refuses control characters, unbounded text and
        # out-of-range ids (see core/inputs.py).
        inputs.install()
