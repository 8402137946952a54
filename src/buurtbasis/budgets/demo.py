"""Demo data for neighbourhood budgets: :func:`load_demo_budgets` is called by the demo loader
(``manage.py load_demo``) after the areas, statistics and people exist.

It plays the story of the issue through the real services: a civil servant sets up a framework
for four years, fills in the sources, adopts it; the welfare organisation gets a multi-year
commitment for the organisational support of residents' organisations; a residents' group gets
a drawing right on hours of the welfare organisation; the professional records hours and the
group confirms some of them. Running it again changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from buurtbasis.accounts.models import Membership, Organisation, Role, User
from buurtbasis.accounts.services import get_or_create_organisation
from buurtbasis.areas.models import Area, Level

from . import services
from .models import BudgetFramework, BudgetLine, DrawingRight, ResidentGroup

DEMO_FRAMEWORK_NAME = "Meerjarige wijkbudgetten {start}–{end}"
PERIOD_YEARS = 4
# Per source (default names): (to the district budgets, public total in the municipality) in
# euros per year; both grow 2 % a year.
DEMO_SOURCES: dict[str, tuple[int, int]] = {
    "Wmo": (1_200_000, 24_000_000),
    "Jeugdwet": (400_000, 12_000_000),
    "Zvw": (150_000, 60_000_000),
    "Wlz": (50_000, 40_000_000),
    "Fondsen": (75_000, 1_500_000),
    "Woningcorporaties": (100_000, 8_000_000),
    "Eigen bijdragen": (10_000, 500_000),
    "Bedrijven": (25_000, 750_000),
}
GROUP_NAME = "Bewonersgroep {district}"
COMMITMENT_EUROS = 45_000
DRAWING_RIGHT_HOURS = 40
# (days before today, minutes, what was done, confirmed by the group?)
DELIVERIES = (
    (40, 120, "Hulp bij het opzetten van de bewonersgroep", True),
    (21, 90, "Overleg met de woningcorporatie over de speelplek", True),
    (5, 60, "Voorbereiding van de buurtavond", False),
)


def _first(role: str, municipality: Area, **extra: object) -> Membership | None:
    return (
        Membership.objects.filter(role=role, area__municipality=municipality, **extra)
        .select_related("user", "area", "organisation")
        .order_by("pk")
        .first()
    )


def _actor(municipality: Area) -> User:
    membership = _first(Role.CIVIL_SERVANT, municipality) or _first(
        Role.ADMINISTRATOR, municipality
    )
    if membership is None:
        raise ValueError(f"the demo of {municipality.code} needs a civil servant")
    return membership.user


def load_demo_budgets(municipality: Area, *, today: datetime.date | None = None) -> BudgetFramework:
    """Create, fill and adopt a four-year framework for ``municipality`` (from this year on),
    with a commitment, a residents' group, a drawing right and delivered/confirmed hours.
    Needs a civil servant (or administrator) of the municipality; uses the first professional
    with an organisation, and the first resident, when there are any. Idempotent."""
    today = today or timezone.localdate()
    start, end = today.year, today.year + PERIOD_YEARS - 1
    name = DEMO_FRAMEWORK_NAME.format(start=start, end=end)
    existing = BudgetFramework.objects.filter(municipality=municipality, name=name).first()
    if existing is None:
        # A demo loaded in an earlier year: its adopted framework still covers this year (a
        # second one for the same years could not be adopted).
        existing = BudgetFramework.objects.filter(
            municipality=municipality,
            status=BudgetFramework.Status.ADOPTED,
            start_year__lte=start,
            end_year__gte=start,
        ).first()
    if existing is not None:
        return existing
    actor = _actor(municipality)
    with transaction.atomic():
        framework = services.create_framework(
            municipality,
            actor=actor,
            name=name,
            start_year=start,
            end_year=end,
            hours_rule=BudgetFramework.HoursRule.CARRY_OVER,
        )
        rows = []
        for source in framework.sources.all():
            euros, public = DEMO_SOURCES.get(source.name, (0, 0))
            rows.append(
                services.SourceInput(
                    pk=source.pk,
                    name=source.name,
                    kind=source.kind,
                    amounts={
                        y: euros * 100 * 102 ** (y - start) // 100 ** (y - start)
                        for y in framework.years
                    },
                    public_totals={
                        y: public * 100 * 102 ** (y - start) // 100 ** (y - start)
                        for y in framework.years
                    },
                )
            )
        services.set_sources(framework, rows, actor=actor)
        services.adopt(framework, actor)
        _demo_commitment(framework, actor, start)
        _demo_drawing_right(framework, actor, start, today)
    return framework


def _line(framework: BudgetFramework, district: Area, year: int, theme: str | None) -> BudgetLine:
    lines = BudgetLine.objects.filter(
        district_budget__framework=framework,
        district_budget__district=district,
        district_budget__year=year,
    )
    return lines.get(theme__name=theme) if theme else lines.get(is_support=True)


def _professional(municipality: Area) -> Membership | None:
    return _first(Role.PROFESSIONAL, municipality, organisation__isnull=False)


def _district_of(membership: Membership) -> Area:
    area = membership.area
    if area.level == Level.NEIGHBOURHOOD and area.parent is not None:
        return area.parent
    return area


def _first_district(municipality: Area) -> Area:
    district = (
        Area.objects.filter(municipality=municipality, level=Level.DISTRICT)
        .order_by("code")
        .first()
    )
    assert district is not None  # adoption needs districts
    return district


def _demo_commitment(framework: BudgetFramework, actor: User, year: int) -> None:
    professional = _professional(framework.municipality)
    if professional is not None and professional.area.level != Level.MUNICIPALITY:
        district = _district_of(professional)
        organisation: Organisation = professional.organisation  # type: ignore[assignment]
    else:
        district = _first_district(framework.municipality)
        organisation = get_or_create_organisation("Welzijn in de wijk", "welzijnsorganisatie")
    services.create_commitment(
        _line(framework, district, year, None),
        organisation,
        COMMITMENT_EUROS * 100,
        actor=actor,
        description="Buurtcoördinator en huur van het buurthuis",
    )
    house = get_or_create_organisation("Stichting Buurthuis De Linde", "bewonersorganisatie")
    services.create_commitment(
        _line(framework, district, year, None),
        house,
        12_500 * 100,
        actor=actor,
        description="Beheer van het buurthuis door bewoners",
    )


def _demo_drawing_right(
    framework: BudgetFramework, actor: User, year: int, today: datetime.date
) -> None:
    resident = _first(Role.RESIDENT, framework.municipality)
    professional = _professional(framework.municipality)
    if resident is None or professional is None or professional.organisation is None:
        return
    district = _district_of(resident)
    group = ResidentGroup.objects.filter(
        district=district, name=GROUP_NAME.format(district=district.name)
    ).first() or services.create_group(
        district, GROUP_NAME.format(district=district.name), resident.user, actor=actor
    )
    right: DrawingRight = services.grant_drawing_right(
        _line(framework, district, year, "Zorgzaamheid & zorg"),
        group,
        provider=professional.organisation,
        minutes=DRAWING_RIGHT_HOURS * 60,
        actor=actor,
        description="Ondersteuning door de buurtwerker bij de activiteiten van de groep",
    )
    for days_ago, minutes, what, confirmed in DELIVERIES:
        date = max(today - datetime.timedelta(days=days_ago), datetime.date(year, 1, 1))
        delivery = services.record_hours(
            right, minutes=minutes, date=date, description=what, actor=professional.user
        )
        if confirmed:
            services.confirm_hours(delivery, actor=resident.user)
