"""Load France's regions and departments, and the communes of the hub's region."""

from django.db import migrations


def load(apps, schema_editor):
    from community.data.regions_departments import COMMUNES_BFC, DEPARTMENTS, REGIONS

    Region = apps.get_model("community", "Region")
    Department = apps.get_model("community", "Department")
    Commune = apps.get_model("community", "Commune")
    regions = {code: Region.objects.update_or_create(code=code, defaults={"name": name})[0] for code, name in REGIONS.items()}
    departments = {}
    for code, name, region in DEPARTMENTS:
        departments[code] = Department.objects.update_or_create(code=code, defaults={"name": name, "region": regions[region]})[0]
    for insee, name, postcode, lat, lon in COMMUNES_BFC:
        dep = departments[insee[:2]]
        Commune.objects.update_or_create(
            insee=insee, defaults={"name": name, "postcode": postcode, "department": dep, "latitude": lat, "longitude": lon}
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0002_digestitem")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
