"""Helpers shared by the initiative services: permission checks, plain-text checks, working
days, e-mail after commit, ledger descriptions."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from buurtbasis.core import audit
from buurtbasis.ledger.errors import LedgerError
from buurtbasis.ledger.money import MAX_AMOUNT

logger = logging.getLogger(__name__)


def require(actor: Any, perm: str, obj: Any, action: str, message: str | None = None) -> None:
    """Refuse (and log the refusal) when ``actor`` lacks ``perm`` on ``obj``."""
    if (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.has_perm(perm, obj)
    ):
        return
    audit.record(actor, action, obj if isinstance(obj, Model) else None, result="denied")
    raise PermissionDenied(message or _("U mag dit niet doen."))


def text(value: Any, field: str, *, max_length: int, required: bool = True, label: str) -> str:
    """Stripped text; a translated ValidationError on ``field`` when empty or too long."""
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise ValidationError({field: _("Vul %(label)s in.") % {"label": label}}, code="required")
    if len(cleaned) > max_length:
        raise ValidationError(
            {field: _("Gebruik hoogstens %(n)s tekens.") % {"n": max_length}}, code="max_length"
        )
    return cleaned


def cents(value: Any, field: str, *, label: str, allow_zero: bool = False) -> int:
    """A whole number of cents, positive (or zero when allowed)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {field: _("%(label)s: geef een bedrag in euro's.") % {"label": label}}, code="amount"
        )
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError(
            {field: _("%(label)s moet meer dan € 0,00 zijn.") % {"label": label}}, code="amount"
        )
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("%(label)s is te groot.") % {"label": label}})
    return value


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days (Monday to Friday) after ``start``. Public holidays are
    not taken into account."""
    current = start
    left = days
    while left > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
    earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            count += 1
    return count


def describe(message: str, params: Mapping[str, Any]) -> str:
    """A ledger description, always in the site's language: a retried posting must carry
    exactly the same text."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % params


def ledger_error(error: LedgerError) -> ValidationError:
    return ValidationError(str(error), code="ledger")


def lock(obj: Model) -> None:
    """Lock the row for the rest of the transaction (PostgreSQL; SQLite already holds the
    database's write lock)."""
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).exists()


def site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def notify(
    recipients: Iterable[Any],
    subject: str,
    template: str,
    context: Mapping[str, Any],
    subject_params: Mapping[str, Any] | None = None,
) -> int:
    """E-mail each recipient with an address (one message each: nobody sees the others'
    addresses), after the transaction commits, in the site's language. ``subject`` is a
    message id (mark it with ``gettext_noop``). Returns how many will be sent."""
    addresses = sorted({r.email for r in recipients if getattr(r, "email", None)})
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {**context, "site_url": str(settings.SITE_URL)})
        subject_line = _(subject) % dict(subject_params or {})

    def send() -> None:
        messages = [
            EmailMessage(subject=subject_line, body=body, to=[address]) for address in addresses
        ]
        try:
            get_connection().send_messages(messages)
        except OSError:  # a mail server that is down must not undo the decision
            logger.exception("could not send %s to %d people", template, len(addresses))

    transaction.on_commit(send)
    return len(addresses)
