from collections import Counter

import django.db.models.deletion
from django.db import migrations, models

# When a person held several role groups, the membership keeps the one that allows most.
ROLE_ORDER = ["Performance team", "CMT", "Officer", "Clerk"]


def memberships_from_groups(apps, schema_editor):
    """Before organisations a role group applied to every plan. On an installation of one council
    each role becomes a membership of that council, so everyone keeps what they had; with several
    (or none) nobody can say which council a group meant, and a site administrator gives the roles."""
    Organisation = apps.get_model("plans", "Organisation")
    Membership = apps.get_model("plans", "Membership")
    Group = apps.get_model("auth", "Group")
    organisations = list(Organisation.objects.all()[:2])
    if len(organisations) != 1:
        return
    organisation = organisations[0]
    for name in reversed(ROLE_ORDER):  # the stronger role last, so it wins
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for user in group.user_set.all():
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"role": group}
            )


def recommendations_to_organisations(apps, schema_editor):
    """A recommendation joins the organisation whose plans' actions answer it, else the first."""
    Organisation = apps.get_model("plans", "Organisation")
    Recommendation = apps.get_model("plans", "Recommendation")
    recommendations = list(Recommendation.objects.all())
    if not recommendations:
        return
    first = Organisation.objects.order_by("pk").first() or Organisation.objects.create(
        name="Council", slug="council"
    )
    for recommendation in recommendations:
        owners = Counter(recommendation.actions.values_list("plan__organisation_id", flat=True))
        recommendation.organisation_id = owners.most_common(1)[0][0] if owners else first.pk
        recommendation.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0014_membership"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="recommendations",
                to="plans.organisation",
            ),
        ),
        migrations.RunPython(memberships_from_groups, migrations.RunPython.noop),
        migrations.RunPython(recommendations_to_organisations, migrations.RunPython.noop),
    ]
