"""The allocation method as pure functions (no database): exact fractions in, integer cents
out.

For each district ``d`` and each weighting indicator ``i`` with weight ``w_i`` (basis points,
may be negative)::

    weight_d  = max(0, 1 + Σ_i w_i/10 000 × (value_d,i / value_municipality,i − 1))
    formula_d = base amount per 1,000 inhabitants × inhabitants_d / 1 000 × weight_d
    amount_d,y = total_y × inhabitants_d × weight_d / Σ_e inhabitants_e × weight_e

``total_y`` is the sum of the funding sources for year ``y``; the split is made in whole cents
with the largest-remainder method, so the district amounts add up to ``total_y`` exactly.
The base amount is the norm the council sets; the *coverage* ``total_y / Σ formula_d`` says how
much of that norm the sources pay for. A district of which an indicator value is unknown (or
where the municipal value is 0) is treated as average for that indicator.

A district budget is then split over lines: organisational support gets at least its share
(rounded up to the cent), the themes share what their shares ask, the rest stays on the
district budget as a reserve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

FULL_SHARE = 10_000


def largest_remainder(total: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Split the whole number ``total`` (≥ 0) in proportion to non-negative ``weights``.

    The parts are whole numbers, never negative, add up to ``total`` exactly, and each is the
    floor or the ceiling of its exact quota. Ties in the remainders go to the lowest index, so
    the result is deterministic. With all weights zero only ``total == 0`` can be split."""
    if total < 0:
        raise ValueError("total must not be negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum((Fraction(w) for w in weights), Fraction(0))
    if weight_sum == 0:
        if total == 0:
            return [0] * len(weights)
        raise ValueError("cannot split a positive total over zero weights")
    quotas = [Fraction(total) * Fraction(w) / weight_sum for w in weights]
    parts = [q.numerator // q.denominator for q in quotas]
    rest = total - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def district_weight(
    values: Mapping[str, Fraction],
    reference: Mapping[str, Fraction],
    weights_bp: Mapping[str, int],
) -> Fraction:
    """``max(0, 1 + Σ w_i × (value_i / reference_i − 1))``; indicators without a value or with a
    zero reference count as average (they add nothing)."""
    weight = Fraction(1)
    for key, weight_bp in weights_bp.items():
        value = values.get(key)
        ref = reference.get(key)
        if value is None or ref is None or ref == 0 or weight_bp == 0:
            continue
        weight += Fraction(weight_bp, FULL_SHARE) * (Fraction(value) / Fraction(ref) - 1)
    return max(weight, Fraction(0))


@dataclass(frozen=True)
class DistrictInput:
    key: str
    inhabitants: int
    weight: Fraction


@dataclass
class DistrictAllocation:
    key: str
    inhabitants: int
    weight: Fraction
    formula_cents: int
    amounts: dict[int, int] = field(default_factory=dict)

    @property
    def weight_ppm(self) -> int:
        """The weight in millionths, rounded half up (for storing and showing)."""
        scaled = self.weight * 1_000_000
        return int((scaled + Fraction(1, 2)) // 1)


@dataclass
class Allocation:
    years: list[int]
    districts: list[DistrictAllocation]
    totals: dict[int, int]
    formula_total_cents: int

    def coverage(self, year: int) -> Fraction | None:
        """The sources of ``year`` as a fraction of the formula total (``None`` without norm)."""
        if self.formula_total_cents == 0:
            return None
        return Fraction(self.totals[year], self.formula_total_cents)

    def amount(self, key: str, year: int) -> int:
        for district in self.districts:
            if district.key == key:
                return district.amounts[year]
        raise KeyError(key)


class NoAllocationBasis(ValueError):
    """There is money to split but no district has inhabitants with a positive weight."""


def allocate(
    totals_by_year: Mapping[int, int],
    districts: Sequence[DistrictInput],
    base_per_1000_cents: int,
) -> Allocation:
    """Split each year's total over the districts in proportion to inhabitants × weight."""
    if base_per_1000_cents < 0:
        raise ValueError("base amount must not be negative")
    for district in districts:
        if district.inhabitants < 0 or district.weight < 0:
            raise ValueError("inhabitants and weights must not be negative")
    raw = [Fraction(d.inhabitants) * d.weight for d in districts]
    result = [
        DistrictAllocation(
            key=d.key,
            inhabitants=d.inhabitants,
            weight=d.weight,
            formula_cents=_round_half_up(
                Fraction(base_per_1000_cents) * Fraction(d.inhabitants, 1000) * d.weight
            ),
        )
        for d in districts
    ]
    years = sorted(totals_by_year)
    for year in years:
        total = totals_by_year[year]
        if total > 0 and sum(raw) == 0:
            raise NoAllocationBasis(year)
        for allocated, amount in zip(result, largest_remainder(total, raw), strict=True):
            allocated.amounts[year] = amount
    return Allocation(
        years=years,
        districts=result,
        totals={y: totals_by_year[y] for y in years},
        formula_total_cents=sum(d.formula_cents for d in result),
    )


@dataclass(frozen=True)
class LineSplit:
    support_cents: int
    theme_cents: list[int]
    reserve_cents: int


def split_lines(amount_cents: int, support_bp: int, theme_shares_bp: Sequence[int]) -> LineSplit:
    """Split a district budget over the support line and the theme lines.

    Support gets ``ceil(amount × support_bp / 10 000)``, so never less than its share. The
    themes together get ``floor(amount × Σ theme shares / 10 000)`` (capped at what is left),
    split by largest remainder; what remains is the reserve. Raises ValueError when the
    shares add up to more than 100 %."""
    if amount_cents < 0:
        raise ValueError("amount must not be negative")
    if support_bp < 0 or any(s < 0 for s in theme_shares_bp):
        raise ValueError("shares must not be negative")
    theme_bp = sum(theme_shares_bp)
    if support_bp + theme_bp > FULL_SHARE:
        raise ValueError("shares add up to more than 100 %")
    support = -((-amount_cents * support_bp) // FULL_SHARE)
    left = amount_cents - support
    themes_total = min(left, (amount_cents * theme_bp) // FULL_SHARE)
    if theme_bp == 0:
        themes = [0] * len(theme_shares_bp)
    else:
        themes = largest_remainder(themes_total, list(theme_shares_bp))
    return LineSplit(support, themes, left - themes_total)


def split_pro_rata(amount: int, parts: Sequence[int]) -> list[int]:
    """Attribute ``amount`` to ``parts`` in proportion (e.g. a district budget to the sources
    that paid for it); all zeros when the parts are all zero."""
    if sum(parts) == 0:
        return [0] * len(parts)
    return largest_remainder(amount, list(parts))


def _round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)) // 1)
