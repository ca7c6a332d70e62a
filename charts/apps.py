from django.apps import AppConfig


class ChartsConfig(AppConfig):
    name = "charts"
    verbose_name = "Patient charts"

    def ready(self):
        from cases.merge_rows import register_movable_rows
        from charts.services.move import CHART_ROWS

        # The chart's rows that a merge of patient cases moves (cases/merge_rows.py).
        register_movable_rows(*CHART_ROWS)
