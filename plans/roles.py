"""The roles of the council's users and the permissions each holds (issue 4's role table).

Groups are created by a data migration from ``GROUP_PERMISSIONS``; views check the permission,
never the group name, so a council can reshape its groups in the admin.
"""

OFFICER = "Officer"
PERFORMANCE = "Performance team"
CMT = "CMT"
CLERK = "Clerk"

VIEW = "plans.view_plan"
UPDATE_OWN = "plans.update_own_actions"
UPDATE_ANY = "plans.update_any_action"
REQUEST_CHANGE = "plans.request_change"
APPROVE_CHANGE = "plans.approve_change"
CLOSE_MONTH = "plans.close_month"
EXPORT = "plans.export_reports"
CHASE = "plans.chase_updates"
EDIT_STRUCTURE = "plans.change_plan"
IMPORT_PLAN = "plans.add_plan"
UNLOCK_ACCOUNTS = "plans.unlock_accounts"
MANAGE_RECOMMENDATIONS = "plans.manage_recommendations"
MANAGE_PEOPLE = "plans.manage_people"

_STRUCTURE = [
    f"{verb}_{model}"
    for model in (
        "plan",
        "priority",
        "measure",
        "measureprogress",
        "lead",
        "action",
        "plannedmonth",
        "statusterm",
        "indicator",
        "indicatormonth",
        "indicatortarget",
        "indicatoractual",
    )
    for verb in ("add", "change", "delete", "view")
]

# codenames (app "plans") per group
GROUP_PERMISSIONS: dict[str, list[str]] = {
    OFFICER: ["view_plan", "update_own_actions", "request_change", "export_reports"],
    PERFORMANCE: [
        "view_plan",
        "update_own_actions",
        "update_any_action",
        "request_change",
        "approve_change",
        "close_month",
        "export_reports",
        "chase_updates",
        "unlock_accounts",
        "manage_recommendations",
        "manage_people",
        "add_recommendation",
        "change_recommendation",
        "view_recommendation",
        "view_monthlystatus",
        "change_monthlystatus",
        "view_changerequest",
        "change_changerequest",
        "view_actionchange",
        "view_measurechange",
        "view_indicatorchange",
        *_STRUCTURE,
    ],
    CMT: ["view_plan", "approve_change", "export_reports"],
    CLERK: ["view_plan", "export_reports"],
}


def sync_groups(apps) -> None:
    """Make the role groups hold exactly ``GROUP_PERMISSIONS``. Called from data migrations, so a
    later migration that adds a permission calls it again."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    declared = _declared_now()
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = list(Permission.objects.filter(content_type__app_label="plans", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        # On a new database an earlier migration runs with this list too: a permission that a
        # later migration adds does not exist yet, and that migration calls this again. Only a
        # codename no model declares (a typo) is an error.
        unknown = missing - declared
        if unknown:
            raise RuntimeError(f"Unknown permissions for {name}: {sorted(unknown)}")
        group.permissions.set(perms)


def _declared_now() -> set[str]:
    """Every permission codename the plans models declare in the code as it is now."""
    from django.apps import apps

    codenames: set[str] = set()
    for model in apps.get_app_config("plans").get_models():
        options = model._meta
        codenames |= {f"{action}_{options.model_name}" for action in options.default_permissions}
        codenames |= {codename for codename, _ in options.permissions}
    return codenames
