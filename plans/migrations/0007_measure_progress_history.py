"""Officers write a measure's progress update for a month (issue 14): its history
(``MeasureChange``), read by the performance team; the text is as long as a corrective action."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def sync_role_groups(apps, schema_editor):
    from plans.roles import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_roll_over"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="measureprogress",
            name="text",
            field=models.TextField(max_length=4000),
        ),
        migrations.CreateModel(
            name="MeasureChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("old_text", models.TextField(blank=True)),
                ("new_text", models.TextField(blank=True)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("my-month", "My actions"),
                            ("approval", "Approvals"),
                            ("admin", "Admin"),
                            ("import", "Workbook import"),
                            ("roll-over", "Roll-over to the next year"),
                            ("demo", "Demo data"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=10,
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="plans.measure",
                    ),
                ),
            ],
            options={
                "ordering": ["-changed_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("month__day", 1)), name="measure_change_month_is_1st"
                    )
                ],
            },
        ),
        # Going back leaves the groups as they are: the permission itself stays, as Django's do.
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
