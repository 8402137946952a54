from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualHelpConfig(AppConfig):
    name = "buurtbasis.mutualhelp"
    label = "mutualhelp"
    verbose_name = _("Burenhulp")

    def ready(self) -> None:
        from buurtbasis.core.navigation import register_area_link
        from buurtbasis.core.next_steps import register_next_step
        from buurtbasis.core.personal_data import register_personal_data

        from . import personal_data

        register_personal_data("mutualhelp", personal_data.export, models=personal_data.MODELS)

        register_area_link(
            "mutualhelp:neighbourhood",
            _("Burenhulp"),
            _("vraag of bied hulp aan buren"),
            levels=("BU",),
            order=30,
        )
        # Signing up also asks what you can offer your neighbours.
        register_next_step(
            "mutualhelp:profile",
            _("Vertel wat u kunt bieden"),
            _("waar u buren mee kunt helpen, waar en wanneer"),
            query="welkom=1",
            order=10,
        )
