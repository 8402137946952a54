from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "buurtbasis.core"
    label = "core"
    verbose_name = _("Basis")

    def ready(self) -> None:
        from . import admin  # noqa: F401  (admin is registered explicitly, see settings)
