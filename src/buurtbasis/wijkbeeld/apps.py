from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkbeeldConfig(AppConfig):
    name = "buurtbasis.wijkbeeld"
    label = "wijkbeeld"
    verbose_name = _("Wijkbeeld")

    def ready(self) -> None:
        from buurtbasis.core.personal_data import register_personal_data

        from . import personal_data

        register_personal_data(
            "wijkbeeld",
            personal_data.export,
            models=personal_data.MODELS,
            not_exported=personal_data.NOT_EXPORTED,
        )
        from buurtbasis.core.navigation import register_area_link

        register_area_link(
            "wijkbeeld:detail",
            _("Wijkbeeld"),
            _("cijfers, plekken, mensen, geschiedenis en wat goed werkt"),
            levels=("WK", "BU"),
            order=50,
        )
