from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "buurtbasis.areas"
    label = "areas"
    verbose_name = _("Gebieden")

    def ready(self) -> None:
        from . import admin  # noqa: F401  (admin is registered explicitly, see settings)
