# The month-close state gates every write to a plan, so it moves from reports to plans (issue 13):
# the model changes app in Django's state only here; reports 0003 forgets it and 0004 renames the tables.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_roles"),
        ("reports", "0002_document_source_digest"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MonthEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("month", models.DateField()),
                        ("kind", models.CharField(choices=[("CLOSED", "Closed"), ("REOPENED", "Re-opened")], max_length=8)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("reason", models.TextField(blank=True)),
                        ("by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ("plan", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="month_events", to="plans.plan")),
                    ],
                    options={"ordering": ["plan", "month", "at", "id"], "db_table": "reports_monthevent"},
                ),
                migrations.CreateModel(
                    name="MonthClose",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("month", models.DateField()),
                        ("state", models.CharField(choices=[("CLOSED", "Closed"), ("REOPENED", "Re-opened")], default="CLOSED", max_length=8)),
                        ("snapshot", models.JSONField(blank=True, default=dict)),
                        ("closed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("reopened_at", models.DateTimeField(blank=True, null=True)),
                        ("reopen_reason", models.TextField(blank=True)),
                        ("closed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("plan", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="month_closes", to="plans.plan")),
                        ("reopened_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "ordering": ["plan", "month"],
                        "db_table": "reports_monthclose",
                        "constraints": [
                            models.UniqueConstraint(fields=("plan", "month"), name="one_close_per_plan_month"),
                            models.CheckConstraint(condition=models.Q(("month__day", 1)), name="month_close_month_is_1st"),
                            models.CheckConstraint(
                                condition=models.Q(models.Q(("state", "REOPENED"), _negated=True), models.Q(("reopen_reason", ""), _negated=True), _connector="OR"),
                                name="reopen_needs_reason",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
