from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualHelpConfig(AppConfig):
    name = "buurtbasis.mutualhelp"
    label = "mutualhelp"
    verbose_name = _("Burenhulp")
