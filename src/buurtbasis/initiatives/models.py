"""Resident initiatives (*bewonersinitiatieven*): one page each, owned by its initiators; needs
answered by the right party; light grants from a district's budget line decided by residents;
a funding plan from several sources and a directory of funds; a fair neighbourhood vote with
the Method of Equal Shares; stories of what it brought.

Amounts are integer cents, hours integer minutes, shares basis points (10 000 = 100 %). Money
moves only through :mod:`buurtbasis.ledger.services` (see ``services/grants.py``). Ballots are
stored apart from who voted (see :class:`Ballot` and docs/initiatives.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buurtbasis.accounts.models import Organisation
from buurtbasis.areas.models import Area

#: 100 % in basis points.
FULL_SHARE = 10_000
#: The default limit of a small grant: € 1.000 (decided by one resident and one professional).
DEFAULT_SMALL_LIMIT_CENTS = 100_000
#: Working days for a decision on a small grant, and on a larger one by the panel.
DEFAULT_SMALL_DAYS = 10
DEFAULT_PANEL_DAYS = 20


class Theme(models.TextChoices):
    """What an initiative (or a fund) is about; used for filters and fund suggestions."""

    SUSTAINABILITY = "sustainability", _("Duurzaamheid")
    LIVEABILITY = "liveability", _("Leefbaarheid")
    CARE = "care", _("Zorgzaamheid & zorg")
    SHARING = "sharing", _("Delen & herverdelen")
    INCLUSION = "inclusion", _("Inclusiviteit & samenleven")
    GREEN = "green", _("Groen")
    YOUTH = "youth", _("Jeugd")
    ELDERLY = "elderly", _("Ouderen")
    MEETING = "meeting", _("Ontmoeting")
    CULTURE = "culture", _("Cultuur")
    SPORT = "sport", _("Sport & bewegen")
    MONEY_WORRIES = "money_worries", _("Armoede & geldzorgen")


# --- The initiative ---------------------------------------------------------------------------


class Initiative(models.Model):
    class State(models.TextChoices):
        IDEA = "idea", _("idee")
        RUNNING = "running", _("loopt")
        PAUSED = "paused", _("staat even stil")
        ENDED = "ended", _("afgerond")

    # The five required fields.
    name = models.CharField(_("naam"), max_length=120)
    description = models.TextField(_("wat wil je doen?"))
    area = models.ForeignKey(
        Area,
        verbose_name=_("buurt"),
        on_delete=models.PROTECT,
        related_name="initiatives",
        limit_choices_to={"level": "BU"},
    )
    contact = models.CharField(_("contact"), max_length=200)
    needs_text = models.TextField(_("wat heb je nodig?"))
    # Optional.
    state = models.CharField(
        _("stand van zaken"), max_length=10, choices=State.choices, default=State.IDEA
    )
    state_note = models.CharField(_("in eigen woorden"), max_length=500, blank=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("plek"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
    )
    agenda_goals = models.ManyToManyField(
        "agenda.AgendaGoal",
        verbose_name=_("doelen van de wijkagenda"),
        blank=True,
        related_name="initiatives",
    )
    photo = models.ImageField(_("foto"), upload_to="initiatives/%Y/", blank=True)
    starts_on = models.DateField(_("begint op"), null=True, blank=True)
    ends_on = models.DateField(_("eindigt op"), null=True, blank=True)
    # The host organisation holds the initiative's money for it (its ledger account).
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("gastorganisatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_initiatives",
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestart door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("bijgewerkt op"), auto_now=True)

    class Meta:
        verbose_name = _("initiatief")
        verbose_name_plural = _("initiatieven")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["area", "state"])]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="initiative_has_name"),
            models.CheckConstraint(
                condition=Q(state__in=["idea", "running", "paused", "ended"]),
                name="initiative_state_known",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="initiative_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:detail", kwargs={"pk": self.pk})

    @property
    def district(self) -> Area | None:
        return self.area.parent


class InitiativeTheme(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(_("thema"), max_length=20, choices=Theme.choices)

    class Meta:
        verbose_name = _("thema van een initiatief")
        verbose_name_plural = _("thema's van initiatieven")
        ordering = ["theme"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "theme"], name="initiative_theme_once")
        ]

    def __str__(self) -> str:
        return self.get_theme_display()


class Owner(models.Model):
    """An initiator: owns the initiative and may change it (with the co-owners)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="owners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="initiative_ownerships"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("sinds"), auto_now_add=True)

    class Meta:
        verbose_name = _("initiatiefnemer")
        verbose_name_plural = _("initiatiefnemers")
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["initiative", "user"], name="owner_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.initiative}"


