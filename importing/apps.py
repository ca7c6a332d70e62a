from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "importing"
    verbose_name = "Importing therapy records"

    def ready(self):
        # Registers the authorization kind (issue 21) with the import's handlers.
        import importing.authorizations  # noqa: F401
