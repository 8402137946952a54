"""The municipal framework, the BuurtTop and the neighbourhood future agenda
(seed 001 L7629–7824, L3130–3215).

- :class:`Framework` (*uitgangspunten*): one page per municipality that the council adopts
  (draft → adopted, with date): the public values (:class:`PublicValue`), the district
  division, the time span (beyond one council term; pilots), the parties and what is expected of
  them (:class:`Party`), the instruments. Revising an adopted framework keeps the adopted text
  as a :class:`FrameworkRevision`.
- :class:`BuurtTop`: a neighbourhood summit (or the yearly BuurtTop day) with preparation
  :class:`WorkingGroup` s per theme (members, :class:`MeetingNote` s), a statistics briefing
  generated from the wijkbeeld, :class:`Registration` s (online, or on paper / by phone entered
  by a professional) and the outcomes of the day.
- :class:`Agenda` (*wijktoekomstagenda*): :class:`AgendaGoal` s with a horizon of 5 or 10 years,
  each linked to a public value or marked as the residents' own, with :class:`AgendaAction` s,
  working groups, and a yearly :class:`GoalReview` recording progress in words.

Budget lines point to agenda goals through :class:`GoalBudgetLine` (kept here, because
``budgets`` sits below ``agenda`` and never imports it), so money can be traced to the agenda.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buurtbasis.areas.models import Area

#: A council term is four years; the framework's time span must be longer (seed 001 L7660).
COUNCIL_TERM_YEARS = 4


class Framework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        ADOPTED = "adopted", _("vastgesteld door de gemeenteraad")

    municipality = models.OneToOneField(
        Area,
        verbose_name=_("gemeente"),
        on_delete=models.PROTECT,
        related_name="agenda_framework",
        limit_choices_to={"level": "GM"},
    )
    title = models.CharField(_("titel"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    revision = models.PositiveSmallIntegerField(_("versie"), default=1)
    adopted_on = models.DateField(_("vastgesteld op"), null=True, blank=True)
    decision_reference = models.CharField(_("raadsbesluit (kenmerk)"), max_length=200, blank=True)
    summary = models.TextField(
        _("waarom"),
        blank=True,
        help_text=_("Van aanbesteden naar de wijk: wat de gemeente wil bereiken en waarom."),
    )
    funding_sources = models.TextField(
        _("geldbronnen"),
        blank=True,
        help_text=_("Welke geldbronnen gaan naar meerjarige wijkbudgetten, en wanneer?"),
    )
    democratisation = models.TextField(
        _("democratisering"),
        blank=True,
        help_text=_("Hoe krijgen bewoners medezeggenschap in hun wijk?"),
    )
    instruments = models.TextField(
        _("stappen en instrumenten"),
        blank=True,
        help_text=_("Bijv. wijkbeeld, raadpleging, BuurtTop, toekomstagenda, opbouwwerk."),
    )
    start_year = models.PositiveSmallIntegerField(_("van jaar"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("tot en met jaar"), null=True, blank=True)
    pilots = models.TextField(
        _("pilots en overgang"), blank=True, help_text=_("Proeftuinen, pilotwijken, overgangstijd.")
    )
    role_of_politics = models.TextField(_("rol van de politiek"), blank=True)
    district_division = models.TextField(
        _("wijkindeling"), blank=True, help_text=_("Toelichting op de indeling in wijken.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("uitgangspunten")
        verbose_name_plural = _("uitgangspunten")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(adopted_on__isnull=False),
                name="agenda_framework_adopted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="agenda_framework_span_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:framework", kwargs={"code": self.municipality.code})

    @property
    def area(self) -> Area:
        return self.municipality

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED


class FrameworkRevision(models.Model):
    """An adopted text kept when the framework is revised."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("versie"))
    adopted_on = models.DateField(_("vastgesteld op"))
    snapshot = models.JSONField(_("tekst zoals vastgesteld"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("eerdere versie van de uitgangspunten")
        verbose_name_plural = _("eerdere versies van de uitgangspunten")
        ordering = ["framework_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="one_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number}"


class PublicValue(models.Model):
    """A public value (theme) the council wants the neighbourhoods to serve, e.g.
    *duurzaamheid*. Shared with the budgets' themes by name."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="public_values")
    name = models.CharField(_("naam"), max_length=100)
    description = models.TextField(_("omschrijving"), blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        verbose_name = _("publieke waarde")
        verbose_name_plural = _("publieke waarden")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="one_value_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def area(self) -> Area:
        return self.framework.municipality


class Party(models.Model):
    """A party in the change and what is expected of it."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("partij"), max_length=200)
    expectation = models.TextField(_("wat verwachten we van hen"))
    contribution = models.CharField(_("in welke vorm"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        verbose_name = _("partij")
        verbose_name_plural = _("partijen")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class BuurtTop(models.Model):
    class Kind(models.TextChoices):
        SUMMIT = "summit", _("BuurtTop (eens in de vier jaar)")
        YEARLY_DAY = "yearly_day", _("jaarlijkse BuurtTopdag")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("in voorbereiding")
        HELD = "held", _("gehouden")

    area = models.ForeignKey(
        Area, verbose_name=_("gebied"), on_delete=models.PROTECT, related_name="buurttops"
    )
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices, default=Kind.SUMMIT)
    title = models.CharField(_("titel"), max_length=200)
    held_on = models.DateField(_("datum"))
    location = models.CharField(_("plek"), max_length=200, blank=True)
    description = models.TextField(_("uitnodiging"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREPARING
    )
    outcomes = models.TextField(_("uitkomsten van de dag"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("BuurtTop")
        verbose_name_plural = _("BuurtToppen")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="preparing") | ~Q(outcomes=""),
                name="buurttop_held_has_outcomes",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:buurttop", kwargs={"pk": self.pk})


class Agenda(models.Model):
    """The wijktoekomstagenda of a district or neighbourhood."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        PUBLISHED = "published", _("gepubliceerd")

    area = models.ForeignKey(
        Area, verbose_name=_("gebied"), on_delete=models.PROTECT, related_name="agendas"
    )
    buurttop = models.ForeignKey(
        BuurtTop,
        verbose_name=_("BuurtTop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agendas",
    )
    title = models.CharField(_("titel"), max_length=200)
    vision = models.TextField(_("waar willen we staan"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("vanaf jaar"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wijktoekomstagenda")
        verbose_name_plural = _("wijktoekomstagenda's")
        ordering = ["-start_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="agenda_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class AgendaGoal(models.Model):
    """A goal of the wijktoekomstagenda. Stable name for other apps: ``agenda.AgendaGoal``
    (budget lines point here so money can be traced to the agenda)."""

    class Horizon(models.IntegerChoices):
        FIVE = 5, _("over 5 jaar")
        TEN = 10, _("over 10 jaar")

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("doel"), max_length=200)
    description = models.TextField(_("toelichting"), blank=True)
    horizon_years = models.PositiveSmallIntegerField(_("horizon"), choices=Horizon.choices)
    public_value = models.ForeignKey(
        PublicValue,
        verbose_name=_("publieke waarde"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
    )
    residents_own = models.BooleanField(_("eigen doel van de bewoners"), default=False)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(public_value__isnull=False) | Q(residents_own=True),
                name="goal_has_value_or_is_own",
            ),
            models.CheckConstraint(
                condition=Q(horizon_years__in=[5, 10]), name="goal_horizon_5_or_10"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:detail", kwargs={"pk": self.agenda_id}) + f"#doel-{self.pk}"

    @property
    def area(self) -> Area:
        return self.agenda.area

    @property
    def target_year(self) -> int:
        return self.agenda.start_year + self.horizon_years


class WorkingGroup(models.Model):
    """A working group: preparing a BuurtTop on a theme, or following up an agenda."""

    buurttop = models.ForeignKey(
        BuurtTop, null=True, blank=True, on_delete=models.CASCADE, related_name="groups"
    )
    agenda = models.ForeignKey(
        Agenda, null=True, blank=True, on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("naam"), max_length=200)
    public_value = models.ForeignKey(
        PublicValue,
        verbose_name=_("thema (publieke waarde)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="working_groups",
    )
    theme = models.CharField(
        _("eigen thema"), max_length=200, blank=True, help_text=_("Als het geen publieke waarde is")
    )
    purpose = models.TextField(_("opdracht"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("werkgroep")
        verbose_name_plural = _("werkgroepen")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(buurttop__isnull=False) | Q(agenda__isnull=False),
                name="group_belongs_somewhere",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agenda:group", kwargs={"pk": self.pk})

    @property
    def area(self) -> Area:
        if self.buurttop_id:
            assert self.buurttop is not None
            return self.buurttop.area
        assert self.agenda is not None
        return self.agenda.area

    @property
    def theme_label(self) -> str:
        return self.public_value.name if self.public_value else self.theme


class WorkingGroupMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("trekker")
        MEMBER = "member", _("lid")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_groups",
    )
    # For a member without an account (joined on paper or by phone).
    name = models.CharField(_("naam"), max_length=100, blank=True)
    role = models.CharField(_("rol"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lid van een werkgroep")
        verbose_name_plural = _("leden van werkgroepen")
        ordering = ["-role", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(user__isnull=False),
                name="one_membership_per_group",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="member_has_user_or_name"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.user.display_name if self.user else self.name


class MeetingNote(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="notes")
    held_on = models.DateField(_("datum"))
    body = models.TextField(_("verslag"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verslag")
        verbose_name_plural = _("verslagen")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.group} {self.held_on}"


class Registration(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("op papier")
        PHONE = "phone", _("telefonisch")
        IN_PERSON = "in_person", _("persoonlijk")

    buurttop = models.ForeignKey(BuurtTop, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="buurttop_registrations",
    )
    name = models.CharField(_("naam"), max_length=100)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    needs = models.CharField(
        _("wat heeft u nodig om mee te doen"),
        max_length=300,
        blank=True,
        help_text=_("Bijv. vervoer, een tolk, kinderopvang, rolstoelplek"),
    )
    channel = models.CharField(
        _("aangemeld"), max_length=12, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["buurttop", "user"],
                condition=Q(user__isnull=False),
                name="one_registration_per_person",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="registration_has_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.buurttop}"


class AgendaAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("gepland")
        RUNNING = "running", _("loopt")
        DONE = "done", _("klaar")
        STOPPED = "stopped", _("gestopt")

    goal = models.ForeignKey(AgendaGoal, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("actie"), max_length=200)
    description = models.TextField(_("toelichting"), blank=True)
    who = models.CharField(_("wie doet het"), max_length=200, blank=True)
    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("werkgroep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    status = models.CharField(
        _("stand"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def area(self) -> Area:
        return self.goal.agenda.area


class GoalReview(models.Model):
    """The yearly review of a goal (at the BuurtTop day): progress in words, not scores."""

    goal = models.ForeignKey(AgendaGoal, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("jaar"))
    progress = models.TextField(_("hoe staat het ervoor"))
    buurttop = models.ForeignKey(
        BuurtTop,
        verbose_name=_("besproken op"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("jaarlijkse terugblik")
        verbose_name_plural = _("jaarlijkse terugblikken")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "year"], name="one_review_per_goal_year"),
            models.CheckConstraint(condition=~Q(progress=""), name="review_has_words"),
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.year}"


class GoalBudgetLine(models.Model):
    """A budget line of the district's budget that pays for (part of) an agenda goal, so money
    can be traced to the agenda. Lives in ``agenda`` because ``budgets`` sits below it."""

    goal = models.ForeignKey(AgendaGoal, on_delete=models.CASCADE, related_name="budget_links")
    budget_line = models.ForeignKey(
        "budgets.BudgetLine",
        verbose_name=_("budgetregel"),
        on_delete=models.CASCADE,
        related_name="agenda_goal_links",
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budgetregel bij een doel")
        verbose_name_plural = _("budgetregels bij doelen")
        ordering = ["goal_id", "budget_line_id"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "budget_line"], name="one_link_per_goal_line")
        ]

    def __str__(self) -> str:
        return f"{self.goal} ← {self.budget_line_id}"

    @property
    def area(self) -> Area:
        return self.goal.agenda.area
