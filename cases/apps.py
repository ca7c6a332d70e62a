from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Patient cases"

    def ready(self):
        from cases.services import register_default_case_option

        register_default_case_option()
