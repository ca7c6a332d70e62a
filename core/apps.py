from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import inputs

        # Every form of every app refuses control characters, unbounded text and
        # out-of-range ids (see core/inputs.py).
        inputs.install()

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_stamp_session_start, dispatch_uid="core.session_start")


def _stamp_session_start(sender, request, user, **kwargs):
    """The moment of log-in, from which the absolute session lifetime counts."""
    import time

    from core.middleware import SESSION_STARTED_KEY

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = time.time()
