from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "buurtbasis.budgets"
    label = "budgets"
    verbose_name = _("Wijkbudgetten")

    def ready(self) -> None:
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
