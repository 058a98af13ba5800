"""The performance team may unlock a colleague's log-in locked after failed attempts
(``plans.unlock_accounts``)."""

from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from plans.roles import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0004_month_close_tables"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="plan",
            options={
                "ordering": ["-first_month", "title"],
                "permissions": [
                    ("update_own_actions", "Can update the status of actions they lead"),
                    ("update_any_action", "Can update the status of any action"),
                    ("request_change", "Can request a re-programme or suspension"),
                    ("approve_change", "Can approve or reject re-programmes and suspensions"),
                    ("close_month", "Can close and re-open a month"),
                    ("export_reports", "Can export reports and plans as PDF and Excel"),
                    ("chase_updates", "Can see the chase list and send reminders"),
                    ("unlock_accounts", "Can unlock a log-in locked after failed attempts"),
                ],
            },
        ),
        # Going back leaves the groups as they are: the permission itself stays, as Django's do.
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
