from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "buurtbasis.ledger"
    label = "ledger"
    verbose_name = _("Grootboek")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import admin  # noqa: F401  (admin is registered explicitly, see settings)
        from .guards import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="ledger_guard_function")
