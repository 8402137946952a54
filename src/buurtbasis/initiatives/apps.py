from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "buurtbasis.initiatives"
    label = "initiatives"
    verbose_name = _("Bewonersinitiatieven")

    def ready(self) -> None:
        from buurtbasis.core.navigation import register_area_link
        from buurtbasis.core.personal_data import register_personal_data

        from . import (
            admin,  # noqa: F401  (admin is registered explicitly, see settings)
            personal_data,
        )

        register_personal_data(
            "initiatives",
            personal_data.export,
            models=personal_data.MODELS,
            not_exported=personal_data.NOT_EXPORTED,
        )

        register_area_link(
            "initiatives:showcase",
            _("Initiatieven"),
            _("wat bewoners samen doen"),
            levels=("GM", "WK", "BU"),
            order=20,
        )
