"""Dwellings are named by the standard form of their address ("Flat 2, 10 High Street, Ely
CB7 4AA"), no longer by the first spelling typed ("10 high street flat 2 ely cb74aa", "the
address is 14 Station Road, March"). Each stored address is restated in that form; one the
parser can no longer read keeps its text, its spaces tidied. Keys and parts are unchanged,
and the spellings typed stay on the calls. Not reversible: the first spellings are not kept
on the dwelling (each call keeps its own)."""

from django.db import migrations, models

BATCH = 2000


def restate(apps, schema_editor):
    from callers.addresses import standard_address_of

    Dwelling = apps.get_model("callers", "Dwelling")
    last = 0
    while True:
        rows = list(
            Dwelling.objects.filter(pk__gt=last).order_by("pk").only("pk", "address")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1].pk
        changed = []
        for row in rows:
            standard = standard_address_of(row.address)[:500]
            if standard and standard != row.address:
                row.address = standard
                changed.append(row)
        Dwelling.objects.bulk_update(changed, ["address"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("callers", "0004_fold_non_ascii_keys")]

    operations = [
        migrations.AlterField(
            model_name="dwelling",
            name="address",
            field=models.CharField(
                help_text="The standard form of the address (callers.addresses.standard_address).",
                max_length=500,
            ),
        ),
        migrations.RunPython(restate, migrations.RunPython.noop, elidable=True),
    ]
