from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "buurtbasis.places"
    label = "places"
    verbose_name = _("Plekken")

    def ready(self) -> None:
        from buurtbasis.core.personal_data import register_personal_data

        from . import personal_data

        register_personal_data(
            "places",
            personal_data.export,
            models=personal_data.MODELS,
            not_exported=personal_data.NOT_EXPORTED,
        )
        from buurtbasis.core.navigation import register_area_link

        register_area_link(
            "places:area",
            _("Plekken"),
            _("buurthuizen, speelplekken, moestuinen en meer"),
            levels=("GM", "WK", "BU"),
            order=10,
        )
