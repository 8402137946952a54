"""What each app holds about a person, for "download my data" (and a check that none is
forgotten).

Each app that stores rows about people registers, in its ``AppConfig.ready()``, one exporter:
a function ``export(user) -> dict`` that returns the person's data in that app, and the models
it covers. A model that points at a person but holds nothing that is theirs to download is
listed under ``not_exported`` with the reason. ``accounts.services.export_user_data`` puts
every app's section in the download without importing the apps above it (the same pattern as
``core.navigation`` for area pages; see docs/architecture.md).

``tests/accounts/test_personal_data.py`` checks that every model of ours with a foreign key to
the user model is covered or listed, so a new app cannot be forgotten silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class PersonalDataExporter:
    app_label: str
    export: Callable[[Any], dict[str, Any]]
    models: frozenset[str]  # model labels ("mutualhelp.post") whose rows the export holds
    not_exported: Mapping[str, str] = field(default_factory=dict)  # model label → why not


_registry: dict[str, PersonalDataExporter] = {}


def register_personal_data(
    app_label: str,
    export: Callable[[Any], dict[str, Any]],
    *,
    models: Iterable[str],
    not_exported: Mapping[str, str] | None = None,
) -> None:
    """Register the exporter of ``app_label``. Registering again replaces it."""
    _registry[app_label] = PersonalDataExporter(
        app_label,
        export,
        frozenset(label.lower() for label in models),
        {label.lower(): reason for label, reason in (not_exported or {}).items()},
    )


def exporters() -> list[PersonalDataExporter]:
    """The registered exporters, by app label."""
    return [_registry[label] for label in sorted(_registry)]


def export_all(user: Any) -> dict[str, dict[str, Any]]:
    """Every app's section about ``user``: ``{app_label: {...}}``."""
    return {exporter.app_label: exporter.export(user) for exporter in exporters()}


def rows(queryset: QuerySet[Any], *fields: str, **expressions: Any) -> list[dict[str, Any]]:
    """The rows of ``queryset`` as plain dicts (``values()``), oldest first."""
    return list(queryset.order_by("pk").values(*fields, **expressions))
