"""Create the four role groups with their permissions (plans.roles.GROUP_PERMISSIONS)."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from plans.roles import sync_groups

    sync_groups(apps)


def remove_groups(apps, schema_editor):
    from plans.roles import GROUP_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUP_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
