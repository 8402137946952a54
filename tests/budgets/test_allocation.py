"""Property tests of the allocation method: sums are exact to the cent, nothing is negative,
and a district with more inhabitants never gets less."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from buurtbasis.budgets.allocation import (
    DistrictInput,
    NoAllocationBasis,
    allocate,
    district_weight,
    largest_remainder,
    split_lines,
    split_pro_rata,
)

totals = st.integers(min_value=0, max_value=10**12)
weights = st.fractions(min_value=0, max_value=5, max_denominator=10**6)
inhabitants = st.integers(min_value=0, max_value=2_000_000)


@st.composite
def districts(draw: st.DrawFn, min_size: int = 1) -> list[DistrictInput]:
    n = draw(st.integers(min_value=min_size, max_value=30))
    return [DistrictInput(f"WK{i:06d}", draw(inhabitants), draw(weights)) for i in range(n)]


@st.composite
def years_totals(draw: st.DrawFn) -> dict[int, int]:
    first = draw(st.integers(min_value=2020, max_value=2030))
    n = draw(st.integers(min_value=1, max_value=5))
    return {first + i: draw(totals) for i in range(n)}


@given(total=totals, parts=st.lists(weights, min_size=1, max_size=50))
def test_largest_remainder_is_exact_and_close_to_the_quota(
    total: int, parts: list[Fraction]
) -> None:
    assume(sum(parts) > 0)
    result = largest_remainder(total, parts)
    assert sum(result) == total
    weight_sum = sum(parts)
    for part, weight in zip(result, parts, strict=True):
        quota = Fraction(total) * weight / weight_sum
        assert part >= 0
        assert quota - 1 < part < quota + 1


def test_largest_remainder_refuses_what_cannot_be_split() -> None:
    assert largest_remainder(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError):
        largest_remainder(5, [0, 0])
    with pytest.raises(ValueError):
        largest_remainder(-1, [1])
    with pytest.raises(ValueError):
        largest_remainder(1, [1, -1])


@settings(max_examples=200)
@given(year_totals=years_totals(), items=districts(), base=st.integers(0, 10**8))
def test_allocation_sums_exactly_and_is_never_negative(
    year_totals: dict[int, int], items: list[DistrictInput], base: int
) -> None:
    try:
        result = allocate(year_totals, items, base)
    except NoAllocationBasis:
        assert all(d.inhabitants * d.weight == 0 for d in items)
        assert any(t > 0 for t in year_totals.values())
        return
    for year, total in year_totals.items():
        amounts = [d.amounts[year] for d in result.districts]
        assert sum(amounts) == total
        assert min(amounts) >= 0
    for district, source in zip(result.districts, items, strict=True):
        if source.inhabitants == 0 or source.weight == 0:
            assert all(v == 0 for v in district.amounts.values())
        assert district.formula_cents >= 0


@settings(max_examples=150)
@given(
    year_totals=years_totals(),
    items=districts(),
    data=st.data(),
)
def test_allocation_is_monotone_in_inhabitants(
    year_totals: dict[int, int], items: list[DistrictInput], data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
    extra = data.draw(st.integers(min_value=1, max_value=500_000))
    assume(sum(d.inhabitants * d.weight for d in items) > 0)
    grown = list(items)
    grown[index] = DistrictInput(
        items[index].key, items[index].inhabitants + extra, items[index].weight
    )
    before = allocate(year_totals, items, 1_000_000)
    after = allocate(year_totals, grown, 1_000_000)
    for year in year_totals:
        assert after.districts[index].amounts[year] >= before.districts[index].amounts[year]
        # … and nobody else gains from it.
        for other in range(len(items)):
            if other != index:
                assert (
                    after.districts[other].amounts[year]
                    <= before.districts[other].amounts[year] + 1
                )


shares_bp = st.integers(min_value=-10_000, max_value=10_000)
rates = st.fractions(min_value=0, max_value=100, max_denominator=1000)


@given(
    values=st.dictionaries(st.sampled_from("abcd"), rates),
    reference=st.dictionaries(st.sampled_from("abcd"), rates),
    weights_bp=st.dictionaries(st.sampled_from("abcd"), shares_bp),
)
def test_district_weight_is_never_negative(
    values: dict[str, Fraction], reference: dict[str, Fraction], weights_bp: dict[str, int]
) -> None:
    assert district_weight(values, reference, weights_bp) >= 0


def test_district_weight_follows_the_formula() -> None:
    # 1 + 0.30 × (20/10 − 1) − 0.10 × (5/10 − 1) = 1 + 0.30 + 0.05
    weight = district_weight(
        {"low": Fraction(20), "rich": Fraction(5)},
        {"low": Fraction(10), "rich": Fraction(10)},
        {"low": 3000, "rich": -1000},
    )
    assert weight == Fraction(135, 100)
    # Unknown values and zero references count as average.
    assert district_weight({}, {"low": Fraction(10)}, {"low": 3000}) == 1
    assert district_weight({"low": Fraction(3)}, {"low": Fraction(0)}, {"low": 3000}) == 1
    # Clipped at zero.
    assert district_weight({"low": Fraction(0)}, {"low": Fraction(1)}, {"low": 10_000}) == 0


@settings(max_examples=150)
@given(
    amount=totals,
    support=st.integers(min_value=0, max_value=10_000),
    themes=st.lists(st.integers(min_value=0, max_value=4000), max_size=8),
)
def test_line_split_is_exact_and_keeps_the_support_share(
    amount: int, support: int, themes: list[int]
) -> None:
    if support + sum(themes) > 10_000:
        with pytest.raises(ValueError):
            split_lines(amount, support, themes)
        return
    split = split_lines(amount, support, themes)
    assert split.support_cents + sum(split.theme_cents) + split.reserve_cents == amount
    assert split.support_cents * 10_000 >= amount * support
    assert min([split.support_cents, split.reserve_cents, *split.theme_cents]) >= 0
    if support + sum(themes) == 10_000:
        assert split.reserve_cents == 0
    for cents, share in zip(split.theme_cents, themes, strict=True):
        assert cents * 10_000 <= amount * share + 10_000


@given(amount=totals, parts=st.lists(st.integers(0, 10**10), min_size=1, max_size=10))
def test_pro_rata_attribution_is_exact(amount: int, parts: list[int]) -> None:
    result = split_pro_rata(amount, parts)
    if sum(parts) == 0:
        assert result == [0] * len(parts)
    else:
        assert sum(result) == amount
