"""Creating and editing a framework, and its preview."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buurtbasis.budgets import services
from buurtbasis.budgets.models import AllocationWeight, BudgetFramework, FundingSource, Theme

from .conftest import DISTRICTS, SOURCE_AMOUNTS, YEARS, People, Town


def test_a_new_framework_has_the_default_sources_themes_and_weights(
    draft: BudgetFramework,
) -> None:
    assert [s.name for s in draft.sources.all()] == [
        "Wmo",
        "Jeugdwet",
        "Zvw",
        "Wlz",
        "Fondsen",
        "Woningcorporaties",
        "Eigen bijdragen",
        "Bedrijven",
    ]
    assert [t.name for t in draft.themes.all()] == [
        "Duurzaamheid",
        "Leefbaarheid",
        "Zorgzaamheid & zorg",
        "Delen & herverdelen",
        "Inclusiviteit & samenleven",
    ]
    assert sum(t.share_bp for t in draft.themes.all()) + draft.support_share_bp == 10_000
    assert draft.min_support_share_bp == 2500
    assert {w.indicator.key for w in draft.weights.all()} == {
        "low_income_households",
        "age_65_plus",
        "single_person_households",
    }
    for source in draft.sources.all():
        assert sorted(a.year for a in source.amounts.all()) == list(YEARS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "naam"),
        ({"start_year": 2030, "end_year": 2026}, "vóór het eerste jaar"),
        ({"start_year": 2026, "end_year": 2040}, "hoogstens 10 jaar"),
        ({"min_support_share_bp": 12_000}, "tussen"),
        ({"base_amount_per_1000_cents": -5}, "negatief"),
        ({"hours_rule": "keep"}, "niet gebruikte uren"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    draft: BudgetFramework, people: People, changes: dict[str, object], message: str
) -> None:
    before = BudgetFramework.objects.values().get(pk=draft.pk)
    with pytest.raises(ValidationError) as error:
        services.update_framework(draft, actor=people.official, **changes)
    assert message in " ".join(error.value.messages)
    assert BudgetFramework.objects.values().get(pk=draft.pk) == before


def test_shortening_the_period_drops_amounts_of_lost_years(
    draft: BudgetFramework, people: People
) -> None:
    services.update_framework(draft, actor=people.official, end_year=YEARS[1])
    for source in draft.sources.all():
        assert sorted(a.year for a in source.amounts.all()) == list(YEARS[:2])
    assert services.source_totals(draft) == dict.fromkeys(YEARS[:2], sum(SOURCE_AMOUNTS.values()))


def test_sources_can_be_added_renamed_and_removed(draft: BudgetFramework, people: People) -> None:
    wmo = draft.sources.get(name="Wmo")
    bedrijven = draft.sources.get(name="Bedrijven")
    services.set_sources(
        draft,
        [
            services.SourceInput(pk=wmo.pk, name="Wmo-begeleiding", kind=wmo.kind),
            services.SourceInput(pk=bedrijven.pk, name="Bedrijven", delete=True),
            services.SourceInput(
                name="Provincie", kind="other", amounts=dict.fromkeys(YEARS, 123_45)
            ),
        ],
        actor=people.official,
    )
    names = [s.name for s in draft.sources.all()]
    assert "Wmo-begeleiding" in names and "Bedrijven" not in names and "Provincie" in names
    # Amounts not given are kept.
    assert (
        draft.sources.get(name="Wmo-begeleiding").amounts.get(year=YEARS[0]).amount_cents
        == (SOURCE_AMOUNTS["Wmo"])
    )
    assert services.source_totals(draft)[YEARS[0]] == sum(SOURCE_AMOUNTS.values()) + 123_45


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"name": "Nieuw", "amounts": {YEARS[0]: -1}}, "negatief"),
        ({"name": "Nieuw", "amounts": {1999: 100}}, "buiten de looptijd"),
        ({"name": "Wmo"}, "al een geldbron"),
        ({"name": ""}, "naam"),
        (
            {"name": "Nieuw", "amounts": {YEARS[0]: 100}, "public_totals": {YEARS[0]: 50}},
            "kleiner",
        ),
    ],
)
def test_bad_sources_are_refused_and_nothing_changes(
    draft: BudgetFramework, people: People, row: dict[str, object], message: str
) -> None:
    before = list(FundingSource.objects.filter(framework=draft).values())
    totals = services.source_totals(draft)
    with pytest.raises(ValidationError) as error:
        services.set_sources(draft, [services.SourceInput(**row)], actor=people.official)  # type: ignore[arg-type]
    assert message in " ".join(error.value.messages)
    assert list(FundingSource.objects.filter(framework=draft).values()) == before
    assert services.source_totals(draft) == totals


def test_two_sources_can_swap_names(draft: BudgetFramework, people: People) -> None:
    wmo = draft.sources.get(name="Wmo")
    jeugd = draft.sources.get(name="Jeugdwet")
    services.set_sources(
        draft,
        [
            services.SourceInput(pk=wmo.pk, name="Jeugdwet", kind=wmo.kind),
            services.SourceInput(pk=jeugd.pk, name="Wmo", kind=jeugd.kind),
        ],
        actor=people.official,
    )
    assert FundingSource.objects.get(pk=wmo.pk).name == "Jeugdwet"


def test_themes_can_be_edited(draft: BudgetFramework, people: People) -> None:
    first = draft.themes.first()
    assert first is not None
    services.set_themes(
        draft,
        [
            services.ThemeInput(pk=first.pk, name="Groen", share_bp=1000),
            services.ThemeInput(name="Cultuur", share_bp=500),
        ],
        actor=people.official,
    )
    assert Theme.objects.get(pk=first.pk).name == "Groen"
    assert draft.themes.get(name="Cultuur").share_bp == 500


def test_bad_themes_are_refused(draft: BudgetFramework, people: People) -> None:
    with pytest.raises(ValidationError):
        services.set_themes(
            draft, [services.ThemeInput(name="X", share_bp=-1)], actor=people.official
        )
    with pytest.raises(ValidationError):
        services.set_themes(
            draft, [services.ThemeInput(name="Leefbaarheid", share_bp=10)], actor=people.official
        )
    assert draft.themes.count() == 5


def test_weights_can_be_set_and_removed(draft: BudgetFramework, people: People) -> None:
    services.set_weights(
        draft,
        {"age_65_plus": 0, "income_per_inhabitant": -2000},
        actor=people.official,
    )
    keys = {w.indicator.key: w.weight_bp for w in AllocationWeight.objects.filter(framework=draft)}
    assert "age_65_plus" not in keys
    assert keys["income_per_inhabitant"] == -2000
    for bad in ({"nonsense": 100}, {"age_65_plus": 20_000}, {"inhabitants": 100}):
        with pytest.raises(ValidationError):
            services.set_weights(draft, bad, actor=people.official)


@pytest.mark.parametrize("role", ["council", "resident", "outsider", "other_official"])
def test_only_officials_edit(draft: BudgetFramework, people: People, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.update_framework(draft, actor=getattr(people, role), name="Anders")
    with pytest.raises(PermissionDenied):
        services.create_framework(
            draft.municipality,
            actor=getattr(people, role),
            name="X",
            start_year=2026,
            end_year=2027,
        )


def test_preview_follows_the_formula(draft: BudgetFramework, town: Town) -> None:
    result = services.preview(draft)
    assert result.can_adopt, result.problems
    assert [r.district.code for r in result.rows] == sorted(DISTRICTS)
    total = sum(SOURCE_AMOUNTS.values())
    assert result.totals == [total] * len(YEARS)
    # The weights as the docs define them, from the municipal figures of the fixture.
    reference = {"low": Fraction(13), "old": Fraction(2700, 17000), "single": Fraction(3600, 7900)}
    raw = {}
    for code, (_name, inh, hh, low, old, single) in DISTRICTS.items():
        weight = (
            1
            + Fraction(3000, 10_000) * (Fraction(low) / reference["low"] - 1)
            + Fraction(1500, 10_000) * (Fraction(old, inh) / reference["old"] - 1)
            + Fraction(1000, 10_000) * (Fraction(single, hh) / reference["single"] - 1)
        )
        raw[code] = inh * max(weight, Fraction(0))
    rows = result.by_code
    for code, value in raw.items():
        exact = Fraction(total) * value / sum(raw.values())
        assert abs(rows[code].amounts[0] - exact) < 1
        assert rows[code].weight * DISTRICTS[code][1] == value
    # Noord (poorer, older) gets more per inhabitant than Zuid.
    per_inh = {c: rows[c].amounts[0] / DISTRICTS[c][1] for c in DISTRICTS}
    assert per_inh["WK999902"] > per_inh["WK999903"]
    # Line totals per year add up to the year total.
    for year_parts, year_total in zip(result.line_totals, result.totals, strict=True):
        assert sum(year_parts) == year_total


def test_preview_reports_missing_money_and_districts(town: Town, people: People) -> None:
    framework = services.create_framework(
        town.other_municipality,
        actor=people.other_official,
        name="Leeg",
        start_year=2026,
        end_year=2026,
    )
    result = services.preview(framework)
    assert not result.can_adopt
    text = " ".join(result.problems)
    assert "nog geen geld" in text
    assert "inwoners" in text  # the only district has no statistics
