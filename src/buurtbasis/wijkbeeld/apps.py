from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkbeeldConfig(AppConfig):
    name = "buurtbasis.wijkbeeld"
    label = "wijkbeeld"
    verbose_name = _("Wijkbeeld")

    def ready(self) -> None:
        from buurtbasis.core.navigation import register_area_link

        register_area_link(
            "wijkbeeld:detail",
            _("Wijkbeeld"),
            _("cijfers, plekken, mensen, geschiedenis en wat goed werkt"),
            levels=("WK", "BU"),
            order=50,
        )
