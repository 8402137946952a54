from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "buurtbasis.initiatives"
    label = "initiatives"
    verbose_name = _("Bewonersinitiatieven")

    def ready(self) -> None:
        from buurtbasis.core.navigation import register_area_link

        from . import admin  # noqa: F401  (admin is registered explicitly, see settings)

        register_area_link(
            "initiatives:showcase",
            _("Initiatieven"),
            _("wat bewoners samen doen"),
            levels=("GM", "WK", "BU"),
            order=20,
        )
