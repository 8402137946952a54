"""Neighbour help: requests and offers (posts), what people can help with, conversations,
thanks, bloemetje nominations, blocks and reports.

Every point (``lat_e6``/``lon_e6``, integer micro-degrees) is private: it is used to compute
distances and never shown; pages, the API and e-mails show only a distance rounded to 100 m
(see :mod:`buurtbasis.mutualhelp.geo`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtbasis.areas.models import Area


class Direction(models.TextChoices):
    REQUEST = "request", _("vraag")
    OFFER = "offer", _("aanbod")


class Kind(models.TextChoices):
    TASK = "task", _("een klus of taak")
    LEND = "lend", _("iets lenen")
    RIDE = "ride", _("een rit (meerijden)")
    SKILL = "skill", _("iets wat je kunt of weet")
    TIME = "time", _("tijd en aandacht")


class Category(models.TextChoices):
    ODD_JOBS = "odd_jobs", _("Klussen in en om het huis")
    MOVING = "moving", _("Tillen en verhuizen")
    GARDEN = "garden", _("Tuin en groen")
    SHOPPING = "shopping", _("Boodschappen")
    TRANSPORT = "transport", _("Vervoer en meerijden")
    THINGS = "things", _("Spullen en gereedschap")
    DIGITAL = "digital", _("Computer en telefoon")
    PAPERWORK = "paperwork", _("Post en formulieren")
    LANGUAGE = "language", _("Taal, lezen en schrijven")
    COMPANY = "company", _("Gezelschap en wandelen")
    COOKING = "cooking", _("Koken en eten")
    PETS = "pets", _("Huisdieren en planten")
    CHILDREN = "children", _("Kinderen en oppassen")
    OTHER = "other", _("Iets anders")


class Recurrence(models.TextChoices):
    ONCE = "once", _("één keer")
    WEEKLY = "weekly", _("elke week")
    MONTHLY = "monthly", _("elke maand")


class Moment(models.IntegerChoices):
    """Parts of the week, stored as a bit mask (0 = any time)."""

    WEEKDAY_MORNING = 1, _("doordeweeks 's ochtends")
    WEEKDAY_AFTERNOON = 2, _("doordeweeks 's middags")
    WEEKDAY_EVENING = 4, _("doordeweeks 's avonds")
    WEEKEND_MORNING = 8, _("in het weekend 's ochtends")
    WEEKEND_AFTERNOON = 16, _("in het weekend 's middags")
    WEEKEND_EVENING = 32, _("in het weekend 's avonds")


ALL_MOMENTS = sum(Moment.values)


class HelpProfile(models.Model):
    """What a person can offer, where (privately) and how they want to hear about requests.

    There is no public page of a person: only they themselves see their profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_profile"
    )
    neighbourhood = models.ForeignKey(
        Area,
        verbose_name=_("buurt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lat_e6 = models.IntegerField(_("breedtegraad (micrograden)"), null=True, blank=True)
    lon_e6 = models.IntegerField(_("lengtegraad (micrograden)"), null=True, blank=True)
    # When the point last changed (not when first set): limits how often it may move, so
    # nobody can read rounded distances from many places (setting POINT_CHANGE_COOLDOWN_HOURS).
    point_changed_at = models.DateTimeField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("hoe ver wilt u gaan (meter)"), default=1000)
    moments = models.PositiveSmallIntegerField(_("wanneer kunt u"), default=0)
    vulnerable = models.BooleanField(_("plek nooit tonen"), default=False)
    vulnerable_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    digest_opt_out = models.BooleanField(_("geen dagelijkse e-mail"), default=False)
    last_active_at = models.DateTimeField(_("laatst actief"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("burenhulpprofiel")
        verbose_name_plural = _("burenhulpprofielen")
        constraints = [
            models.CheckConstraint(
                condition=(Q(lat_e6__isnull=True) & Q(lon_e6__isnull=True))
                | (
                    Q(lat_e6__gte=-90_000_000, lat_e6__lte=90_000_000)
                    & Q(lon_e6__gte=-180_000_000, lon_e6__lte=180_000_000)
                ),
                name="mh_profile_point_valid",
            ),
            models.CheckConstraint(condition=Q(radius_m__gte=100), name="mh_profile_radius_min"),
        ]

    def __str__(self) -> str:
        return f"{self.user}"

    @property
    def has_point(self) -> bool:
        return self.lat_e6 is not None and self.lon_e6 is not None


class Capability(models.Model):
    """ "I can help with this kind of thing" — one row per person and category.

    Point, radius, moments, last activity and the vulnerable flag are copies of the profile's
    (kept in step by the services), so that finding helpers near a request is one range scan
    on an index (category, lat, lon) without joins."""

    profile = models.ForeignKey(HelpProfile, on_delete=models.CASCADE, related_name="capabilities")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("categorie"), max_length=20, choices=Category.choices)
    lat_e6 = models.IntegerField(null=True, blank=True)
    lon_e6 = models.IntegerField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(default=1000)
    moments = models.PositiveSmallIntegerField(default=0)
    last_active_at = models.DateTimeField(null=True, blank=True)
    vulnerable = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("kan helpen met")
        verbose_name_plural = _("kan helpen met")
        constraints = [
            models.UniqueConstraint(fields=["profile", "category"], name="mh_one_capability"),
        ]
        indexes = [
            # Covering: a matching ring is answered from the index alone.
            models.Index(
                fields=[
                    "category",
                    "lat_e6",
                    "lon_e6",
                    "radius_m",
                    "user",
                    "moments",
                    "last_active_at",
                    "vulnerable",
                ],
                name="mh_cap_match",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}"


class PostQuerySet(models.QuerySet["Post"]):
    def open(self) -> PostQuerySet:
        return self.filter(status=Post.Status.OPEN)

    def listed(self) -> PostQuerySet:
        """Open posts that may appear in public lists (never a vulnerable person's)."""
        return self.filter(status=Post.Status.OPEN, hide_location=False)


class Post(models.Model):
    """A request for help or an offer of help."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        AGREED = "agreed", _("afgesproken")
        CLOSED = "closed", _("afgerond")
        WITHDRAWN = "withdrawn", _("ingetrokken")
        HIDDEN = "hidden", _("verborgen door moderatie")

    direction = models.CharField(_("vraag of aanbod"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    category = models.CharField(_("categorie"), max_length=20, choices=Category.choices)
    title = models.CharField(_("korte omschrijving"), max_length=120)
    description = models.TextField(_("toelichting"), max_length=2000, blank=True)
    # The person the post is for, and who typed it (a helper when posted on someone's behalf).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voor wie"),
        on_delete=models.CASCADE,
        related_name="help_posts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geplaatst door"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    neighbourhood = models.ForeignKey(
        Area, verbose_name=_("buurt"), on_delete=models.PROTECT, related_name="help_posts"
    )
    lat_e6 = models.IntegerField()
    lon_e6 = models.IntegerField()
    radius_m = models.PositiveIntegerField(_("zoekafstand (meter)"), default=1000)
    hide_location = models.BooleanField(_("plek nooit tonen"), default=False)
    # A copy of the owner's last activity (for matching without a join), kept in step.
    owner_active_at = models.DateTimeField(null=True, blank=True)
    recurrence = models.CharField(
        _("hoe vaak"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    moments = models.PositiveSmallIntegerField(_("wanneer"), default=0)
    starts_at = models.DateTimeField(_("datum en tijd"), null=True, blank=True)
    return_by = models.DateField(_("terug op"), null=True, blank=True)
    ride_from = models.CharField(_("rit van"), max_length=100, blank=True)
    ride_to = models.CharField(_("rit naar"), max_length=100, blank=True)
    seats = models.PositiveSmallIntegerField(_("plaatsen"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    agreed_with = models.ForeignKey(
        "Conversation",
        verbose_name=_("afgesproken in gesprek"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("geplaatst"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When someone other than the post's side first replied (a request without one is
    # "unanswered"); when it was flagged to the community worker; when it went into a digest.
    first_reply_at = models.DateTimeField(null=True, blank=True)
    flagged_unanswered_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("hulpvraag of -aanbod")
        verbose_name_plural = _("hulpvragen en -aanbod")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="ride") | Q(seats__gte=1), name="mh_ride_has_seats"
            ),
            models.CheckConstraint(
                condition=Q(seats__isnull=True) | Q(seats__gte=1), name="mh_seats_positive"
            ),
            models.CheckConstraint(
                condition=Q(lat_e6__gte=-90_000_000, lat_e6__lte=90_000_000)
                & Q(lon_e6__gte=-180_000_000, lon_e6__lte=180_000_000),
                name="mh_post_point_valid",
            ),
            models.CheckConstraint(condition=Q(radius_m__gte=100), name="mh_post_radius_min"),
            models.CheckConstraint(condition=~Q(title=""), name="mh_post_has_title"),
        ]
        indexes = [
            # Matching: open posts of one direction and category inside a bounding box.
            # Covering (every column the search reads), so a ring needs no table lookups.
            models.Index(
                fields=[
                    "status",
                    "direction",
                    "category",
                    "lat_e6",
                    "lon_e6",
                    "radius_m",
                    "starts_at",
                    "recurrence",
                    "id",
                    "owner",
                    "kind",
                    "moments",
                    "hide_location",
                    "owner_active_at",
                    "created_by",
                ],
                name="mh_post_match",
            ),
            # The neighbourhood page: newest open posts of one direction.
            # Covering: the newest first straight from the index, and the count without
            # reading the table (hide_location, starts_at, recurrence are the other filters).
            models.Index(
                fields=[
                    "neighbourhood",
                    "status",
                    "direction",
                    "-created_at",
                    "-id",
                    "hide_location",
                    "starts_at",
                    "recurrence",
                ],
                name="mh_post_listing",
            ),
            models.Index(fields=["status", "direction", "digested_at"], name="mh_post_digest"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mutualhelp:post_detail", kwargs={"pk": self.pk})

    @property
    def is_request(self) -> bool:
        return self.direction == Direction.REQUEST

    @property
    def on_behalf(self) -> bool:
        return self.owner_id != self.created_by_id

    @property
    def area(self) -> Area:
        """The neighbourhood (for area-based permissions)."""
        return self.neighbourhood

    def side_user_ids(self) -> set[int]:
        """The people who speak for the post: its owner and whoever placed it for them."""
        return {self.owner_id, self.created_by_id}


class AssistedHelper(models.Model):
    """A neighbour who may post and answer for a person without internet.

    This is not a consent of its own: it points at the person's consent row in
    :class:`buurtbasis.accounts.models.Consent` (purpose ``assisted_account``), recorded
    when the helper was added. When that consent is withdrawn, the link no longer counts."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assisted_helpers"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helping"
    )
    consent = models.ForeignKey("accounts.Consent", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("helpende buurtgenoot")
        verbose_name_plural = _("helpende buurtgenoten")
        constraints = [
            models.CheckConstraint(condition=~Q(person=F("helper")), name="mh_helper_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} → {self.person_id}"


class Conversation(models.Model):
    """Messages between the side of a post (its owner, and a helper who placed it) and one
    other person. Contact details are shown only when both sides agreed to share them."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="conversations")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_conversations"
    )
    # The participant's own post this conversation is about (their offer for a request).
    other_post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    post_side_shares_contact = models.BooleanField(default=False)
    participant_shares_contact = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("gesprek")
        verbose_name_plural = _("gesprekken")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "participant"], name="mh_one_conversation"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} ↔ {self.participant_id}"

    def get_absolute_url(self) -> str:
        return reverse("mutualhelp:conversation", kwargs={"pk": self.pk})

    @property
    def contact_shared(self) -> bool:
        return self.post_side_shares_contact and self.participant_shares_contact


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    from_post_side = models.BooleanField()
    body = models.TextField(_("bericht"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(_("verborgen door moderatie"), default=False)

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="mh_msg_conv")]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.body[:40]}"


class Thanks(models.Model):
    """A thank-you from one side of a conversation to the other. Never counted or ranked."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="thanks")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thanks_received"
    )
    from_post_side = models.BooleanField()
    text = models.TextField(_("uw bedankje"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bedankje")
        verbose_name_plural = _("bedankjes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "from_post_side"], name="mh_one_thanks_per_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id}"


class Nomination(models.Model):
    """A nomination for the monthly *bloemetje* of a neighbourhood."""

    thanks = models.OneToOneField(
        Thanks, null=True, blank=True, on_delete=models.SET_NULL, related_name="nomination"
    )
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    neighbourhood = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("maand"))
    reason = models.CharField(_("waarom"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("voordracht bloemetje")
        verbose_name_plural = _("voordrachten bloemetje")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominated_by", "nominee", "month"], name="mh_one_nomination_a_month"
            ),
            models.CheckConstraint(
                condition=~Q(nominee=F("nominated_by")), name="mh_no_self_nomination"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.nominee_id}"


class Bloemetje(models.Model):
    """The monthly recognition of one neighbour in a neighbourhood, chosen by the community
    worker. The name is shown publicly only when the person agreed."""

    neighbourhood = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("maand"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    citation = models.CharField(_("waarom dit bloemetje"), max_length=500)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name_public = models.BooleanField(_("naam mag op de buurtpagina"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bloemetje")
        verbose_name_plural = _("bloemetjes")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "month"], name="mh_one_bloemetje_a_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.neighbourhood_id}"


class Block(models.Model):
    """``blocker`` does not want contact with ``blocked``: no messages either way, and neither
    is shown to the other as a candidate."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("blokkade")
        verbose_name_plural = _("blokkades")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="mh_one_block"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="mh_no_self_block"),
        ]
        indexes = [models.Index(fields=["blocked"], name="mh_block_blocked")]

    def __str__(self) -> str:
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class Report(models.Model):
    """A report of a post or a message, handled by a community worker of the area."""

    class Reason(models.TextChoices):
        UNSAFE = "unsafe", _("onveilig of bedreigend")
        OFFENSIVE = "offensive", _("kwetsend of discriminerend")
        SPAM = "spam", _("reclame of spam")
        COMMERCIAL = "commercial", _("betaald werk of verkoop")
        OTHER = "other", _("iets anders")

    class Status(models.TextChoices):
        OPEN = "open", _("te beoordelen")
        DECIDED = "decided", _("beoordeeld")

    class Decision(models.TextChoices):
        NO_ACTION = "no_action", _("niets doen")
        HIDE = "hide", _("verbergen")
        WARN = "warn", _("waarschuwen")

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    # The neighbourhood whose community workers handle the report.
    neighbourhood = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reden"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("toelichting"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField(_("besluit"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("motivering"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(message__isnull=True))
                | (Q(post__isnull=True) & Q(message__isnull=False)),
                name="mh_report_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(decision="") & ~Q(decision_reason="")),
                name="mh_decision_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["neighbourhood", "status"], name="mh_report_queue")]

    def __str__(self) -> str:
        return f"{self.reason} {self.status}"

    @property
    def area(self) -> Area:
        return self.neighbourhood


class DigestEntry(models.Model):
    """One line for one person in the daily e-mail; sent once."""

    class Reason(models.TextChoices):
        CANDIDATE = "candidate", _("u kunt misschien helpen")
        OFFER_NEARBY = "offer_nearby", _("nieuw aanbod bij u in de buurt")
        UNANSWERED = "unanswered", _("vraag zonder reactie")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    distance_m = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("regel in de dagelijkse e-mail")
        verbose_name_plural = _("regels in de dagelijkse e-mail")
        constraints = [
            models.UniqueConstraint(fields=["user", "post", "reason"], name="mh_one_digest_line"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.post_id} {self.reason}"
