# MonthClose and MonthEvent now belong to plans (plans 0003): forget them here, keep the tables.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_document_source_digest"),
        ("plans", "0003_month_close"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MonthClose"),
                migrations.DeleteModel(name="MonthEvent"),
            ],
            database_operations=[],
        ),
    ]
