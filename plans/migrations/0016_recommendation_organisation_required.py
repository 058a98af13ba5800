import django.db.models.deletion
from django.db import migrations, models

from plans.roles import sync_groups


def give_the_performance_team_its_people(apps, schema_editor):
    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("plans", "0015_organisation_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="membership",
            options={
                "ordering": ["organisation", "user"],
                "permissions": [
                    ("manage_people", "Can add people to their organisation and change their roles")
                ],
            },
        ),
        migrations.RunPython(give_the_performance_team_its_people, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="recommendation",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="recommendations",
                to="plans.organisation",
            ),
        ),
        migrations.RemoveConstraint(model_name="recommendation", name="one_code_per_inspection"),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.UniqueConstraint(
                fields=("organisation", "source", "code"), name="one_code_per_inspection"
            ),
        ),
    ]
