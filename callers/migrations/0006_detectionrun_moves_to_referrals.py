"""DetectionRun moves to referrals (referrals/0004); state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("callers", "0005_dwelling_standard_address"),
        ("referrals", "0004_detectionrun"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DetectionRun")],
            database_operations=[],
        ),
    ]
