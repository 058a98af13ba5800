import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cabinet", "0002_risk_organisation")]

    operations = [
        migrations.AlterField(
            model_name="corporaterisk",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="corporate_risks",
                to="plans.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="corporaterisk",
            name="code",
            field=models.CharField(help_text="As the register writes it, e.g. KO1.", max_length=20),
        ),
        migrations.AddConstraint(
            model_name="corporaterisk",
            constraint=models.UniqueConstraint(
                fields=("organisation", "code"), name="risk_code_unique_in_organisation"
            ),
        ),
    ]
