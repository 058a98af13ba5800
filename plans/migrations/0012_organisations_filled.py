from collections import Counter

from django.db import migrations
from django.utils.text import slugify

UNNAMED = "Council"


def fill(apps, schema_editor):
    """Each name the plans carried becomes an organisation; a lead joins the organisation whose
    plans hold most of its actions (before organisations a lead was the whole site's). A lead
    without actions joins the first organisation."""
    Organisation = apps.get_model("plans", "Organisation")
    Plan = apps.get_model("plans", "Plan")
    Lead = apps.get_model("plans", "Lead")
    Action = apps.get_model("plans", "Action")

    by_name = {}
    for plan in Plan.objects.order_by("first_month", "pk"):
        name = plan.organisation_name.strip() or UNNAMED
        if name not in by_name:
            base = slugify(name)[:50] or "council"
            slug, n = base, 1
            while Organisation.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            by_name[name] = Organisation.objects.create(name=name, slug=slug)
        plan.organisation = by_name[name]
        plan.save(update_fields=["organisation"])

    leads = list(Lead.objects.all())
    if leads and not by_name:
        by_name[UNNAMED] = Organisation.objects.create(name=UNNAMED, slug="council")
    first = next(iter(by_name.values()), None)
    for lead in leads:
        organisations = Counter(
            Action.objects.filter(leads=lead).values_list("plan__organisation_id", flat=True)
        )
        lead.organisation_id = organisations.most_common(1)[0][0] if organisations else first.pk
        lead.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0011_organisations")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
