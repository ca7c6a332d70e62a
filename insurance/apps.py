from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "insurance"

    def ready(self):
        from cases.merge_rows import MovableRows, register_movable_rows
        from insurance import signals

        signals.connect()
        # An authorization follows its chart case in a merge of patient cases (and back in
        # its undo), so the visits it counts and the authorization stay on one chart case.
        register_movable_rows(
            MovableRows("authorization", "authorizations", "insurance.Authorization")
        )
