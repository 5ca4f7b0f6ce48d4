"""Addresses are now read with accents dropped and compatibility forms made plain
("Tŷ" as "ty", "１０" as "10"): the stored key and parts of a dwelling or gazetteer row
typed with such letters are read again, so that the next call spelled either way finds
it. A dwelling whose new key another dwelling already has keeps its old one."""

from django.db import migrations


def fold(apps, schema_editor):
    from callers.addresses import match_fields, parse_address
    from callers.models import compose_address

    Dwelling = apps.get_model("callers", "Dwelling")
    GazetteerAddress = apps.get_model("callers", "GazetteerAddress")
    rows = Dwelling.objects.exclude(key__startswith="uprn:").values_list("pk", "address")
    kept = []
    for pk, address in rows.iterator():
        if address.isascii():
            continue
        fields = match_fields(parse_address(address))
        if not fields["key"]:
            continue
        if Dwelling.objects.filter(key=fields["key"]).exclude(pk=pk).exists():
            kept.append(pk)
        else:
            Dwelling.objects.filter(pk=pk).update(**fields)
    if kept:  # ids only: an address is personal data
        print(
            f"\n  {len(kept)} dwelling(s) kept their old key: another dwelling has the new "
            f"one (the same home typed without accents?). Ids: {', '.join(map(str, kept))}"
        )
    parts = ("sub_building", "building_name", "number", "street", "town", "postcode")
    for row in GazetteerAddress.objects.iterator():
        values = {name: getattr(row, name) for name in parts}
        if all(value.isascii() for value in values.values()):
            continue
        parsed = parse_address(compose_address(**values))
        if parsed is not None and parsed.key:
            GazetteerAddress.objects.filter(pk=row.pk).update(
                key=parsed.key, sub_building=parsed.sub_building, number=parsed.number
            )


class Migration(migrations.Migration):
    dependencies = [("callers", "0003_gazetteer")]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop, elidable=True)]
