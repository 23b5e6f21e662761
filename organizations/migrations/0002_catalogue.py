from django.db import migrations


def load(apps, schema_editor):
    from organizations.catalogue import load_committees, load_functions

    load_functions(apps.get_model("organizations", "BusinessFunction"))
    load_committees(apps.get_model("organizations", "Committee"))


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
