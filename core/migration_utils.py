"""Helpers for data migrations that give roles their permissions."""


def grant(apps, role_permissions: dict[str, list[str]]) -> None:
    """Create the role groups that are missing and add the named permissions to each.

    Permissions are normally made after all migrations ran; the ones named here are made now
    so that a fresh database gets its roles complete in one ``migrate``.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
