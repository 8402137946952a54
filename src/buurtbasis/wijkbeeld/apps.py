from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkbeeldConfig(AppConfig):
    name = "buurtbasis.wijkbeeld"
    label = "wijkbeeld"
    verbose_name = _("Wijkbeeld")
