"""Our Method of Equal Shares, greedy rule and Pabulib reader against pabutools (a test-only
dependency) on every real instance in ../shared/data/pabulib, and Wieliczka 2023's published
winners. Skipped, with a message, when the data or pabutools is absent.

How pabutools is run (docs/initiatives.md, "Correctness"):

- ballots are merged with ``profile.as_multiprofile()`` (MES and greedy are anonymous, so this
  changes no outcome; it makes pabutools 5–10× faster);
- MES without completion and greedy: compared in full on all 35 instances;
- Add1 as in Wieliczka ("raise every voter's share by 1 until the outcome would overspend"):
  pabutools' own iteration (``voter_budget_increment=1``) with its early stop on an exhaustive
  outcome switched off, in a child process with a time cap of ``PABUTOOLS_CAP`` seconds per
  instance. Where pabutools does not finish in time (Łódź, Wawer), we check our final step
  instead: pabutools' MES with our final share gives our winners, and with one unit more it
  overspends the budget;
- Add1 as pabutools implements it (stops at the first exhaustive outcome): compared under the
  same cap.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from buurtbasis.initiatives import pabulib
from buurtbasis.initiatives.equal_shares import Utility, equal_shares, greedy, mes_run

from ..conftest import SHARED_DATA, shared_file

pabutools = pytest.importorskip("pabutools", reason="pabutools (dev dependency) is not installed")

pytestmark = [
    pytest.mark.slow,
    # Pure computation, no database: CI runs it once, in the SQLite pass of `make test`,
    # not again when the same suite runs against PostgreSQL.
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="no database involved; already run in the SQLite pass",
    ),
]

PB_DIR = SHARED_DATA / "pabulib" / "pb"
FILES = sorted(p.name for p in PB_DIR.glob("*.pb")) if PB_DIR.is_dir() else ["<no data>"]
PABUTOOLS_CAP = float(os.environ.get("PABUTOOLS_CAP", "45"))
WIELICZKA = "Poland_Wieliczka_2023_Green_Budget.pb"


def _path(name: str) -> Path:
    return shared_file("pabulib", "pb", name)


def _pabutools(path: Path) -> tuple[Any, Any]:
    """A fresh pabutools instance and (merged) profile."""
    from pabutools.election import parse_pabulib

    instance, profile = parse_pabulib(str(path))
    return instance, profile.as_multiprofile()


@functools.lru_cache(maxsize=2)
def _pabutools_cached(path: Path) -> tuple[Any, Any]:
    """The same, parsed once, for rules that do not change the instance."""
    return _pabutools(path)


def _names(outcome: Any) -> list[str]:
    return sorted(str(p.name) for p in outcome)


def _pt_mes(path: str, share_plus: int | None, mode: str) -> list[str]:
    """Run in a child process: pabutools' MES on the file.

    mode ``plain``: one run, every voter's share raised by ``share_plus`` units;
    ``add1``: Wieliczka's completion (exhaustive stop switched off);
    ``add1-exhaustive``: pabutools' own completion."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares

    instance, profile = _pabutools(Path(path))
    if mode == "plain":
        instance.budget_limit += (share_plus or 0) * profile.num_ballots()
        return _names(method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    if mode == "add1":
        # pabutools stops at an exhaustive outcome too; Wieliczka went on until the budget
        # would be exceeded. Only the stop test changes; the iteration is pabutools'.
        instance.is_exhaustive = lambda *args, **kwargs: False
    return _names(
        method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
    )


def _capped(path: Path, share_plus: int | None, mode: str) -> list[str] | None:
    """``_pt_mes`` in a child process; None when it takes longer than the cap."""
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        job = pool.apply_async(_pt_mes, (str(path), share_plus, mode))
        try:
            return list(job.get(timeout=PABUTOOLS_CAP))
        except multiprocessing.TimeoutError:
            pool.terminate()
            return None


def _ours(name: str) -> pabulib.PabulibInstance:
    return pabulib.read(_path(name))


@pytest.mark.parametrize("name", FILES)
def test_our_reader_reads_what_pabutools_reads(name: str) -> None:
    path = _path(name)
    ours = pabulib.read(path)
    instance, profile = _pabutools_cached(path)
    assert ours.budget == Fraction(instance.budget_limit)
    assert {pid: Fraction(c) for pid, c in ours.costs.items()} == {
        str(p.name): Fraction(p.cost) for p in instance
    }
    assert len(ours.ballots) == profile.num_ballots()
    approvals = ours.votes()
    for project in instance:
        assert approvals[str(project.name)] == profile.approval_score(project), project.name


@pytest.mark.parametrize("name", FILES)
def test_mes_equals_pabutools(name: str) -> None:
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares

    ours = _ours(name)
    instance, profile = _pabutools_cached(_path(name))
    expected = _names(method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    result = equal_shares(ours.election(), completion=False, tie_break=sorted(ours.costs))
    assert sorted(result.winners) == expected


@pytest.mark.parametrize("name", FILES)
def test_greedy_equals_pabutools(name: str) -> None:
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    ours = _ours(name)
    instance, profile = _pabutools_cached(_path(name))
    expected = _names(greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat))
    result = greedy(ours.election(), tie_break=sorted(ours.costs), include_unsupported=True)
    assert sorted(result.winners) == expected


@pytest.mark.parametrize("name", FILES)
def test_add1_equals_pabutools(name: str) -> None:
    ours = _ours(name)
    election = ours.election()
    result = equal_shares(election, tie_break=sorted(ours.costs))
    assert result.total_cost <= ours.budget
    supported = sum(c for p, c in ours.costs.items() if ours.votes()[p] > 0)
    assert supported > ours.budget, "all supported projects fit: pabutools would not stop"
    expected = _capped(_path(name), None, "add1")
    if expected is not None:
        assert sorted(result.winners) == expected
        return
    # pabutools is too slow on this instance: check our last step with pabutools' MES.
    base = Fraction(ours.budget, election.voters)
    steps = result.per_voter_budget - base
    assert steps.denominator == 1 and steps >= 0
    at_final = _pt_mes(str(_path(name)), int(steps), "plain")
    assert sorted(result.winners) == at_final
    one_more = _pt_mes(str(_path(name)), int(steps) + 1, "plain")
    assert sum(ours.costs[p] for p in one_more) > ours.budget
    # And our own next run agrees with pabutools' (so the stop is at the same place).
    mine_next = mes_run(election, result.per_voter_budget + 1, tie_break=sorted(ours.costs))
    assert sorted(mine_next.winners) == one_more


@pytest.mark.parametrize("name", FILES)
def test_add1_with_exhaustive_stop_equals_pabutools(name: str) -> None:
    ours = _ours(name)
    result = equal_shares(ours.election(), tie_break=sorted(ours.costs), stop_when_exhaustive=True)
    expected = _capped(_path(name), None, "add1-exhaustive")
    if expected is None:
        pytest.skip(f"pabutools' completion takes more than {PABUTOOLS_CAP:.0f} s here")
    assert sorted(result.winners) == expected


@pytest.mark.parametrize("name", ["Netherlands_Amsterdam_179.pb", "Poland_Warszawa_2019_Anin.pb"])
def test_mes_with_cardinality_utilities_equals_pabutools(name: str) -> None:
    from pabutools.election import Cardinality_Sat
    from pabutools.rules import method_of_equal_shares

    ours = _ours(name)
    instance, profile = _pabutools(_path(name))
    expected = _names(method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat))
    result = equal_shares(
        ours.election(),
        utility=Utility.CARDINALITY,
        completion=False,
        tie_break=sorted(ours.costs),
    )
    assert sorted(result.winners) == expected


def test_wieliczka_2023_reproduces_its_published_winners() -> None:
    ours = _ours(WIELICZKA)
    published = ours.selected()
    assert published is not None
    result = equal_shares(ours.election(), tie_break=sorted(ours.costs))
    assert sorted(result.winners) == sorted(published)
    assert len(result.winners) == 30
    assert result.total_cost == 995_079
    assert ours.meta["rule"].startswith("equalshares/add1")