class Participant(models.Model):
    """A neighbour who takes part ("ik doe mee"); may post stories."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="initiative_participations"
    )
    joined_at = models.DateTimeField(_("doet mee sinds"), auto_now_add=True)

    class Meta:
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "user"], name="participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.initiative}"


class Comment(models.Model):
    """A reaction, or an offer of support, from anyone signed in; it never changes the
    initiative itself."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("reactie")
        OFFER = "offer", _("aanbod van steun")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiative_comments",
    )
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("tekst"))
    created_at = models.DateTimeField(_("geplaatst op"), auto_now_add=True)

    class Meta:
        verbose_name = _("reactie")
        verbose_name_plural = _("reacties")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="comment_has_text")]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.text[:40]}"


class Need(models.Model):
    """Something the initiative needs; each kind is answered by its own party."""

    class Kind(models.TextChoices):
        MONEY = "money", _("geld")
        HOURS = "hours", _("uren ondersteuning")
        SPACE = "space", _("een ruimte")
        THINGS = "things", _("spullen")
        VOLUNTEERS = "volunteers", _("vrijwilligers")

    class Status(models.TextChoices):
        OPEN = "open", _("gezocht")
        MET = "met", _("gevonden")
        CLOSED = "closed", _("niet meer nodig")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("wat"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("omschrijving"), max_length=300)
    amount_cents = models.BigIntegerField(_("bedrag (cent)"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("uren (minuten)"), null=True, blank=True)
    status = models.CharField(
        _("stand"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("behoefte")
        verbose_name_plural = _("behoeften")
        ordering = ["initiative_id", "pk"]
        indexes = [models.Index(fields=["kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="money") | Q(amount_cents__gt=0), name="money_need_has_amount"
            ),
            models.CheckConstraint(
                condition=~Q(kind="hours") | Q(minutes__gt=0), name="hours_need_has_minutes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    @property
    def area(self) -> Area:
        return self.initiative.area


class NeedAnswer(models.Model):
    """An offer to meet a need: hours of a drawing-rights provider, a space from a place's
    keeper, things or help from neighbours. The initiators accept or decline it."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("aangeboden")
        ACCEPTED = "accepted", _("aangenomen")
        DECLINED = "declined", _("afgeslagen")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="answers")
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="need_answers",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawing_right = models.ForeignKey(
        "budgets.DrawingRight",
        verbose_name=_("trekkingsrecht"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="need_answers",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("plek"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="need_answers",
    )
    message = models.TextField(_("bericht"))
    minutes = models.PositiveIntegerField(_("uren (minuten)"), null=True, blank=True)
    status = models.CharField(
        _("stand"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("aanbod")
        verbose_name_plural = _("aanbod")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(message=""), name="answer_has_text")]

    def __str__(self) -> str:
        return f"{self.need}: {self.message[:40]}"


# --- Light grants -----------------------------------------------------------------------------


class LineSettings(models.Model):
    """How grants from one budget line are decided (a setting per line; defaults when
    missing)."""

    line = models.OneToOneField(
        "budgets.BudgetLine",
        verbose_name=_("budgetregel"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="grant_settings",
    )
    open_for_requests = models.BooleanField(_("aanvragen mogelijk"), default=True)
    small_limit_cents = models.BigIntegerField(
        _("grens kleine aanvraag (cent)"),
        default=DEFAULT_SMALL_LIMIT_CENTS,
        help_text=_("Tot en met dit bedrag beslissen één bewoner en één professional samen."),
    )
    small_days = models.PositiveSmallIntegerField(
        _("werkdagen voor een kleine aanvraag"), default=DEFAULT_SMALL_DAYS
    )
    panel_days = models.PositiveSmallIntegerField(
        _("werkdagen voor de buurtjury"), default=DEFAULT_PANEL_DAYS
    )
    vote_enabled = models.BooleanField(_("buurtstemming als instrument"), default=False)
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("gastorganisatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Beheert het geld voor initiatieven zonder eigen gastorganisatie."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("instellingen voor aanvragen")
        verbose_name_plural = _("instellingen voor aanvragen")
        constraints = [
            models.CheckConstraint(
                condition=Q(small_limit_cents__gte=0), name="small_limit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(small_days__gte=1) & Q(panel_days__gte=1), name="decision_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(self.line)

    @property
    def area(self) -> Area:
        return self.line.district_budget.district


class GrantRequest(models.Model):
    class Route(models.TextChoices):
        SMALL = "small", _("een bewoner en een professional")
        PANEL = "panel", _("de buurtjury")
        VOTE = "vote", _("de buurtstemming")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("wacht op besluit")
        APPROVED = "approved", _("toegekend")
        REJECTED = "rejected", _("niet toegekend")
        WITHDRAWN = "withdrawn", _("ingetrokken")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="grant_requests"
    )
    line = models.ForeignKey(
        "budgets.BudgetLine",
        verbose_name=_("budgetregel"),
        on_delete=models.PROTECT,
        related_name="grant_requests",
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="grant_requests"
    )
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))
    why = models.TextField(_("waarom"))
    for_whom = models.TextField(_("voor wie"))
    route = models.CharField(_("wie beslist"), max_length=10, choices=Route.choices)
    status = models.CharField(
        _("stand"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("ingediend op"), auto_now_add=True)
    deadline = models.DateField(_("besluit uiterlijk op"))
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    reasons = models.TextField(_("redenen (openbaar)"), blank=True)
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("gastorganisatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payout = models.ForeignKey(
        "ledger.Transaction",
        verbose_name=_("uitbetaling"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("herinnering gestuurd op"), null=True, blank=True)
    # When the district's professionals and civil servants were told the deadline had passed.
    escalated_at = models.DateTimeField(_("te laat gemeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("aanvraag")
        verbose_name_plural = _("aanvragen")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "withdrawn"]) | Q(decided_at__isnull=False),
                name="decided_grant_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(payout__isnull=False),
                name="approved_grant_is_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} — {self.amount_cents}"

    def get_absolute_url(self) -> str:
        return reverse("initiatives:grant_detail", kwargs={"pk": self.pk})

    @property
    def area(self) -> Area:
        """The district of the budget line: deciders are residents and professionals there."""
        return self.line.district_budget.district

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED


class BudgetItem(models.Model):
    """One line of the simple budget of a request."""

    request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(_("waarvoor"), max_length=200)
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))

    class Meta:
        verbose_name = _("begrotingsregel")
        verbose_name_plural = _("begrotingsregels")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="budget_item_positive")
        ]

    def __str__(self) -> str:
        return self.description


class Decision(models.Model):
    """One decider's yes or no on a request, with the reason (published)."""

    class Capacity(models.TextChoices):
        RESIDENT = "resident", _("bewoner")
        PROFESSIONAL = "professional", _("professional")
        PANEL = "panel", _("lid van de buurtjury")

    request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="decisions")
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grant_decisions",
    )
    capacity = models.CharField(_("als"), max_length=12, choices=Capacity.choices)
    approve = models.BooleanField(_("toekennen"))
    reason = models.TextField(_("reden"))
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stem op een aanvraag")
        verbose_name_plural = _("stemmen op aanvragen")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "decider"], name="one_decision_per_person"),
            models.UniqueConstraint(
                fields=["request", "capacity"],
                condition=Q(capacity__in=["resident", "professional"]),
                name="one_resident_one_professional",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.capacity} {'ja' if self.approve else 'nee'}"


class Panel(models.Model):
    """The buurtjury of a district: residents appointed or drawn by lot from volunteers."""

    district = models.OneToOneField(
        Area,
        verbose_name=_("wijk"),
        on_delete=models.PROTECT,
        related_name="grant_panel",
        limit_choices_to={"level": "WK"},
    )
    size = models.PositiveSmallIntegerField(_("aantal leden"), default=5)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("buurtjury")
        verbose_name_plural = _("buurtjury's")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=3) & Q(size__lte=15), name="panel_size_3_to_15"
            )
        ]

    def __str__(self) -> str:
        return str(self.district.name)

    @property
    def area(self) -> Area:
        return self.district


