import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plans", "0015_organisation_roles")]

    operations = [
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
