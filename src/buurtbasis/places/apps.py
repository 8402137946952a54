from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "buurtbasis.places"
    label = "places"
    verbose_name = _("Plekken")

    def ready(self) -> None:
        from buurtbasis.core.navigation import register_area_link

        register_area_link(
            "places:area",
            _("Plekken"),
            _("buurthuizen, speelplekken, moestuinen en meer"),
            levels=("GM", "WK", "BU"),
            order=10,
        )
