from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "buurtbasis.budgets"
    label = "budgets"
    verbose_name = _("Wijkbudgetten")

    def ready(self) -> None:
        from buurtbasis.core.personal_data import register_personal_data

        from . import personal_data

        register_personal_data(
            "budgets",
            personal_data.export,
            models=personal_data.MODELS,
            not_exported=personal_data.NOT_EXPORTED,
        )
        from buurtbasis.core.navigation import register_area_link

        register_area_link(
            "budgets:district_budget",
            _("Wijkbudget"),
            _("het geld van de wijk: per jaar, per thema, toegezegd en uitgegeven"),
            levels=("WK",),
            order=40,
        )
        register_area_link(
            "budgets:money_flow",
            _("Geldstromen"),
            _("al het publieke geld dat door de wijk gaat"),
            levels=("WK",),
            order=45,
        )
