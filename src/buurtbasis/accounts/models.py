"""People and their roles per area, consent records."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtbasis.areas.models import Area


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str | None, password: str | None = None, **extra: Any) -> User:
        email = self.normalize_email(email).strip().lower() if email else None
        user = self.model(email=email or None, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses are stored lower-case; signing in ignores case.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": (username or "").strip()})


class User(AbstractBaseUser, PermissionsMixin):
    """A person. E-mail is the log-in; an assisted account (registered by a professional for a
    resident without e-mail or internet) has no e-mail until the resident takes it over."""

    email = models.EmailField(_("e-mailadres"), unique=True, null=True, blank=True)
    display_name = models.CharField(_("naam die anderen zien"), max_length=100)
    home_neighbourhood = models.ForeignKey(
        Area,
        verbose_name=_("woonbuurt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": "BU"},
    )
    languages = models.CharField(
        _("talen"), max_length=200, blank=True, help_text=_("Bijvoorbeeld: Nederlands, Turks")
    )
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(_("toegang tot beheer"), default=False)
    date_joined = models.DateTimeField(_("lid sinds"), default=timezone.now)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geholpen door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assisted_accounts",
    )
    # Only a keyed hash (HMAC-SHA256, hex) of the one-time take-over code is stored.
    takeover_code = models.CharField(max_length=64, blank=True, db_index=True)
    takeover_code_expires = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")

    def __str__(self) -> str:
        return self.display_name or (self.email or f"#{self.pk}")

    @property
    def is_assisted(self) -> bool:
        return self.assisted_by_id is not None and not self.email


class Organisation(models.Model):
    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=100, blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RESIDENT = "resident", _("bewoner")
    INITIATOR = "initiator", _("initiatiefnemer")
    PROFESSIONAL = "professional", _("professional")
    CIVIL_SERVANT = "civil_servant", _("ambtenaar")
    COUNCIL_MEMBER = "council_member", _("raadslid")
    FUNDER = "funder", _("fonds")
    ADMINISTRATOR = "administrator", _("beheerder")


class Membership(models.Model):
    """A role of a person in an area. A role in a municipality or district also counts in every
    area below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    since = models.DateTimeField(_("sinds"), default=timezone.now)
    # A resident role is self-declared at sign-up; a professional or civil servant of the area
    # (or an administrator) confirms that the person lives there (``services.verify_resident``).
    verified_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User,
        verbose_name=_("bevestigd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rol in gebied")
        verbose_name_plural = _("rollen in gebieden")
        constraints = [
            models.UniqueConstraint(fields=["user", "area", "role"], name="one_role_per_area"),
            models.CheckConstraint(
                condition=~Q(role="professional") | Q(organisation__isnull=False),
                name="professional_has_organisation",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(role="resident"),
                name="only_residents_are_verified",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | Q(verified_at__isnull=False),
                name="verifier_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.area.name}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Consent(models.Model):
    """A recorded consent (or its withdrawal). Rows are appended, never edited: the newest row
    per user and purpose is the current state."""

    class Purpose(models.TextChoices):
        ASSISTED_ACCOUNT = "assisted_account", _("account beheerd met hulp van een professional")
        PROFILE_VISIBLE = "profile_visible", _("naam zichtbaar voor buurtgenoten")
        KEY_PERSON = "key_person", _("genoemd worden als sterkhouder in het wijkbeeld")
        CONTACT_BY_EMAIL = "contact_by_email", _("berichten per e-mail")

    class Method(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("op papier")
        PHONE = "phone", _("telefonisch")
        IN_PERSON = "in_person", _("persoonlijk")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("doel"), max_length=40, choices=Purpose.choices)
    given = models.BooleanField(_("gegeven"))
    method = models.CharField(_("hoe"), max_length=20, choices=Method.choices)
    recorded_by = models.ForeignKey(
        User,
        verbose_name=_("vastgelegd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("wanneer"), default=timezone.now)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.purpose} {'ja' if self.given else 'nee'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Consent rows are append-only: add a new row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Consent rows are append-only; they go only with their person.")
