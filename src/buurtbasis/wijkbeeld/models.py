"""The wijkbeeld: a district or neighbourhood seen whole (seed 001 L7718–7790).

A :class:`Wijkbeeld` is composed of :class:`Part` s, each with its own author and date: the
statistics (strengths beside needs), places, initiatives, organisations and professionals
present (:class:`Presence`, with their hours a week), key people (:class:`KeyPerson`, only
with their own consent), informal structures, history and tensions, collaborations that work.
Every change of a part is kept as a :class:`PartVersion`, so changes over time show. Residents
and professionals comment on parts in :class:`ConversationRound` s (the *wijklaboratorium*).

Time is in integer minutes, never floats.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtbasis.accounts.models import Organisation
from buurtbasis.areas.models import Area


class Wijkbeeld(models.Model):
    area = models.OneToOneField(
        Area, verbose_name=_("gebied"), on_delete=models.PROTECT, related_name="wijkbeeld"
    )
    title = models.CharField(_("titel"), max_length=200)
    intro = models.TextField(_("inleiding"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("wijkbeeld")
        verbose_name_plural = _("wijkbeelden")
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="wijkbeeld_has_title")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("wijkbeeld:detail", kwargs={"code": self.area.code})


class PartKind(models.TextChoices):
    STATISTICS = "statistics", _("Cijfers: sterke punten en aandachtspunten")
    PLACES = "places", _("Plekken waar mensen elkaar ontmoeten")
    INITIATIVES = "initiatives", _("Bewonersinitiatieven, organisaties en platforms")
    PROFESSIONALS = "professionals", _("Organisaties en professionals in de wijk")
    KEY_PEOPLE = "key_people", _("Sterkhouders")
    INFORMAL = "informal", _("Informele structuren")
    HISTORY = "history", _("Geschiedenis en spanningen")
    COLLABORATIONS = "collaborations", _("Samenwerking die werkt")
    OTHER = "other", _("Anders")


#: Kinds that show live data from elsewhere beside the author's text.
LIVE_KINDS = frozenset(
    {PartKind.STATISTICS, PartKind.PLACES, PartKind.PROFESSIONALS, PartKind.KEY_PEOPLE}
)


class Part(models.Model):
    wijkbeeld = models.ForeignKey(Wijkbeeld, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(_("soort"), max_length=20, choices=PartKind.choices)
    title = models.CharField(_("titel"), max_length=200)
    body = models.TextField(_("tekst"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("schrijver"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wijkbeeld_parts",
    )
    written_on = models.DateField(_("datum"), default=timezone.localdate)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)
    version = models.PositiveIntegerField(_("versie"), default=1)
    image = models.ImageField(_("afbeelding"), upload_to="wijkbeeld/%Y/", blank=True)
    image_alt = models.CharField(_("wat staat er op de afbeelding"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("onderdeel")
        verbose_name_plural = _("onderdelen")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="part_has_title")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("wijkbeeld:detail", kwargs={"code": self.wijkbeeld.area.code}) + (
            f"#deel-{self.pk}"
        )

    @property
    def area(self) -> Area:
        return self.wijkbeeld.area


class PartVersion(models.Model):
    """A snapshot of a part after each change; the newest equals the part itself."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    title = models.CharField(_("titel"), max_length=200)
    body = models.TextField(_("tekst"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("schrijver"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_on = models.DateField(_("datum"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opgeslagen door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("opgeslagen op"), default=timezone.now)
    change_note = models.CharField(_("wat is er veranderd"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("versie van een onderdeel")
        verbose_name_plural = _("versies van onderdelen")
        ordering = ["part_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["part", "number"], name="one_version_number_per_part")
        ]

    def __str__(self) -> str:
        return f"{self.part} v{self.number}"


class ConversationRound(models.Model):
    """A conversation round (gespreksronde) of the wijklaboratorium."""

    wijkbeeld = models.ForeignKey(Wijkbeeld, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("ronde"))
    title = models.CharField(_("titel"), max_length=200)
    held_on = models.DateField(_("datum bijeenkomst"), null=True, blank=True)
    location = models.CharField(_("plek"), max_length=200, blank=True)
    description = models.TextField(_("waar gaat het over"), blank=True)
    is_open = models.BooleanField(_("reageren kan"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gespreksronde")
        verbose_name_plural = _("gespreksrondes")
        ordering = ["wijkbeeld_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["wijkbeeld", "number"], name="one_round_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def area(self) -> Area:
        return self.wijkbeeld.area


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("op papier")
    PHONE = "phone", _("telefonisch")
    IN_PERSON = "in_person", _("in het gesprek")


class Comment(models.Model):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="comments")
    round = models.ForeignKey(ConversationRound, on_delete=models.PROTECT, related_name="comments")
    part_version = models.PositiveIntegerField(_("bij versie"))
    body = models.TextField(_("reactie"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("van"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wijkbeeld_comments",
    )
    # For reactions given on paper, by phone or in the meeting and typed in by a professional.
    author_name = models.CharField(_("naam (als geen account)"), max_length=100, blank=True)
    author_role = models.CharField(_("als"), max_length=40, blank=True)
    channel = models.CharField(
        _("hoe gegeven"), max_length=12, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingevoerd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("geplaatst op"), auto_now_add=True)

    class Meta:
        verbose_name = _("reactie")
        verbose_name_plural = _("reacties")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_has_body")]

    def __str__(self) -> str:
        return f"{self.part}: {self.body[:40]}"


class Tie(models.TextChoices):
    BASED_HERE = "based_here", _("werkt vanuit de wijk")
    REGULAR = "regular", _("komt vast in de wijk")
    ON_CALL = "on_call", _("komt als er een vraag is")
    CITYWIDE = "citywide", _("werkt stadsbreed")


class Presence(models.Model):
    """An organisation or professional present in the area, with hours a week."""

    wijkbeeld = models.ForeignKey(Wijkbeeld, on_delete=models.CASCADE, related_name="presences")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation_name = models.CharField(_("organisatie"), max_length=200)
    work = models.CharField(_("wat doen ze hier"), max_length=300)
    contact_name = models.CharField(_("contactpersoon"), max_length=100, blank=True)
    minutes_per_week = models.PositiveIntegerField(_("minuten per week in de wijk"), default=0)
    tie = models.CharField(
        _("hoe verbonden met de wijk"), max_length=12, choices=Tie.choices, default=Tie.REGULAR
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aanwezige organisatie")
        verbose_name_plural = _("aanwezige organisaties")
        ordering = ["organisation_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_per_week__lte=168 * 60), name="presence_at_most_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name}: {self.work}"

    @property
    def area(self) -> Area:
        return self.wijkbeeld.area


class KeyPersonKind(models.TextChoices):
    """The four types of key people (seed 003 L1967)."""

    SOCIAL_ENTREPRENEUR = "social_entrepreneur", _("sociaal ondernemer")
    BRIDGE_BUILDER = "bridge_builder", _("bruggenbouwer")
    EVERYDAY_DOER = "everyday_doer", _("alledaagse doener")
    FRONTLINE_WORKER = "frontline_worker", _("frontliniewerker")


class KeyPerson(models.Model):
    """A key person (sterkhouder), named only with their own recorded consent and shown only
    to signed-in members of the area."""

    wijkbeeld = models.ForeignKey(Wijkbeeld, on_delete=models.CASCADE, related_name="key_people")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="key_person_entries"
    )
    kind = models.CharField(_("soort sterkhouder"), max_length=24, choices=KeyPersonKind.choices)
    description = models.CharField(_("waarvoor kun je bij hem of haar terecht"), max_length=500)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sterkhouder")
        verbose_name_plural = _("sterkhouders")
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["wijkbeeld", "person"], name="one_entry_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_kind_display()})"

    @property
    def area(self) -> Area:
        return self.wijkbeeld.area
