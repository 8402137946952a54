"""Multi-year neighbourhood budgets (*meerjarige wijkbudgetten*).

A municipality sets a :class:`BudgetFramework` for a period of years: where the money comes
from (:class:`FundingSource` with a :class:`SourceAmount` per year), which public-value themes
it serves (:class:`Theme`) and how it is split over the districts (a base amount per 1,000
inhabitants weighted by :class:`AllocationWeight`). Adopting the framework creates a
:class:`DistrictBudget` per district per year with a :class:`BudgetLine` per theme plus one line
for the organisational support of residents' organisations, and moves the money through the
ledger. Lines fund multi-year :class:`Commitment` s to organisations and :class:`DrawingRight` s:
hours of a provider that a :class:`ResidentGroup` may call on (:class:`HoursDelivery`).

Amounts are integer cents, hours integer minutes, shares integer basis points (1/100 %).
The money itself lives in the ledger; the amounts here are what adoption decided.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buurtbasis.accounts.models import Organisation
from buurtbasis.areas.models import Area, Indicator

#: 100 % in basis points.
FULL_SHARE = 10_000
#: The longest period a framework may cover.
MAX_PERIOD_YEARS = 10


class BudgetFramework(models.Model):
    """The municipal method and money for the district budgets of a period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        ADOPTED = "adopted", _("vastgesteld")

    class HoursRule(models.TextChoices):
        LAPSE = "lapse", _("niet gebruikte uren vervallen aan het eind van het jaar")
        CARRY_OVER = "carry_over", _("niet gebruikte uren gaan mee naar het volgende jaar")

    municipality = models.ForeignKey(
        Area,
        verbose_name=_("gemeente"),
        on_delete=models.PROTECT,
        related_name="budget_frameworks",
        limit_choices_to={"level": "GM"},
    )
    name = models.CharField(_("naam"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("eerste jaar"))
    end_year = models.PositiveSmallIntegerField(_("laatste jaar"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    min_support_share_bp = models.PositiveIntegerField(
        _("minimaal aandeel organisatieondersteuning (basispunten)"),
        default=2500,
        help_text=_("10.000 basispunten is 100 %. De standaard is 25 %."),
    )
    support_share_bp = models.PositiveIntegerField(
        _("aandeel organisatieondersteuning (basispunten)"),
        default=2500,
        help_text=_("Deel van elk wijkbudget voor de ondersteuning van bewonersorganisaties."),
    )
    base_amount_per_1000_cents = models.BigIntegerField(
        _("basisbedrag per 1.000 inwoners per jaar (cent)"), default=2_000_000
    )
    hours_rule = models.CharField(
        _("niet gebruikte uren van trekkingsrechten"),
        max_length=12,
        choices=HoursRule.choices,
        default=HoursRule.LAPSE,
    )
    statistics_year = models.PositiveSmallIntegerField(
        _("jaar van de wijkcijfers"),
        null=True,
        blank=True,
        help_text=_("Leeg: de nieuwste cijfers die er zijn."),
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    adopted_at = models.DateTimeField(_("vastgesteld op"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgesteld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("budgetkader")
        verbose_name_plural = _("budgetkaders")
        ordering = ["-start_year", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="framework_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(end_year__lt=F("start_year") + MAX_PERIOD_YEARS),
                name="framework_period_at_most_10_years",
            ),
            models.CheckConstraint(
                condition=Q(min_support_share_bp__lte=FULL_SHARE)
                & Q(support_share_bp__lte=FULL_SHARE),
                name="framework_shares_at_most_100pct",
            ),
            models.CheckConstraint(
                condition=Q(base_amount_per_1000_cents__gte=0),
                name="framework_base_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(adopted_at__isnull=False),
                name="framework_adopted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_year}–{self.end_year})"

    def get_absolute_url(self) -> str:
        return reverse("budgets:framework_detail", kwargs={"pk": self.pk})

    @property
    def area(self) -> Area:
        """The municipality: permissions look at ``obj.area``."""
        return self.municipality

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED


class FundingSource(models.Model):
    """Where money comes from: a law (Wmo, Jeugdwet …), funds, housing corporations …"""

    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("gemeente (wettelijke taak)")
        CARE_INSURANCE = "care_insurance", _("zorgverzekeraar of zorgkantoor")
        FUND = "fund", _("fonds")
        HOUSING = "housing", _("woningcorporatie")
        OWN = "own", _("eigen bijdrage")
        BUSINESS = "business", _("bedrijven")
        OTHER = "other", _("anders")

    framework = models.ForeignKey(BudgetFramework, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("naam"), max_length=100)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        verbose_name = _("geldbron")
        verbose_name_plural = _("geldbronnen")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="one_source_name_per_fw")
        ]

    def __str__(self) -> str:
        return self.name


class SourceAmount(models.Model):
    """What one source puts into the district budgets in one year; optionally also how much
    public money from this source the municipality spends in total that year (for the
    money-flow view)."""

    source = models.ForeignKey(FundingSource, on_delete=models.CASCADE, related_name="amounts")
    year = models.PositiveSmallIntegerField(_("jaar"))
    amount_cents = models.BigIntegerField(_("naar de wijkbudgetten (cent)"), default=0)
    public_total_cents = models.BigIntegerField(
        _("totaal publiek geld uit deze bron in de gemeente (cent)"),
        default=0,
        help_text=_("Optioneel. Wordt gebruikt voor het overzicht van geldstromen."),
    )

    class Meta:
        verbose_name = _("bedrag van een geldbron")
        verbose_name_plural = _("bedragen van geldbronnen")
        ordering = ["source__position", "source_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["source", "year"], name="one_amount_per_source_year"),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="source_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(public_total_cents=0) | Q(public_total_cents__gte=F("amount_cents")),
                name="source_public_total_covers_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.year}: {self.amount_cents}"


class Theme(models.Model):
    """A public-value theme with its share of each district budget."""

    framework = models.ForeignKey(BudgetFramework, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("naam"), max_length=100)
    share_bp = models.PositiveIntegerField(_("aandeel (basispunten)"), default=0)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="one_theme_name_per_fw"),
            models.CheckConstraint(
                condition=Q(share_bp__lte=FULL_SHARE), name="theme_share_at_most_100pct"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AllocationWeight(models.Model):
    """How strongly an indicator moves money towards (positive) or away from (negative)
    districts where it is higher than in the municipality as a whole."""

    framework = models.ForeignKey(BudgetFramework, on_delete=models.CASCADE, related_name="weights")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    weight_bp = models.IntegerField(_("gewicht (basispunten)"), default=0)

    class Meta:
        verbose_name = _("verdeelgewicht")
        verbose_name_plural = _("verdeelgewichten")
        ordering = ["indicator__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "indicator"], name="one_weight_per_indicator_fw"
            ),
            models.CheckConstraint(
                condition=Q(weight_bp__gte=-FULL_SHARE) & Q(weight_bp__lte=FULL_SHARE),
                name="weight_between_minus_and_plus_100pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.weight_bp}"


class DistrictBudget(models.Model):
    """The budget of one district in one year, created when the framework is adopted."""

    framework = models.ForeignKey(
        BudgetFramework, on_delete=models.PROTECT, related_name="district_budgets"
    )
    district = models.ForeignKey(
        Area, verbose_name=_("wijk"), on_delete=models.PROTECT, related_name="district_budgets"
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))
    inhabitants = models.PositiveIntegerField(_("inwoners"), default=0)
    # The district weight of the allocation formula, in millionths (1.0 = 1_000_000).
    weight_ppm = models.BigIntegerField(_("gewicht (miljoenste)"), default=1_000_000)
    account = models.ForeignKey(
        "ledger.Account",
        verbose_name=_("grootboekrekening"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("wijkbudget")
        verbose_name_plural = _("wijkbudgetten")
        ordering = ["year", "district__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "district", "year"], name="one_budget_per_district_year"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="district_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district.name} {self.year}"

    def get_absolute_url(self) -> str:
        return (
            reverse("budgets:district_budget", kwargs={"code": self.district.code})
            + f"?jaar={self.year}"
        )

    @property
    def area(self) -> Area:
        return self.district


class BudgetLine(models.Model):
    """A part of a district budget: one theme, or the organisational support of residents'
    organisations (``theme`` empty, ``is_support`` true)."""

    district_budget = models.ForeignKey(
        DistrictBudget, on_delete=models.PROTECT, related_name="lines"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    is_support = models.BooleanField(_("organisatieondersteuning"), default=False)
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))
    account = models.ForeignKey(
        "ledger.Account",
        verbose_name=_("grootboekrekening"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("budgetregel")
        verbose_name_plural = _("budgetregels")
        ordering = ["district_budget_id", "-is_support", "theme__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(is_support=True) & Q(theme__isnull=True))
                | (Q(is_support=False) & Q(theme__isnull=False)),
                name="line_is_theme_or_support",
            ),
            models.UniqueConstraint(fields=["district_budget", "theme"], name="one_line_per_theme"),
            models.UniqueConstraint(
                fields=["district_budget"],
                condition=Q(is_support=True),
                name="one_support_line_per_budget",
            ),
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.district_budget} — {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("budgets:line_detail", kwargs={"pk": self.pk})

    @property
    def label(self) -> str:
        if self.is_support or self.theme is None:
            return str(_("Ondersteuning van bewonersorganisaties"))
        return self.theme.name

    @property
    def key(self) -> str:
        """Stable within a framework: ``support`` or ``theme-<pk>``."""
        return "support" if self.is_support else f"theme-{self.theme_id}"

    @property
    def area(self) -> Area:
        return self.district_budget.district


class Commitment(models.Model):
    """Money from a line for an organisation, every year from ``start_year`` until it is ended
    with notice (``end_year``) or the framework's period ends. It renews by itself: no yearly
    re-application."""

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budgetregel (eerste jaar)"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="budget_commitments",
    )
    amount_cents = models.BigIntegerField(_("bedrag per jaar (cent)"))
    start_year = models.PositiveSmallIntegerField(_("eerste jaar"))
    end_year = models.PositiveSmallIntegerField(_("laatste jaar"), null=True, blank=True)
    description = models.CharField(_("waarvoor"), max_length=300, blank=True)
    notice_given_at = models.DateField(_("opgezegd op"), null=True, blank=True)
    notice_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opgezegd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    account = models.ForeignKey(
        "ledger.Account",
        verbose_name=_("grootboekrekening"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("toezegging")
        verbose_name_plural = _("toezeggingen")
        ordering = ["start_year", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="commitment_positive"),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="commitment_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.line.label}"

    @property
    def area(self) -> Area:
        return self.line.district_budget.district

    def runs_in(self, year: int) -> bool:
        return year >= self.start_year and (self.end_year is None or year <= self.end_year)


class CommitmentYear(models.Model):
    """One posted year of a commitment: the line of that year paid ``amount_cents`` to the
    commitment (ledger transaction ``transaction_id``); reversed when the commitment was ended
    before that year."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField(_("jaar"))
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="commitment_years")
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))
    transaction_id = models.BigIntegerField(_("boeking"))
    reversal_transaction_id = models.BigIntegerField(_("terugboeking"), null=True, blank=True)
    posted_at = models.DateTimeField(_("geboekt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("jaar van een toezegging")
        verbose_name_plural = _("jaren van toezeggingen")
        ordering = ["year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "year"], name="commitment_year_once"),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="commitment_year_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.year}"

    @property
    def is_reversed(self) -> bool:
        return self.reversal_transaction_id is not None


class ResidentGroup(models.Model):
    """A residents' group that can hold drawing rights: a name, a contact person and, when it
    has one, its organisation (a foundation or association)."""

    district = models.ForeignKey(
        Area,
        verbose_name=_("wijk"),
        on_delete=models.PROTECT,
        related_name="resident_groups",
        limit_choices_to={"level": "WK"},
    )
    name = models.CharField(_("naam van de groep"), max_length=200)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contactpersoon"),
        on_delete=models.PROTECT,
        related_name="contact_for_groups",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leden die uren mogen bevestigen"),
        blank=True,
        related_name="resident_groups",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie (als die er is)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resident_groups",
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("bewonersgroep")
        verbose_name_plural = _("bewonersgroepen")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="one_group_name_per_district")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area(self) -> Area:
        return self.district


class DrawingRight(models.Model):
    """A residents' group may call on ``minutes_granted`` of a provider's hours in ``year``,
    paid from a budget line (*trekkingsrecht*)."""

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budgetregel"),
        on_delete=models.PROTECT,
        related_name="drawing_rights",
    )
    group = models.ForeignKey(
        ResidentGroup,
        verbose_name=_("bewonersgroep"),
        on_delete=models.PROTECT,
        related_name="drawing_rights",
    )
    provider_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("aanbieder (organisatie)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drawing_rights",
    )
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aanbieder (zelfstandige)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drawing_rights_provided",
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    minutes_granted = models.PositiveIntegerField(_("toegekende minuten"))
    description = models.CharField(_("waarvoor"), max_length=300, blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("meegenomen uit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("jaar afgesloten op"), null=True, blank=True)
    account = models.ForeignKey(
        "ledger.Account",
        verbose_name=_("grootboekrekening"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_account = models.ForeignKey(
        "ledger.Account",
        verbose_name=_("grootboekrekening gebruikte uren"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("trekkingsrecht")
        verbose_name_plural = _("trekkingsrechten")
        ordering = ["year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(provider_organisation__isnull=False) & Q(provider_user__isnull=True))
                | (Q(provider_organisation__isnull=True) & Q(provider_user__isnull=False)),
                name="drawing_right_has_one_provider",
            ),
            models.CheckConstraint(
                condition=Q(minutes_granted__gt=0), name="drawing_right_positive"
            ),
            models.UniqueConstraint(
                fields=["carried_from"],
                condition=Q(carried_from__isnull=False),
                name="carried_over_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.provider_label} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("budgets:drawing_right_detail", kwargs={"pk": self.pk})

    @property
    def provider(self) -> models.Model:
        provider = self.provider_organisation or self.provider_user
        assert provider is not None
        return provider

    @property
    def provider_label(self) -> str:
        return str(self.provider)

    @property
    def area(self) -> Area:
        return self.group.district


class HoursDelivery(models.Model):
    """Hours a provider says it delivered under a drawing right; the group confirms them (or
    disputes them). Only confirmed hours are used in the ledger."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("vastgelegd door de aanbieder")
        CONFIRMED = "confirmed", _("bevestigd door de groep")
        DISPUTED = "disputed", _("betwist door de groep")

    drawing_right = models.ForeignKey(
        DrawingRight, on_delete=models.PROTECT, related_name="deliveries"
    )
    minutes = models.PositiveIntegerField(_("minuten"))
    date = models.DateField(_("datum"))
    description = models.CharField(_("wat is er gedaan"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bevestigd door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    dispute_reason = models.CharField(_("reden van bezwaar"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("geleverde uren")
        verbose_name_plural = _("geleverde uren")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="delivery_positive"),
            models.CheckConstraint(
                condition=~Q(status="confirmed")
                | (Q(confirmed_by__isnull=False) & Q(confirmed_at__isnull=False)),
                name="confirmed_delivery_has_confirmer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drawing_right} {self.date} {self.minutes} min"
