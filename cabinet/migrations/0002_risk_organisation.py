from collections import Counter

import django.db.models.deletion
from django.db import migrations, models


def risks_to_organisations(apps, schema_editor):
    """A risk joins the organisation whose plans' priorities and actions answer it, else the first
    (before organisations the register was the whole site's)."""
    Organisation = apps.get_model("plans", "Organisation")
    CorporateRisk = apps.get_model("cabinet", "CorporateRisk")
    risks = list(CorporateRisk.objects.all())
    if not risks:
        return
    first = Organisation.objects.order_by("pk").first() or Organisation.objects.create(
        name="Council", slug="council"
    )
    for risk in risks:
        owners = Counter(risk.actions.values_list("plan__organisation_id", flat=True))
        owners.update(risk.priorities.values_list("plan__organisation_id", flat=True))
        risk.organisation_id = owners.most_common(1)[0][0] if owners else first.pk
        risk.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [("cabinet", "0001_initial"), ("plans", "0014_membership")]

    operations = [
        migrations.AddField(
            model_name="corporaterisk",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="corporate_risks",
                to="plans.organisation",
            ),
        ),
        migrations.RunPython(risks_to_organisations, migrations.RunPython.noop),
    ]
