from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "buurtbasis.accounts"
    label = "accounts"
    verbose_name = _("Mensen en rollen")

    def ready(self) -> None:
        from buurtbasis.core.personal_data import register_personal_data

        from . import admin  # noqa: F401  (admin is registered explicitly, see settings)
        from .services import export_account_data

        register_personal_data(
            "accounts",
            export_account_data,
            models=["accounts.user", "accounts.membership", "accounts.consent", "core.auditevent"],
        )
