"""The audit log: every service that changes money, or reads or changes sensitive personal
data, writes one row here. Rows are never updated or deleted by the application."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Result(models.TextChoices):
        OK = "ok", _("gelukt")
        DENIED = "denied", _("geweigerd")
        FAILED = "failed", _("mislukt")

    at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so the log survives deletion of the actor (right to be forgotten).
    actor_label = models.CharField(_("wie (tekst)"), max_length=200, blank=True)
    action = models.CharField(_("actie"), max_length=100, db_index=True)
    object_type = models.CharField(_("soort object"), max_length=100, blank=True)
    object_id = models.CharField(_("object"), max_length=100, blank=True)
    result = models.CharField(_("resultaat"), max_length=10, choices=Result.choices)
    origin = models.CharField(_("herkomst"), max_length=200, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.result}"
