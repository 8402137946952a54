"""The Method of Equal Shares and the greedy rule (pure functions): small cases worked out by
hand, refusals of bad input, and properties on random elections checked against a plain
per-voter implementation written here (the app's version merges voters into classes)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbasis.initiatives.equal_shares import (
    Election,
    Utility,
    equal_shares,
    greedy,
    mes_run,
)


def test_mes_gives_each_group_its_share_where_greedy_gives_the_majority_everything() -> None:
    costs = {f"x{i}": 10 for i in range(1, 6)} | {f"y{i}": 10 for i in range(1, 6)}
    ballots = [[f"x{i}" for i in range(1, 6)]] * 6 + [[f"y{i}" for i in range(1, 6)]] * 4
    election = Election(budget=50, costs=costs, ballots=ballots)
    order = sorted(costs)
    mes = equal_shares(election, completion=False, tie_break=order)
    assert sorted(mes.winners) == ["x1", "x2", "x3", "y1", "y2"]
    assert mes.total_cost == 50
    assert mes.per_voter_budget == 5
    most_votes = greedy(election, tie_break=order)
    assert sorted(most_votes.winners) == ["x1", "x2", "x3", "x4", "x5"]


def test_add1_raises_the_share_until_the_next_outcome_would_overspend() -> None:
    # Share 10: only a (3 supporters) is affordable. From 15 on b is too (2 × 15 = 30); at 30
    # the lone supporter of c can pay it alone and a + b + c = 90 > 60: keep the outcome of 29.
    election = Election(
        budget=60,
        costs={"a": 30, "b": 30, "c": 30},
        ballots=[["a"]] * 3 + [["b"]] * 2 + [["c"]],
    )
    plain = equal_shares(election, completion=False)
    assert plain.winners == ("a",)
    result = equal_shares(election)
    assert set(result.winners) == {"a", "b"}
    assert result.per_voter_budget == 29
    assert result.runs == 21  # shares 10, 11, …, 30
    # pabutools' variant stops at the first exhaustive outcome (share 15 here).
    exhaustive = equal_shares(election, stop_when_exhaustive=True)
    assert set(exhaustive.winners) == {"a", "b"}
    assert exhaustive.per_voter_budget == 15


def test_completion_takes_everything_when_all_supported_projects_fit() -> None:
    election = Election(budget=100, costs={"a": 30, "b": 40, "c": 50}, ballots=[["a"], ["b"], []])
    result = equal_shares(election)
    assert set(result.winners) == {"a", "b"}  # c has no supporter


def test_ties_follow_the_given_order() -> None:
    election = Election(budget=10, costs={"p": 10, "q": 10}, ballots=[["p", "q"]] * 2)
    assert equal_shares(election, completion=False, tie_break=["q", "p"]).winners == ("q",)
    assert equal_shares(election, completion=False, tie_break=["p", "q"]).winners == ("p",)
    assert greedy(election, tie_break=["q", "p"]).winners == ("q",)


def test_empty_ballots_count_for_the_share() -> None:
    # Four voters share 20: 5 each. The two supporters of a can pay 10 together.
    election = Election(budget=20, costs={"a": 10, "b": 11}, ballots=[["a"], ["a"], [], ["b"]])
    result = equal_shares(election, completion=False)
    assert result.winners == ("a",)
    assert result.per_voter_budget == 5


def test_free_supported_projects_are_chosen_and_unsupported_never() -> None:
    election = Election(
        budget=10, costs={"free": 0, "nobody": 1, "a": 10}, ballots=[["free", "a"], ["a"]]
    )
    result = equal_shares(election, completion=False)
    assert set(result.winners) == {"free", "a"}
    assert greedy(election).winners == ("free", "a")
    assert set(greedy(election, include_unsupported=True).winners) == {"free", "a"}


def test_greedy_may_fund_unsupported_projects_only_when_asked() -> None:
    election = Election(budget=30, costs={"a": 10, "b": 5}, ballots=[["a"]])
    assert greedy(election).winners == ("a",)
    assert greedy(election, include_unsupported=True).winners == ("a", "b")


def test_cost_and_cardinality_utilities_can_differ() -> None:
    # With cost utilities rho = 1 / supporters (the most supported first); with cardinality
    # utilities rho = cost / supporters (the cheapest per supporter first).
    election = Election(
        budget=70,
        costs={"c": 10, "e": 60},
        ballots=[["c", "e"]] * 3 + [["e"]] * 3 + [["c"]],
    )
    by_cost = mes_run(election, 10, utility=Utility.COST)
    by_count = mes_run(election, 10, utility=Utility.CARDINALITY)
    assert by_cost.winners[0] == "e"
    assert by_count.winners[0] == "c"


def test_no_voters_no_winners() -> None:
    assert equal_shares(Election(budget=10, costs={"a": 1}, ballots=[])).winners == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": -1, "costs": {"a": 1}, "ballots": []}, "negative"),
        ({"budget": 1, "costs": {"a": -1}, "ballots": []}, "negative cost"),
    ],
)
def test_bad_elections_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Election(**kwargs)  # type: ignore[arg-type]


def test_unknown_projects_and_incomplete_tie_orders_are_refused() -> None:
    election = Election(budget=1, costs={"a": 1}, ballots=[["b"]])
    with pytest.raises(ValueError, match="unknown"):
        equal_shares(election)
    with pytest.raises(ValueError, match="unknown"):
        greedy(election)
    ok = Election(budget=1, costs={"a": 1, "b": 1}, ballots=[["a"]])
    with pytest.raises(ValueError, match="tie-break"):
        equal_shares(ok, tie_break=["a"])
    with pytest.raises(ValueError, match="increment"):
        equal_shares(ok, increment=0)


# --- A plain reference implementation (one budget per voter) --------------------------------


def reference_mes(
    costs: dict[str, int], ballots: list[list[str]], share: Fraction, utility: Utility
) -> tuple[list[str], list[dict[str, Fraction]]]:
    money = [share] * len(ballots)
    paid: list[dict[str, Fraction]] = [{} for _ in ballots]
    order = sorted(costs)
    supporters = {p: [i for i, b in enumerate(ballots) if p in b] for p in costs}
    chosen = [p for p in order if costs[p] == 0 and supporters[p]]
    left = [p for p in order if costs[p] > 0 and supporters[p]]
    while True:
        best: tuple[Fraction, int, str] | None = None
        for p in left:
            u = Fraction(costs[p]) if utility == Utility.COST else Fraction(1)
            if sum(money[i] for i in supporters[p]) < costs[p]:
                continue
            # The smallest rho with sum(min(money, rho * u)) == cost.
            poor: set[int] = set()
            while True:
                rich = [i for i in supporters[p] if i not in poor]
                rho = (costs[p] - sum(money[i] for i in poor)) / (u * len(rich))
                newly = {i for i in rich if money[i] < rho * u}
                if not newly:
                    break
                poor |= newly
            key = (rho, order.index(p), p)
            if best is None or key < best:
                best = key
        if best is None:
            return chosen, paid
        rho, _, p = best
        u = Fraction(costs[p]) if utility == Utility.COST else Fraction(1)
        for i in supporters[p]:
            pay = min(money[i], rho * u)
            money[i] -= pay
            if pay:
                paid[i][p] = pay
        chosen.append(p)
        left.remove(p)


def reference_add1(
    costs: dict[str, int], ballots: list[list[str]], budget: int, utility: Utility
) -> tuple[set[str], Fraction]:
    share = Fraction(budget, len(ballots))
    supported = {p for p in costs if any(p in b for b in ballots)}
    if sum(costs[p] for p in supported) <= budget:
        return supported, share
    previous = None
    while True:
        chosen, _ = reference_mes(costs, ballots, share, utility)
        if sum(costs[p] for p in chosen) > budget:
            assert previous is not None
            return previous
        previous = (set(chosen), share)
        share += 1


elections = st.integers(min_value=1, max_value=6).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(min_value=0, max_value=40), min_size=n, max_size=n),
        st.lists(
            st.lists(st.integers(min_value=0, max_value=n - 1), max_size=n),
            min_size=1,
            max_size=14,
        ),
        st.integers(min_value=1, max_value=120),
    )
)


def _build(
    raw: tuple[list[int], list[list[int]], int],
) -> tuple[dict[str, int], list[list[str]], int]:
    cost_list, ballot_list, budget = raw
    costs = {f"p{i}": c for i, c in enumerate(cost_list)}
    ballots = [sorted({f"p{i}" for i in b}) for b in ballot_list]
    return costs, ballots, budget


@settings(max_examples=150, deadline=None)
@given(elections, st.sampled_from([Utility.COST, Utility.CARDINALITY]))
def test_mes_equals_the_reference_and_payments_add_up(
    raw: tuple[list[int], list[list[int]], int], utility: Utility
) -> None:
    costs, ballots, budget = _build(raw)
    election = Election(budget=budget, costs=costs, ballots=ballots)
    result = equal_shares(
        election, utility=utility, completion=False, tie_break=sorted(costs), with_payments=True
    )
    expected, paid = reference_mes(costs, ballots, Fraction(budget, len(ballots)), utility)
    assert list(result.winners) == expected
    assert result.total_cost <= budget
    for number in range(len(ballots)):
        assert dict(result.payments(number)) == paid[number]
        assert sum(result.payments(number).values(), Fraction(0)) <= result.per_voter_budget
    for winner in result.winners:
        assert sum(result.payments(n).get(winner, 0) for n in range(len(ballots))) == costs[winner]


@settings(max_examples=80, deadline=None)
@given(elections, st.sampled_from([Utility.COST, Utility.CARDINALITY]))
def test_add1_equals_the_reference_and_stays_within_the_budget(
    raw: tuple[list[int], list[list[int]], int], utility: Utility
) -> None:
    costs, ballots, budget = _build(raw)
    election = Election(budget=budget, costs=costs, ballots=ballots)
    result = equal_shares(election, utility=utility, tie_break=sorted(costs))
    winners, share = reference_add1(costs, ballots, budget, utility)
    assert set(result.winners) == winners
    assert result.total_cost <= budget
    if sum(costs[p] for p in winners) < sum(
        c for p, c in costs.items() if any(p in b for b in ballots)
    ):
        assert result.per_voter_budget == share


@settings(max_examples=80, deadline=None)
@given(elections, st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_does_not_matter(
    raw: tuple[list[int], list[list[int]], int], rng: object
) -> None:
    costs, ballots, budget = _build(raw)
    shuffled = list(ballots)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    one = equal_shares(Election(budget, costs, ballots), tie_break=sorted(costs))
    two = equal_shares(Election(budget, costs, shuffled), tie_break=sorted(costs))
    assert one.winners == two.winners
    assert one.per_voter_budget == two.per_voter_budget


@settings(max_examples=150, deadline=None)
@given(elections)
def test_greedy_takes_most_votes_first_and_leaves_nothing_that_fits(
    raw: tuple[list[int], list[list[int]], int],
) -> None:
    costs, ballots, budget = _build(raw)
    result = greedy(Election(budget, costs, ballots), tie_break=sorted(costs))
    assert result.total_cost <= budget
    left = budget - result.total_cost
    for project, votes in result.votes.items():
        if project not in result.winners and votes > 0:
            assert costs[project] > left
    taken = [result.votes[p] for p in result.winners if costs[p] > 0]
    assert taken == sorted(taken, reverse=True)


def test_when_everything_fits_each_supporter_pays_an_even_part() -> None:
    election = Election(
        budget=100, costs={"a": 30, "b": 40, "c": 50}, ballots=[["a", "b"], ["b"], []]
    )
    result = equal_shares(election, with_payments=True)
    assert set(result.winners) == {"a", "b"}
    assert result.payments(0) == {"a": 30, "b": 20}
    assert result.payments(1) == {"b": 20}
    assert result.payments(2) == {}
