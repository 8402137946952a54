from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualHelpConfig(AppConfig):
    name = "buurtbasis.mutualhelp"
    label = "mutualhelp"
    verbose_name = _("Burenhulp")

    def ready(self) -> None:
        from buurtbasis.core.navigation import register_area_link

        register_area_link(
            "mutualhelp:neighbourhood",
            _("Burenhulp"),
            _("vraag of bied hulp aan buren"),
            levels=("BU",),
            order=30,
        )
