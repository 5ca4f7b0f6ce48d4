"""DetectionRun moves from callers to referrals (Operation Farmington's nightly detection
lives in referrals.farmington). State only: the table keeps its name."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("callers", "0005_dwelling_standard_address"),
        ("referrals", "0003_repeat_policy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DetectionRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("as_of", models.DateTimeField(help_text="Calls received up to this moment were scanned.")),
                        ("full_history", models.BooleanField(default=False)),
                        ("trigger", models.CharField(default="nightly", max_length=20)),
                        ("status", models.CharField(choices=[("running", "Running"), ("finished", "Finished"), ("failed", "Failed"), ("skipped", "Skipped (another run was going)")], default="running", max_length=10)),
                        ("calls_scanned", models.PositiveIntegerField(default=0)),
                        ("dwellings_found", models.PositiveIntegerField(default=0)),
                        ("referrals_opened", models.PositiveIntegerField(default=0)),
                        ("error", models.TextField(blank=True)),
                    ],
                    options={"db_table": "callers_detectionrun", "ordering": ["-started_at", "-id"]},
                ),
            ],
            database_operations=[],
        ),
    ]
