from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "buurtbasis.agenda"
    label = "agenda"
    verbose_name = _("Wijkagenda")

    def ready(self) -> None:
        from buurtbasis.core.personal_data import register_personal_data

        from . import personal_data

        register_personal_data(
            "agenda",
            personal_data.export,
            models=personal_data.MODELS,
            not_exported=personal_data.NOT_EXPORTED,
        )
        from buurtbasis.core.navigation import register_area_link

        register_area_link(
            "agenda:area",
            _("BuurtTop en wijkagenda"),
            _("waar de buurt over 5 tot 10 jaar wil staan"),
            levels=("WK", "BU"),
            order=60,
        )
        register_area_link(
            "agenda:framework",
            _("Uitgangspunten van de gemeente"),
            _("publieke waarden, wijkindeling en instrumenten"),
            levels=("GM",),
            order=70,
        )
