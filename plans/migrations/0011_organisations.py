import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Organisations (issue 15), step 1: the table, and the plan's and leads' links to it, nullable
    until 0012 has filled them from the name each plan carried."""

    dependencies = [("plans", "0010_inspection_recommendations")]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text="As printed on its reports, e.g. 'Bromsgrove District Council'.", max_length=200
                    ),
                ),
                ("slug", models.SlugField(max_length=60, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.RenameField(model_name="plan", old_name="organisation", new_name="organisation_name"),
        migrations.AddField(
            model_name="plan",
            name="organisation",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="plans", to="plans.organisation"
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="organisation",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="leads", to="plans.organisation"
            ),
        ),
        migrations.AlterField(
            model_name="lead",
            name="initials",
            field=models.CharField(max_length=120),
        ),
        migrations.AddField(
            model_name="plan",
            name="report_layout",
            field=models.CharField(
                choices=[("exception", "Exception report"), ("progress", "Progress report")],
                default="exception",
                help_text="How the plan's monthly report is laid out.",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="priority",
            name="section",
            field=models.CharField(
                blank=True,
                help_text="The section of the plan it is under, where the plan has them (Rotherham: 'Ambitions').",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="target_date_text",
            field=models.CharField(blank=True, help_text="The target date as written.", max_length=300),
        ),
        migrations.AddField(
            model_name="action",
            name="progress_measure",
            field=models.TextField(blank=True, help_text="How progress is measured."),
        ),
        migrations.AddField(
            model_name="action",
            name="progress_update",
            field=models.TextField(blank=True, help_text="The latest update on progress."),
        ),
    ]
