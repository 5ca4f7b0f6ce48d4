"""Dwellings made before building_name was stored take it from their standard address, so
the building index (``callers.services._building_matches``) finds them too. Read and written
in batches of 2,000 (a bench database holds 1.25M dwellings). An address that starts with its
house number names no building and is not read: 50,000 dwellings, a fifth in buildings, took
5.2 s on SQLite (7.6 s reading every one). Reversing it leaves the column as it is (0007
drops it when reversed)."""

from django.db import migrations

from callers.addresses import parse_address

BATCH = 2_000


def fill(apps, schema_editor):
    Dwelling = apps.get_model("callers", "Dwelling")
    changed = []
    # A standard address names its flat and building before the house number: one that
    # starts with the number ("10 High Street, Ely") has no building to read.
    rows = (
        Dwelling.objects.filter(building_name="")
        .exclude(address__regex=r"^[0-9]")
        .only("pk", "address")
        .order_by("pk")
    )
    for row in rows.iterator(chunk_size=BATCH):
        parsed = parse_address(row.address)
        name = parsed.building_name[:100] if parsed is not None else ""
        if name:
            row.building_name = name
            changed.append(row)
        if len(changed) >= BATCH:
            Dwelling.objects.bulk_update(changed, ["building_name"])
            changed = []
    if changed:
        Dwelling.objects.bulk_update(changed, ["building_name"])


class Migration(migrations.Migration):
    dependencies = [("callers", "0007_dwelling_building_and_merge")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