class PanelMember(models.Model):
    class How(models.TextChoices):
        APPOINTED = "appointed", _("benoemd")
        LOT = "lot", _("geloot")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_memberships"
    )
    how = models.CharField(_("hoe"), max_length=10, choices=How.choices)
    since = models.DateTimeField(_("sinds"), auto_now_add=True)
    until = models.DateTimeField(_("tot"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("jurylid")
        verbose_name_plural = _("juryleden")
        ordering = ["since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "user"], condition=Q(until__isnull=True), name="active_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.panel}"


class PanelVolunteer(models.Model):
    """A resident of the district who is willing to decide on grants (drawn for the panel,
    asked for small grants)."""

    district = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="grant_volunteers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_volunteering"
    )
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vrijwillige beslisser")
        verbose_name_plural = _("vrijwillige beslissers")
        constraints = [models.UniqueConstraint(fields=["district", "user"], name="volunteer_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.district}"


class PanelDraw(models.Model):
    """A drawing by lot, kept so anyone can check it: the seed, who could be drawn and who
    was (user ids)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="draws")
    seed = models.CharField(_("startgetal"), max_length=64)
    candidates = models.JSONField(_("kandidaten"), default=list)
    chosen = models.JSONField(_("getrokken"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("loting")
        verbose_name_plural = _("lotingen")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.panel} {self.drawn_at:%Y-%m-%d}"


# --- Co-funding -------------------------------------------------------------------------------


class SourceType(models.TextChoices):
    """The sources of hybrid funding (002 L1613–1621)."""

    OWN = "own", _("eigen bijdragen")
    COOPERATIVE = "cooperative", _("coöperatie")
    FUND = "fund", _("fondsen")
    HOUSING = "housing", _("woningcorporatie")
    HEALTH_INSURER = "health_insurer", _("zorgverzekeraar")
    BUSINESS = "business", _("bedrijven")
    GOVERNMENT = "government", _("overheid")


class CoFundingRule(models.Model):
    """A row of the municipal co-funding table (002 L1559–1562): the more an activity serves
    the care for very vulnerable residents, the larger the municipal share — from 90 % to less
    than 10 %."""

    municipality = models.ForeignKey(
        Area,
        verbose_name=_("gemeente"),
        on_delete=models.CASCADE,
        related_name="cofunding_rules",
        limit_choices_to={"level": "GM"},
    )
    label = models.CharField(_("soort activiteit"), max_length=200)
    description = models.CharField(_("toelichting"), max_length=500, blank=True)
    share_bp = models.PositiveIntegerField(_("aandeel gemeente (basispunten)"))
    max_cents = models.BigIntegerField(_("hoogstens (cent)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        verbose_name = _("regel voor cofinanciering")
        verbose_name_plural = _("regels voor cofinanciering")
        ordering = ["municipality_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_bp__lte=FULL_SHARE), name="cofunding_share_at_most_100pct"
            ),
            models.CheckConstraint(
                condition=Q(max_cents__isnull=True) | Q(max_cents__gte=0),
                name="cofunding_max_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def area(self) -> Area:
        return self.municipality


class FundingPlan(models.Model):
    """What the initiative costs in total and where the money comes from (the lines)."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="funding_plan"
    )
    total_cents = models.BigIntegerField(_("totale kosten (cent)"), default=0)
    cofunding_rule = models.ForeignKey(
        CoFundingRule,
        verbose_name=_("soort activiteit (cofinanciering)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("financieringsplan")
        verbose_name_plural = _("financieringsplannen")
        constraints = [
            models.CheckConstraint(condition=Q(total_cents__gte=0), name="plan_total_not_negative")
        ]

    def __str__(self) -> str:
        return str(self.initiative)


class FundingLine(models.Model):
    plan = models.ForeignKey(FundingPlan, on_delete=models.CASCADE, related_name="lines")
    source = models.CharField(_("bron"), max_length=20, choices=SourceType.choices)
    description = models.CharField(_("van wie"), max_length=200, blank=True)
    fund = models.ForeignKey(
        "Fund", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_lines"
    )
    pledged_cents = models.BigIntegerField(_("toegezegd (cent)"), default=0)
    received_cents = models.BigIntegerField(_("ontvangen (cent)"), default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("regel van een financieringsplan")
        verbose_name_plural = _("regels van financieringsplannen")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pledged_cents__gte=0) & Q(received_cents__gte=0),
                name="funding_line_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.pledged_cents}"


class Fund(models.Model):
    """An entry of the directory of funds."""

    class Level(models.TextChoices):
        LOCAL = "local", _("lokaal")
        REGIONAL = "regional", _("regionaal")
        NATIONAL = "national", _("landelijk")

    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("wat steunt het fonds?"), blank=True)
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("werkgebied"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funds",
        help_text=_("Leeg voor een landelijk fonds."),
    )
    min_cents = models.BigIntegerField(_("vanaf (cent)"), null=True, blank=True)
    max_cents = models.BigIntegerField(_("tot (cent)"), null=True, blank=True)
    deadline = models.DateField(_("uiterste datum"), null=True, blank=True)
    asks = models.TextField(_("wat vraagt het fonds?"), blank=True)
    url = models.URLField(_("website"), blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="funds"
    )
    is_active = models.BooleanField(_("actief"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fonds")
        verbose_name_plural = _("fondsen")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="fund_has_name"),
            models.CheckConstraint(
                condition=Q(min_cents__isnull=True)
                | Q(max_cents__isnull=True)
                | Q(max_cents__gte=F("min_cents")),
                name="fund_amounts_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:fund_detail", kwargs={"pk": self.pk})


class FundTheme(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(_("thema"), max_length=20, choices=Theme.choices)

    class Meta:
        verbose_name = _("thema van een fonds")
        verbose_name_plural = _("thema's van fondsen")
        ordering = ["theme"]
        constraints = [models.UniqueConstraint(fields=["fund", "theme"], name="fund_theme_once")]

    def __str__(self) -> str:
        return self.get_theme_display()


# --- The neighbourhood vote -------------------------------------------------------------------


class Vote(models.Model):
    """A vote on (part of) a budget line: residents of the district approve initiatives on
    the ballot; the Method of Equal Shares decides."""

    class Status(models.TextChoices):
        NOMINATING = "nominating", _("initiatieven aanmelden")
        OPEN = "open", _("stemmen")
        CLOSED = "closed", _("gesloten")
        COUNTED = "counted", _("uitslag bekend")

    class Utility(models.TextChoices):
        COST = "cost", _("naar bedrag (zoals Wieliczka)")
        CARDINALITY = "cardinality", _("elk initiatief even zwaar")

    line = models.ForeignKey(
        "budgets.BudgetLine",
        verbose_name=_("budgetregel"),
        on_delete=models.PROTECT,
        related_name="votes",
    )
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("uitleg"), blank=True)
    budget_cents = models.BigIntegerField(_("te verdelen (cent)"))
    status = models.CharField(
        _("stand"), max_length=12, choices=Status.choices, default=Status.NOMINATING
    )
    utility = models.CharField(
        _("hoe telt een stem"), max_length=12, choices=Utility.choices, default=Utility.COST
    )
    increment_cents = models.PositiveIntegerField(
        _("stap van de aanvulling (cent per stemmer)"), default=100
    )
    closes_on = models.DateField(_("stemmen kan tot en met"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    voters = models.PositiveIntegerField(_("aantal stemmers"), default=0)
    per_voter_budget = models.CharField(
        _("deel per stemmer (cent, breuk)"), max_length=100, blank=True
    )
    mes_runs = models.PositiveIntegerField(default=0)
    mes_total_cents = models.BigIntegerField(default=0)
    greedy_total_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("buurtstemming")
        verbose_name_plural = _("buurtstemmingen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_cents__gt=0), name="vote_budget_positive"),
            models.CheckConstraint(
                condition=Q(increment_cents__gt=0), name="vote_increment_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="counted") | Q(counted_at__isnull=False),
                name="counted_vote_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("initiatives:vote_detail", kwargs={"pk": self.pk})

    @property
    def area(self) -> Area:
        return self.line.district_budget.district


class VoteOption(models.Model):
    """An initiative on the ballot, with the amount it asks. Removed only for legality, with
    the reason published."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="vote_options"
    )
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))
    summary = models.CharField(_("waarvoor"), max_length=300)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("van de stemlijst gehaald op"), null=True, blank=True)
    removal_reason = models.TextField(_("reden (openbaar)"), blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Filled in when the vote is counted.
    approvals = models.PositiveIntegerField(_("stemmen"), default=0)
    mes_selected = models.BooleanField(default=False)
    mes_round = models.PositiveSmallIntegerField(null=True, blank=True)
    greedy_selected = models.BooleanField(default=False)
    grant = models.OneToOneField(
        GrantRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="vote_option"
    )

    class Meta:
        verbose_name = _("initiatief op de stemlijst")
        verbose_name_plural = _("stemlijst")
        ordering = ["vote_id", "nominated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "initiative"], name="initiative_once_on_ballot"
            ),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="option_amount_positive"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removal_reason=""),
                name="removal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} ({self.amount_cents})"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def area(self) -> Area:
        return self.vote.area


class BallotMethod(models.TextChoices):
    ONLINE = "online", _("online")
    ASSISTED = "assisted", _("met hulp van een professional")
    PAPER = "paper", _("op papier, ingevoerd door een professional")


class VoterRecord(models.Model):
    """That a person voted (and how), never what: one per person per vote."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="voter_records")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vote_records"
    )
    method = models.CharField(_("hoe"), max_length=10, choices=BallotMethod.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gestemd")
        verbose_name_plural = _("gestemd")
        constraints = [
            models.UniqueConstraint(fields=["vote", "user"], name="one_ballot_per_voter")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}: user {self.user_id}"


class Ballot(models.Model):
    """What was approved, without who: a random id (no sequence, no time, no method) and
    ``voter_key``, a keyed hash (HMAC with the site's secret key) of vote and person. Only the
    server, computing the key for the signed-in voter, finds a person's own ballot; the table
    alone does not say whose ballot is whose. How someone voted (online, assisted, paper) is
    kept only on the :class:`VoterRecord`. When the vote closes the ballots are written again
    in a random order with new ids (``services.votes.close_vote``), so their order in the
    database no longer follows the order of voting. ``shares`` is what this voter's share paid
    for each winner (cents), filled in when the vote is counted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=64)
    approvals = models.JSONField(_("voor"), default=list)
    shares = models.JSONField(_("bijdrage per gekozen initiatief (cent)"), default=dict)

    class Meta:
        verbose_name = _("stembiljet")
        verbose_name_plural = _("stembiljetten")
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter_key"], name="one_ballot_per_key")
        ]

    def __str__(self) -> str:
        return str(self.id)


# --- Stories of value -------------------------------------------------------------------------


class Story(models.Model):
    """What it brought (*wat heeft het opgeleverd*), in words and pictures. No counters."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="stories")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("wat heeft het opgeleverd?"))
    photo = models.ImageField(_("foto"), upload_to="initiatives/stories/%Y/", blank=True)
    photo_alt = models.CharField(_("wat staat er op de foto?"), max_length=200, blank=True)
    grant = models.ForeignKey(
        GrantRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verhaal")
        verbose_name_plural = _("verhalen")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="story_has_text")]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.text[:40]}"


class Expense(models.Model):
    """What the grant was spent on: with the stories, the accounting for a grant."""

    grant = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="expenses")
    description = models.CharField(_("waaraan"), max_length=200)
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))
    spent_on = models.DateField(_("datum"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uitgave")
        verbose_name_plural = _("uitgaven")
        ordering = ["spent_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="expense_positive")
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount_cents}"
