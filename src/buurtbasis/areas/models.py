"""Places: municipality (gemeente) → district (wijk) → neighbourhood (buurt), keyed by CBS codes,
and the statistics about them.

All three levels live in one table (:class:`Area`) so memberships, statistics and later
capabilities can point at "an area" with one foreign key; :class:`Municipality`,
:class:`District` and :class:`Neighbourhood` are proxies restricted to their level.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    MUNICIPALITY = "GM", _("gemeente")
    DISTRICT = "WK", _("wijk")
    NEIGHBOURHOOD = "BU", _("buurt")


PARENT_LEVEL = {Level.DISTRICT: Level.MUNICIPALITY, Level.NEIGHBOURHOOD: Level.DISTRICT}
CHILD_LEVEL = {Level.MUNICIPALITY: Level.DISTRICT, Level.DISTRICT: Level.NEIGHBOURHOOD}
CODE_LENGTH = {Level.MUNICIPALITY: 6, Level.DISTRICT: 8, Level.NEIGHBOURHOOD: 10}


class Area(models.Model):
    code = models.CharField(_("CBS-code"), max_length=10, unique=True)
    level = models.CharField(_("niveau"), max_length=2, choices=Level.choices, db_index=True)
    name = models.CharField(_("naam"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("ligt in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The municipality an area belongs to (itself for a municipality): one indexed column makes
    # "everything in this municipality" a single query at any depth.
    municipality = models.ForeignKey(
        "self",
        verbose_name=_("gemeente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    boundary = models.JSONField(
        _("grens (GeoJSON, WGS84)"), null=True, blank=True, help_text=_("GeoJSON-geometrie")
    )

    class Meta:
        verbose_name = _("gebied")
        verbose_name_plural = _("gebieden")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="GM", code__startswith="GM")
                | Q(level="WK", code__startswith="WK")
                | Q(level="BU", code__startswith="BU"),
                name="area_code_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(level="GM", parent__isnull=True) | ~Q(level="GM"),
                name="municipality_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("areas:detail", kwargs={"code": self.code})

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL.get(Level(self.level))


class _LevelManager(models.Manager["Area"]):
    def __init__(self, level: str) -> None:
        super().__init__()
        self.level = level

    def get_queryset(self) -> models.QuerySet[Area]:
        return super().get_queryset().filter(level=self.level)


class Municipality(Area):
    objects: ClassVar[_LevelManager] = _LevelManager(Level.MUNICIPALITY)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")


class District(Area):
    objects: ClassVar[_LevelManager] = _LevelManager(Level.DISTRICT)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")


class Neighbourhood(Area):
    objects: ClassVar[_LevelManager] = _LevelManager(Level.NEIGHBOURHOOD)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("buurt")
        verbose_name_plural = _("buurten")


class Indicator(models.Model):
    """One figure in the catalogue, e.g. inhabitants or share of single-person households."""

    class Reading(models.TextChoices):
        STRENGTH = "strength", _("hoger is een kracht")
        NEED = "need", _("hoger wijst op een behoefte")
        NEUTRAL = "neutral", _("beschrijvend")

    key = models.SlugField(_("sleutel"), max_length=60, unique=True)
    label_nl = models.CharField(_("naam (Nederlands)"), max_length=200)
    label_en = models.CharField(_("naam (Engels)"), max_length=200)
    unit = models.CharField(_("eenheid"), max_length=40, blank=True)
    source_table = models.CharField(_("brontabel"), max_length=200)
    reading = models.CharField(
        _("betekenis"), max_length=10, choices=Reading.choices, default=Reading.NEUTRAL
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "nl").startswith("en") else self.label_nl


class IndicatorValue(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("jaar"))
    value = models.DecimalField(_("waarde"), max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = _("cijfer")
        verbose_name_plural = _("cijfers")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "indicator", "year"], name="one_value_per_area_indicator_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.indicator.key} {self.year}: {self.value}"

    def as_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator.key, "year": self.year, "value": self.value}
