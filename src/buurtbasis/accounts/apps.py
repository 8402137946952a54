from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "buurtbasis.accounts"
    label = "accounts"
    verbose_name = _("Mensen en rollen")

    def ready(self) -> None:
        from . import admin  # noqa: F401  (admin is registered explicitly, see settings)
