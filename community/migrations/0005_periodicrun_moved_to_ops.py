from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0004_staff_group"), ("ops", "0001_initial")]

    operations = [migrations.DeleteModel(name="PeriodicRun")]
