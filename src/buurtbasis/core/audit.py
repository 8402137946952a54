"""Writing to the audit log. Services call :func:`record`; the request's origin is picked up
from the current request (set by :class:`buurtbasis.core.middleware.RequestOriginMiddleware`)
or given explicitly (for management commands: ``"cli"``)."""

from __future__ import annotations

import contextvars
from typing import Any

from django.db import models

from .models import AuditEvent

current_origin: contextvars.ContextVar[str] = contextvars.ContextVar("origin", default="system")


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    result: str = AuditEvent.Result.OK,
    origin: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit event. ``actor`` may be a user, ``None`` or an anonymous user."""
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=real_actor,
        # A non-identifying label: once the person is deleted no e-mail or name remains.
        actor_label=(f"user:{real_actor.pk}" if real_actor is not None else "anoniem"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        result=result,
        origin=origin if origin is not None else current_origin.get(),
        detail=detail,
    )
