"""Places and small recurring activities: the patchwork of a neighbourhood.

A place is a public or *third* place (a buurtkamer, a community garden, a playground) or a
small recurring activity (an eating group, a walking group). Residents add and keep them; the
grid is not the municipality's (seed 004 L1737). Professionals can help keep them up to date.

Money is in integer cents (monthly rent), never floats.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from buurtbasis.areas.models import Area


class Kind(models.TextChoices):
    BUURTKAMER = "buurtkamer", _("buurtkamer")
    COMMUNITY_CENTRE = "community_centre", _("buurthuis of wijkcentrum")
    CAFE = "cafe", _("café of koffieplek")
    LIBRARY = "library", _("bibliotheek")
    COMMUNITY_GARDEN = "community_garden", _("buurttuin of moestuin")
    PLAYGROUND = "playground", _("speeltuin")
    SCHOOL_GATE = "school_gate", _("schoolplein of schoolhek")
    PARK = "park", _("park, pleintje of bankje")
    SPORTS = "sports", _("sportplek")
    WORSHIP = "worship", _("gebedshuis")
    SHOP = "shop", _("winkel of markt")
    EATING_GROUP = "eating_group", _("eetgroep of buurtmaaltijd")
    WALKING_GROUP = "walking_group", _("wandelgroep")
    COFFEE_MORNING = "coffee_morning", _("koffieochtend of inloop")
    HOBBY_GROUP = "hobby_group", _("hobby-, spel- of handwerkclub")
    REPAIR = "repair", _("repaircafé of klusgroep")
    OTHER_ACTIVITY = "other_activity", _("andere activiteit")
    OTHER_PLACE = "other_place", _("andere plek")


_KIND_LABELS: dict[str, dict[str, str]] = {}


def kind_label(kind: str) -> str:
    """The label of a kind in the active language, cached per language (evaluating the lazy
    choice labels for every place of a long list is slow)."""
    language = get_language() or ""
    labels = _KIND_LABELS.get(language)
    if labels is None:
        labels = _KIND_LABELS[language] = {str(k): str(v) for k, v in Kind.choices}
    return labels.get(kind, kind)


#: Kinds that are an activity (a group that meets) rather than a building or spot.
ACTIVITY_KINDS = frozenset(
    {
        Kind.EATING_GROUP,
        Kind.WALKING_GROUP,
        Kind.COFFEE_MORNING,
        Kind.HOBBY_GROUP,
        Kind.REPAIR,
        Kind.OTHER_ACTIVITY,
    }
)
#: Kinds that are a building, so owner and rent mean something.
BUILDING_KINDS = frozenset(
    {Kind.BUURTKAMER, Kind.COMMUNITY_CENTRE, Kind.CAFE, Kind.LIBRARY, Kind.WORSHIP, Kind.SHOP}
)

#: Oldenburg's criteria of a third place (seed 001 L1113, L1291), as optional tags.
THIRD_PLACE_TAGS: tuple[tuple[str, Any], ...] = (
    ("tp_accessible", _("makkelijk te bereiken en vrij toegankelijk")),
    ("tp_comfortable", _("comfortabel en gezellig")),
    ("tp_levelling", _("iedereen is er gelijk, status telt niet")),
    ("tp_regulars", _("er komen vaste bezoekers")),
    ("tp_host", _("er is een gastvrouw of gastheer")),
)
#: The four design requirements of a crystallisation point (seed 004 L1800–1841).
CRYSTALLISATION_TAGS: tuple[tuple[str, Any], ...] = (
    ("cp_own_initiative", _("je kunt op eigen initiatief meedoen, vanaf de rand")),
    ("cp_chance_of_meeting", _("je komt er genoeg mensen tegen")),
    ("cp_low_threshold", _("laagdrempelig, je stapt er als vanzelf in")),
    ("cp_whole_more", _("het geheel is meer dan de delen")),
)


class Place(models.Model):
    area = models.ForeignKey(
        Area,
        verbose_name=_("buurt"),
        on_delete=models.PROTECT,
        related_name="places",
        limit_choices_to={"level": "BU"},
    )
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("wat is het?"), blank=True)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    # WGS84; optional: a place without a point is shown in the list, not on the map.
    latitude = models.DecimalField(
        _("breedtegraad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("lengtegraad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    schedule = models.CharField(
        _("wanneer"),
        max_length=300,
        blank=True,
        help_text=_("Openingstijden of wanneer de groep samenkomt, bijv. elke dinsdag 10–12 uur"),
    )
    how_to_join = models.CharField(
        _("zo doe je mee"),
        max_length=300,
        blank=True,
        help_text=_("Bijv. gewoon binnenlopen, of even bellen met de gastvrouw"),
    )
    drop_in = models.BooleanField(_("vrije inloop"), default=False)
    host_name = models.CharField(_("gastvrouw, gastheer of contactpersoon"), max_length=100)
    contact_phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    wheelchair_accessible = models.BooleanField(_("toegankelijk met rolstoel"), default=False)
    accessibility = models.CharField(
        _("toegankelijkheid"),
        max_length=300,
        blank=True,
        help_text=_("Bijv. drempel bij de ingang, invalidentoilet, ringleiding"),
    )
    # Buildings only.
    owner = models.CharField(_("eigenaar van het gebouw"), max_length=200, blank=True)
    rent_cents = models.PositiveIntegerField(_("huur per maand (centen)"), null=True, blank=True)
    market_rent_cents = models.PositiveIntegerField(
        _("marktconforme huur per maand (centen)"), null=True, blank=True
    )
    photo = models.ImageField(_("foto"), upload_to="places/%Y/", blank=True)
    # Third-place criteria (Oldenburg) and crystallisation-point requirements: optional tags.
    tp_accessible = models.BooleanField(default=False)
    tp_comfortable = models.BooleanField(default=False)
    tp_levelling = models.BooleanField(default=False)
    tp_regulars = models.BooleanField(default=False)
    tp_host = models.BooleanField(default=False)
    cp_own_initiative = models.BooleanField(default=False)
    cp_chance_of_meeting = models.BooleanField(default=False)
    cp_low_threshold = models.BooleanField(default=False)
    cp_whole_more = models.BooleanField(default=False)

    is_active = models.BooleanField(
        _("loopt nog"), default=True, help_text=_("Uitzetten als de plek of groep gestopt is")
    )
    keepers: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="PlaceKeeper",
        verbose_name=_("bijhouders"),
        related_name="kept_places",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("toegevoegd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("toegevoegd op"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("laatst bijgewerkt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)

    class Meta:
        verbose_name = _("plek")
        verbose_name_plural = _("plekken")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["area", "is_active", "name"])]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="place_has_name"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90, latitude__lte=90)
                    & Q(longitude__gte=-180, longitude__lte=180)
                ),
                name="place_point_complete_and_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:detail", kwargs={"pk": self.pk})

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def is_activity(self) -> bool:
        return self.kind in ACTIVITY_KINDS

    @property
    def is_building(self) -> bool:
        return self.kind in BUILDING_KINDS

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def rent_share_of_market(self) -> int | None:
        """Rent as a whole percentage of market rent (rounded half up), or None."""
        if self.rent_cents is None or not self.market_rent_cents:
            return None
        return (self.rent_cents * 100 * 2 + self.market_rent_cents) // (2 * self.market_rent_cents)

    @property
    def third_place_tags(self) -> list[str]:
        return [str(label) for field, label in THIRD_PLACE_TAGS if getattr(self, field)]

    @property
    def crystallisation_tags(self) -> list[str]:
        return [str(label) for field, label in CRYSTALLISATION_TAGS if getattr(self, field)]


class PlaceKeeper(models.Model):
    """A person who keeps a place's details up to date (usually a resident)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="keeper_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="place_links"
    )
    since = models.DateTimeField(_("sinds"), auto_now_add=True)

    class Meta:
        verbose_name = _("bijhouder")
        verbose_name_plural = _("bijhouders")
        constraints = [
            models.UniqueConstraint(fields=["place", "user"], name="one_keeper_link_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.place}"


class AreaContact(models.Model):
    """Who to call in a neighbourhood: printed on the poster and the card, so people without
    internet can reach the community worker (opbouwwerker)."""

    area = models.OneToOneField(
        Area, verbose_name=_("gebied"), on_delete=models.CASCADE, related_name="print_contact"
    )
    name = models.CharField(_("naam buurtwerker"), max_length=100)
    organisation = models.CharField(_("organisatie"), max_length=200, blank=True)
    phone = models.CharField(_("telefoon"), max_length=30)
    walk_in = models.CharField(
        _("inloopspreekuur"),
        max_length=300,
        blank=True,
        help_text=_("Waar en wanneer mensen binnen kunnen lopen"),
    )
    note = models.CharField(
        _("extra regel op de poster"),
        max_length=300,
        blank=True,
        help_text=_("Bijv. 'Zelf iets organiseren? Bel ons, we helpen graag.'"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact voor de buurt")
        verbose_name_plural = _("contacten voor de buurt")

    def __str__(self) -> str:
        return f"{self.area.name}: {self.name}"
