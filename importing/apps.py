from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "importing"
    verbose_name = "Importing therapy records"
