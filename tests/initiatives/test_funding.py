"""Hybrid co-funding: the funding plan by source type, the directory of funds with suggestions
that fit an initiative's themes and place, and the municipal co-funding table."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import CoFundingRule, Fund, FundingPlan, Initiative, Theme

from .conftest import People, Town, new_initiative


def fund(actor: object, name: str, **values: object) -> Fund:
    data: dict[str, object] = {"name": name, "level": Fund.Level.NATIONAL, "themes": []}
    data.update(values)
    return services.save_fund(actor, **data)


def test_funds_are_kept_by_funders_and_officials(town: Town, people: People) -> None:
    created = fund(
        people.funder,
        "Dorpsfonds",
        level=Fund.Level.LOCAL,
        area=town.municipality,
        themes=[Theme.GREEN],
    )
    fund(people.official, "Landelijk fonds")
    for other in (people.resident, people.professional, people.council):
        with pytest.raises(PermissionDenied):
            fund(other, "Mag niet")
    with pytest.raises(ValidationError):
        fund(people.funder, "Lokaal zonder gebied", level=Fund.Level.LOCAL)
    with pytest.raises(ValidationError):
        fund(people.funder, "Omgekeerd", min_cents=500, max_cents=100)
    with pytest.raises(ValidationError):
        fund(people.funder, "Website", url="ftp://x")
    assert Fund.objects.count() == 2
    services.save_fund(
        people.funder,
        created,
        name="Dorpsfonds Groen",
        level=Fund.Level.LOCAL,
        area=town.municipality,
        themes=[Theme.GREEN, Theme.YOUTH],
    )
    created.refresh_from_db()
    assert created.name == "Dorpsfonds Groen"
    assert sorted(created.themes.values_list("theme", flat=True)) == ["green", "youth"]


def test_suggestions_match_themes_and_place_and_skip_closed_funds(
    town: Town, people: People
) -> None:
    initiative = new_initiative(people.owner, town.bu_a, themes=[Theme.GREEN, Theme.MEETING])
    today = datetime.date(2026, 6, 1)
    local = fund(
        people.funder,
        "Groenfonds dorp",
        level=Fund.Level.LOCAL,
        area=town.municipality,
        themes=[Theme.GREEN, Theme.MEETING],
    )
    national = fund(people.funder, "Landelijk groen", themes=[Theme.GREEN])
    district = fund(
        people.funder,
        "Wijkfonds Noord",
        level=Fund.Level.LOCAL,
        area=town.north,
        themes=[Theme.MEETING],
    )
    fund(
        people.funder,
        "Wijkfonds Zuid",
        level=Fund.Level.LOCAL,
        area=town.south,
        themes=[Theme.GREEN],
    )
    fund(people.funder, "Alleen jeugd", themes=[Theme.YOUTH])
    fund(people.funder, "Gesloten", themes=[Theme.GREEN], deadline=datetime.date(2026, 1, 1))
    found = services.suggest_funds(initiative, today=today)
    assert [s.fund for s in found] == [local, district, national]
    assert found[0].themes == ["Groen", "Ontmoeting"]


def test_the_funding_plan_by_source_with_the_municipal_share(
    initiative: Initiative, town: Town, people: People
) -> None:
    rules = services.ensure_default_cofunding(town.municipality)
    assert [r.share_bp for r in rules] == [9000, 5000, 2500, 900]
    assert services.ensure_default_cofunding(town.municipality) == rules  # idempotent
    plan = services.save_funding_plan(
        initiative,
        people.owner,
        total_cents=100_000,
        cofunding_rule=rules[-1],
        lines=[
            services.PlanLine("own", "Deelnemers", 10_000, 10_000),
            services.PlanLine("fund", "Dorpsfonds", 30_000, 0),
            services.PlanLine("own", "Collecte", 5_000, 2_500),
        ],
    )
    summary = services.plan_summary(initiative)
    assert summary.pledged == 45_000 and summary.received == 12_500
    assert summary.gap == 55_000
    assert summary.by_source[0] == ("eigen bijdragen", 15_000, 12_500)
    assert summary.municipal_share == 9_000  # 9 % of € 1.000
    assert plan.lines.count() == 3
    with pytest.raises(PermissionDenied):
        services.save_funding_plan(initiative, people.professional, total_cents=1, lines=[])
    with pytest.raises(ValidationError):
        services.save_funding_plan(
            initiative, people.owner, total_cents=1, lines=[services.PlanLine("lottery", "", 1, 0)]
        )
    with pytest.raises(ValidationError):
        services.save_funding_plan(
            initiative, people.owner, total_cents=1, lines=[services.PlanLine("own", "", -1, 0)]
        )
    assert FundingPlan.objects.get().total_cents == 100_000


def test_the_cofunding_table_is_the_municipalitys(town: Town, people: People) -> None:
    rows = [
        services.RuleInput("Zorg voor zeer kwetsbaren", 9000),
        services.RuleInput("Kwaliteit van samenleven", 800, max_cents=50_000),
    ]
    with pytest.raises(PermissionDenied):
        services.set_cofunding_rules(town.municipality, people.professional, rows)
    with pytest.raises(ValidationError):
        services.set_cofunding_rules(
            town.municipality, people.official, [services.RuleInput("Te veel", 10_001)]
        )
    with pytest.raises(ValidationError):
        services.set_cofunding_rules(town.north, people.official, rows)
    saved = services.set_cofunding_rules(town.municipality, people.official, rows)
    assert [r.share_bp for r in saved] == [9000, 800]
    plan = FundingPlan(total_cents=1_000_000, cofunding_rule=saved[1])
    assert services.municipal_share(plan) == 50_000  # capped
    assert CoFundingRule.objects.count() == 2


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**11),
    share=st.integers(min_value=0, max_value=10_000),
    cap=st.one_of(st.none(), st.integers(min_value=0, max_value=10**10)),
)
def test_the_municipal_share_never_exceeds_its_share_or_cap(
    total: int, share: int, cap: int | None
) -> None:
    rule = CoFundingRule(share_bp=share, max_cents=cap)
    amount = services.municipal_share(FundingPlan(total_cents=total, cofunding_rule=rule))
    assert amount is not None and isinstance(amount, int)
    assert 0 <= amount * 10_000 <= total * share
    assert total * share - amount * 10_000 < 10_000 or (cap is not None and amount == cap)
    if cap is not None:
        assert amount <= cap
