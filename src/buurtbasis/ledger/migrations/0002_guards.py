"""Database triggers that keep the ledger append-only (see buurtbasis/ledger/guards.py).

The SQL differs per database, so it is chosen at run time from ``connection.vendor``."""

from django.db import migrations

from buurtbasis.ledger.guards import install_guards, remove_guards


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install_guards, remove_guards)]
