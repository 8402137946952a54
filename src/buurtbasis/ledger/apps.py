from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "buurtbasis.ledger"
    label = "ledger"
    verbose_name = _("Grootboek")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from buurtbasis.core.personal_data import register_personal_data

        from . import (
            admin,  # noqa: F401  (admin is registered explicitly, see settings)
            personal_data,
        )
        from .guards import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="ledger_guard_function")
        register_personal_data("ledger", personal_data.export, models=personal_data.MODELS)
