import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every plan and lead now belongs to an organisation; lead initials are unique within it."""

    dependencies = [("plans", "0012_organisations_filled")]

    operations = [
        migrations.RemoveField(model_name="plan", name="organisation_name"),
        migrations.AlterField(
            model_name="plan",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="plans", to="plans.organisation"
            ),
        ),
        migrations.AlterField(
            model_name="lead",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="leads", to="plans.organisation"
            ),
        ),
        migrations.AddConstraint(
            model_name="lead",
            constraint=models.UniqueConstraint(fields=("organisation", "initials"), name="lead_unique_in_organisation"),
        ),
    ]
