"""The Method of Equal Shares (MES) for approval ballots, its "Add1" completion, and the greedy
"most votes" rule. Pure Python, no Django and no database: exact arithmetic with
:class:`fractions.Fraction`, deterministic results.

The rule (see equalshares.net and Peters, Pierczyński & Skowron 2021):

1. Every voter gets an equal share ``b`` of the budget (``budget / number of ballots``; empty
   ballots count too).
2. A project costing ``c`` can be bought when its supporters together still have ``c``. It is
   then paid as evenly as possible: each supporter pays ``min(own money, rho * u)`` where ``u``
   is the supporter's utility for the project and ``rho`` is the smallest factor for which the
   payments add up to ``c``. With **cost utilities** (the default, as used in Wieliczka) ``u`` is
   the project's cost; with **cardinality utilities** it is 1.
3. In every round the project with the smallest ``rho`` is bought ("the cheapest per unit of
   satisfaction"), its supporters pay, and the rounds go on until no project can be bought.
   Projects that cost nothing and have a supporter are chosen before the first round.

MES can leave money unspent. The **Add1 completion** (as in Wieliczka 2023) runs the whole
method again with the share of every voter raised by one unit (``increment``: one złoty there,
one euro — 100 cents — in Buurtbasis) as long as the outcome still fits in the real budget, and
keeps the last outcome that fitted. With ``stop_when_exhaustive`` it also stops as soon as no
further supported project would fit (pabutools' ``voter_budget_increment`` variant). When every
supported project fits in the budget together, they are all chosen (the limit the completion
reaches; computed directly instead of by millions of steps).

**Ties** (two projects with exactly the same ``rho``, or the same number of votes in the
greedy rule) are broken by the ``tie_break`` order the caller gives: the project earlier in that
order wins. Without one, the order of ``costs`` is used. To reproduce pabutools, pass the
project names in lexicographic (string) order; Buurtbasis passes: lower cost first, then more
votes, then the earlier nomination.

**Greedy "most votes"**: projects in order of their number of votes (ties as above), each one
taken when it still fits in what is left of the budget. Projects without votes are skipped
unless ``include_unsupported`` (pabutools' ``greedy_utilitarian_welfare`` with cost
satisfaction takes them when they fit).

Speed: identical ballots are merged, voters with the same remaining money form one class, and
each project keeps a count of its supporters per class, updated only for the supporters who
pay. Computing ``rho`` then costs one step per class, not per voter; see
``bench/initiatives_mes.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from math import gcd
from typing import Generic, TypeVar

__all__ = [
    "Election",
    "GreedyOutcome",
    "Outcome",
    "Utility",
    "equal_shares",
    "greedy",
    "mes_run",
]

P = TypeVar("P", bound=Hashable)

Number = int | Fraction


class Utility(StrEnum):
    """How much an approved project is worth to a voter."""

    COST = "cost"  # the project's cost (equalshares.net's choice for approval ballots)
    CARDINALITY = "cardinality"  # 1 for every approved project


@dataclass(frozen=True)
class Election(Generic[P]):
    """A budget, the projects with their costs and the approval ballots (one per voter)."""

    budget: Number
    costs: Mapping[P, Number]
    ballots: Sequence[Iterable[P]]

    def __post_init__(self) -> None:
        if Fraction(self.budget) < 0:
            raise ValueError("the budget cannot be negative")
        for project, cost in self.costs.items():
            if Fraction(cost) < 0:
                raise ValueError(f"project {project!r} has a negative cost")

    @property
    def voters(self) -> int:
        return len(self.ballots)


@dataclass(frozen=True)
class Outcome(Generic[P]):
    """The result of MES (with or without completion)."""

    winners: tuple[P, ...]  # in the order they were bought
    total_cost: Fraction
    per_voter_budget: Fraction  # each voter's share in the run that gave these winners
    runs: int  # how many times MES ran (1 without completion)
    _ballot_group: tuple[int, ...] = field(default=(), repr=False)
    _group_payments: tuple[Mapping[P, Fraction], ...] = field(default=(), repr=False)

    def payments(self, ballot: int) -> Mapping[P, Fraction]:
        """What the voter of ballot number ``ballot`` paid for each winner, out of their share
        (only when computed ``with_payments``; empty for a voter who paid nothing)."""
        if not self._ballot_group:
            return {}
        group = self._ballot_group[ballot]
        return self._group_payments[group] if group >= 0 else {}


@dataclass(frozen=True)
class GreedyOutcome(Generic[P]):
    winners: tuple[P, ...]  # in the order they were taken
    total_cost: Fraction
    votes: Mapping[P, int]


# --- Preparing an election ------------------------------------------------------------------


@dataclass
class _Prepared(Generic[P]):
    ids: list[P]
    cost: list[Fraction]
    rank: list[int]  # position in the tie-break order (lower wins)
    support: list[int]  # number of voters approving each project
    candidates: list[int]  # cost > 0 and at least one supporter
    free: list[int]  # cost 0 and at least one supporter: chosen outright
    group_projects: list[tuple[int, ...]]  # per group of identical ballots: its candidates
    group_size: list[int]
    supporters: list[list[int]]  # per project: the groups approving it
    ballot_group: list[int]  # per ballot: its group, -1 when it approves no candidate
    voters: int
    budget: Fraction


def _prepare(election: Election[P], tie_break: Sequence[P] | None) -> _Prepared[P]:
    ids = list(election.costs)
    index = {p: i for i, p in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError("project ids must be unique")
    order = list(tie_break) if tie_break is not None else ids
    rank_of = {p: r for r, p in enumerate(order)}
    missing = [p for p in ids if p not in rank_of]
    if missing:
        raise ValueError(f"the tie-break order lacks {missing[:5]!r}")
    cost = [Fraction(election.costs[p]) for p in ids]
    support = [0] * len(ids)
    ballots: list[frozenset[int]] = []
    for number, ballot in enumerate(election.ballots):
        try:
            approved = frozenset(index[p] for p in ballot)
        except KeyError as error:
            raise ValueError(f"ballot {number} approves an unknown project {error}") from None
        for i in approved:
            support[i] += 1
        ballots.append(approved)
    candidates = [i for i in range(len(ids)) if cost[i] > 0 and support[i] > 0]
    is_candidate = set(candidates)
    group_of: dict[frozenset[int], int] = {}
    group_projects: list[tuple[int, ...]] = []
    group_size: list[int] = []
    ballot_group: list[int] = []
    for approved in ballots:
        key = frozenset(i for i in approved if i in is_candidate)
        if not key:
            ballot_group.append(-1)
            continue
        group = group_of.get(key)
        if group is None:
            group = group_of[key] = len(group_projects)
            group_projects.append(tuple(sorted(key)))
            group_size.append(0)
        group_size[group] += 1
        ballot_group.append(group)
    supporters: list[list[int]] = [[] for _ in ids]
    for group, projects in enumerate(group_projects):
        for i in projects:
            supporters[i].append(group)
    free = sorted(
        (i for i in range(len(ids)) if cost[i] == 0 and support[i] > 0),
        key=lambda i: rank_of[ids[i]],
    )
    return _Prepared(
        ids=ids,
        cost=cost,
        rank=[rank_of[p] for p in ids],
        support=support,
        candidates=candidates,
        free=free,
        group_projects=group_projects,
        group_size=group_size,
        supporters=supporters,
        ballot_group=ballot_group,
        voters=election.voters,
        budget=Fraction(election.budget),
    )


# --- One run of MES -------------------------------------------------------------------------


@dataclass
class _Run:
    winners: list[int]
    payments: list[dict[int, Fraction]] | None  # per group: project index → payment per voter


def _run(data: _Prepared[P], share: Fraction, utility: Utility, with_payments: bool) -> _Run:
    """MES with ``share`` per voter.

    Voters whose remaining money is equal form a class; ``hist[p]`` counts the supporters of
    ``p`` per class. With approval ballots every supporter of a project values it the same
    (``u``), so the supporters who are not short of money each pay the same amount ``pay`` and
    ``rho = pay / u``. Inner loops use integer numerators and denominators; only the results
    become :class:`Fraction` s."""
    cost = data.cost
    by_cost = utility == Utility.COST
    values: list[Fraction] = [share]
    nums: list[int] = [share.numerator]
    dens: list[int] = [share.denominator]
    class_of_value: dict[tuple[int, int], int] = {(share.numerator, share.denominator): 0}
    # Sort key of each class: the float first (compared in C), the exact value only when two
    # floats are equal (a float never orders two values the wrong way round, it may only tie).
    keys: list[tuple[float, Fraction]] = [(float(share), share)]
    cls = [0] * len(data.group_size)
    hist: dict[int, dict[int, int]] = {i: {0: data.support[i]} for i in data.candidates}
    # A lower bound of each project's rho (rho only grows as voters spend), first the value it
    # would have if every supporter could pay evenly; as a float for ordering only.
    bound: dict[int, float] = {
        i: float(cost[i] / ((cost[i] if by_cost else 1) * data.support[i])) for i in data.candidates
    }
    alive = set(data.candidates)
    winners = list(data.free)
    payments: list[dict[int, Fraction]] | None = (
        [{} for _ in data.group_size] if with_payments else None
    )
    rank = data.rank
    slack = 1 + 1e-9  # floats of fractions are exact to 2**-53: a wider margin is safe

    while alive:
        best: Fraction | None = None
        best_float = 0.0
        best_pay = Fraction(0)
        tied: list[int] = []
        gone: list[int] = []
        for i in sorted(alive, key=bound.__getitem__):
            if best is not None and bound[i] > best_float * slack:
                break
            counts_of = hist[i]
            poorest_first = sorted(counts_of, key=keys.__getitem__)
            rn, rd = cost[i].numerator, cost[i].denominator
            left = data.support[i]
            pay: Fraction | None = None
            for c in poorest_first:
                n = counts_of[c]
                vn, vd = nums[c], dens[c]
                if rn * vd <= vn * rd * left:
                    pay = Fraction(rn, rd * left)
                    break
                # These supporters cannot pay the even amount: they pay all they have left.
                rn, rd = rn * vd - vn * n * rd, rd * vd
                g = gcd(rn, rd)
                if g > 1:
                    rn //= g
                    rd //= g
                left -= n
            if pay is None:
                gone.append(i)  # its supporters together can no longer pay for it
                continue
            rho = pay / cost[i] if by_cost else pay
            bound[i] = float(rho)
            if best is None or rho < best:
                best, best_float, best_pay, tied = rho, float(rho), pay, [i]
            elif rho == best:
                tied.append(i)
        alive.difference_update(gone)
        if best is None:
            break
        chosen = min(tied, key=rank.__getitem__)
        if len(tied) > 1:
            # Each tied project has its own even payment; recompute it for the chosen one.
            best_pay = best * cost[chosen] if by_cost else best
        winners.append(chosen)
        alive.discard(chosen)
        moved: dict[int, int] = {}
        paid: dict[int, Fraction] = {}
        for c in hist[chosen]:
            value = values[c]
            amount = best_pay if best_pay < value else value
            paid[c] = amount
            new_value = value - amount
            exact = (new_value.numerator, new_value.denominator)
            new_class = class_of_value.get(exact)
            if new_class is None:
                new_class = class_of_value[exact] = len(values)
                values.append(new_value)
                nums.append(exact[0])
                dens.append(exact[1])
                keys.append((float(new_value), new_value))
            moved[c] = new_class
        for group in data.supporters[chosen]:
            old = cls[group]
            new = moved[old]
            if payments is not None and paid[old]:
                payments[group][chosen] = paid[old]
            if new == old:
                continue
            cls[group] = new
            size = data.group_size[group]
            for project in data.group_projects[group]:
                if project in alive:
                    counts = hist[project]
                    remaining = counts[old] - size
                    if remaining:
                        counts[old] = remaining
                    else:
                        del counts[old]
                    counts[new] = counts.get(new, 0) + size
    return _Run(winners, payments)


def _outcome(
    data: _Prepared[P], run: _Run, share: Fraction, runs: int, with_payments: bool
) -> Outcome[P]:
    group_payments: tuple[Mapping[P, Fraction], ...] = ()
    if with_payments and run.payments is not None:
        group_payments = tuple(
            {data.ids[i]: amount for i, amount in paid.items()} for paid in run.payments
        )
    return Outcome(
        winners=tuple(data.ids[i] for i in run.winners),
        total_cost=sum((data.cost[i] for i in run.winners), Fraction(0)),
        per_voter_budget=share,
        runs=runs,
        _ballot_group=tuple(data.ballot_group) if with_payments else (),
        _group_payments=group_payments,
    )


def mes_run(
    election: Election[P],
    share: Number,
    *,
    utility: Utility = Utility.COST,
    tie_break: Sequence[P] | None = None,
    with_payments: bool = False,
) -> Outcome[P]:
    """One run of MES with ``share`` per voter (no completion; the outcome may cost more
    than the budget when ``share`` is more than ``budget / voters``)."""
    data = _prepare(election, tie_break)
    share = Fraction(share)
    return _outcome(data, _run(data, share, utility, with_payments), share, 1, with_payments)


def equal_shares(
    election: Election[P],
    *,
    utility: Utility = Utility.COST,
    completion: bool = True,
    increment: Number = 1,
    stop_when_exhaustive: bool = False,
    tie_break: Sequence[P] | None = None,
    with_payments: bool = False,
) -> Outcome[P]:
    """The Method of Equal Shares, by default with the Add1 completion (see the module)."""
    data = _prepare(election, tie_break)
    if data.voters == 0:
        return Outcome((), Fraction(0), Fraction(0), 0)
    share = data.budget / data.voters
    if not completion:
        return _outcome(data, _run(data, share, utility, with_payments), share, 1, with_payments)
    step = Fraction(increment)
    if step <= 0:
        raise ValueError("the increment must be positive")
    supported = data.free + data.candidates
    all_cost = sum((data.cost[i] for i in supported), Fraction(0))
    if all_cost <= data.budget:
        if with_payments:
            # With a share this large every supporter can pay everything: every project is
            # bought and split evenly among its supporters.
            everything = _run(data, max(share, all_cost), utility, True)
            assert set(everything.winners) == set(supported)
        else:
            everything = _Run(sorted(supported, key=data.rank.__getitem__), None)
        return _outcome(data, everything, share, 1, with_payments)
    previous: tuple[_Run, Fraction] | None = None
    runs = 0

    def final(run: _Run, at: Fraction) -> Outcome[P]:
        if with_payments:  # payments are recorded for the chosen run only
            run = _run(data, at, utility, True)
        return _outcome(data, run, at, runs, with_payments)

    while True:
        run = _run(data, share, utility, False)
        runs += 1
        spent = sum((data.cost[i] for i in run.winners), Fraction(0))
        if spent > data.budget:
            assert previous is not None  # the first run never overspends
            return final(*previous)
        if stop_when_exhaustive and _exhaustive(data, run.winners, spent):
            return final(run, share)
        previous = (run, share)
        share += step


def _exhaustive(data: _Prepared[P], winners: list[int], spent: Fraction) -> bool:
    chosen = set(winners)
    return all(i in chosen or spent + data.cost[i] > data.budget for i in data.candidates)


# --- Greedy ---------------------------------------------------------------------------------


def greedy(
    election: Election[P],
    *,
    tie_break: Sequence[P] | None = None,
    include_unsupported: bool = False,
) -> GreedyOutcome[P]:
    """Most votes first; each project is taken when it still fits (see the module)."""
    ids = list(election.costs)
    order = list(tie_break) if tie_break is not None else ids
    rank_of = {p: r for r, p in enumerate(order)}
    missing = [p for p in ids if p not in rank_of]
    if missing:
        raise ValueError(f"the tie-break order lacks {missing[:5]!r}")
    votes: Counter[P] = Counter()
    known = set(ids)
    for number, ballot in enumerate(election.ballots):
        approved = set(ballot)
        unknown = approved - known
        if unknown:
            names = sorted(map(str, unknown))
            raise ValueError(f"ballot {number} approves unknown projects {names}")
        votes.update(approved)

    def density(p: P) -> float:
        # Votes per unit of "cost satisfaction" is simply the number of votes; a free project
        # with votes comes first (pabutools: infinite density).
        if Fraction(election.costs[p]) == 0:
            return float("inf") if votes[p] > 0 else 0.0
        return float(votes[p])

    left = Fraction(election.budget)
    winners: list[P] = []
    for p in sorted(ids, key=lambda p: (-density(p), rank_of[p])):
        if votes[p] == 0 and not include_unsupported:
            continue
        price = Fraction(election.costs[p])
        if price <= left:
            winners.append(p)
            left -= price
    return GreedyOutcome(
        winners=tuple(winners),
        total_cost=Fraction(election.budget) - left,
        votes={p: votes[p] for p in ids},
    )
