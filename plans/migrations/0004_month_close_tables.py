from django.db import migrations, models


def mark_history(apps, schema_editor):
    """Closes made before the mark existed: the last history row written before each close."""
    MonthClose = apps.get_model("plans", "MonthClose")
    ActionChange = apps.get_model("plans", "ActionChange")
    for close in MonthClose.objects.all():
        last = ActionChange.objects.filter(changed_at__lte=close.closed_at).order_by("-id").first()
        close.history_mark = last.pk if last else 0
        close.save(update_fields=["history_mark"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_month_close"),
        ("reports", "0003_month_close_moved_to_plans"),
    ]

    operations = [
        migrations.AlterModelTable(name="monthclose", table=None),
        migrations.AlterModelTable(name="monthevent", table=None),
        migrations.AddField(
            model_name="monthclose",
            name="history_mark",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(mark_history, migrations.RunPython.noop),
    ]
