from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "buurtbasis.agenda"
    label = "agenda"
    verbose_name = _("Wijkagenda")

    def ready(self) -> None:
        from buurtbasis.core.navigation import register_area_link, register_panel
        from buurtbasis.core.personal_data import register_personal_data

        from . import personal_data
        from .selectors import budget_line_panel

        register_personal_data(
            "agenda",
            personal_data.export,
            models=personal_data.MODELS,
            not_exported=personal_data.NOT_EXPORTED,
        )
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
        # The goals a budget line pays for, on the budget line page (budgets never imports
        # agenda; see docs/architecture.md).
        register_panel(
            "budgets.budgetline",
            "agenda_goals",
            "agenda/_budget_line_goals.html",
            budget_line_panel,
        )
