"""Speed of our Method of Equal Shares against pabutools on Łódź 2022 (Pabulib's largest
instance: 90,494 approval ballots, 160 projects) — prints both timings; asserts nothing.

    .venv/bin/python bench/initiatives_mes.py              # ours, and pabutools' MES once
    .venv/bin/python bench/initiatives_mes.py --raw        # pabutools unmerged too (minutes)
    .venv/bin/python bench/initiatives_mes.py --pabutools-add1   # pabutools' Add1 too (very long)

pabutools is a dev dependency; without it only our figures are printed. The data lives in
../shared/data/pabulib/pb (see its SOURCES.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from buurtbasis.initiatives import pabulib  # noqa: E402
from buurtbasis.initiatives.equal_shares import equal_shares, greedy  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "pabulib" / "pb" / "Poland_Lodz_2022.pb"


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"  {label:<52} {time.perf_counter() - started:9.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--raw", action="store_true", help="pabutools on the unmerged profile")
    parser.add_argument("--pabutools-add1", action="store_true", help="pabutools' Add1 (long)")
    args = parser.parse_args()
    path = Path(args.path)
    if not path.exists():
        print(f"SKIPPED: {path} not found")
        return

    print(f"{path.name}")
    print("Buurtbasis (pure Python, fractions.Fraction):")
    instance = timed("read the .pb file", pabulib.read, path)
    election = instance.election()
    order = sorted(instance.costs)
    print(f"  {election.voters} ballots, {len(instance.costs)} projects, budget {instance.budget}")
    plain = timed("MES, one run", equal_shares, election, completion=False, tie_break=order)
    add1 = timed(
        "MES + Add1 (until the budget would be exceeded)", equal_shares, election, tie_break=order
    )
    shares = timed(
        "MES + Add1, with each voter's payments",
        equal_shares,
        election,
        tie_break=order,
        with_payments=True,
    )
    timed("greedy (most votes)", greedy, election, tie_break=order, include_unsupported=True)
    print(
        f"  MES: {len(plain.winners)} winners, {plain.total_cost}; Add1: {len(add1.winners)} "
        f"winners, {add1.total_cost}, {add1.runs} runs, share {float(add1.per_voter_budget):.2f}"
    )
    assert shares.winners == add1.winners

    try:
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    except ImportError:
        print("pabutools: not installed (dev dependency) — skipped")
        return
    print("pabutools:")
    pt_instance, profile = timed("parse_pabulib", parse_pabulib, str(path))
    multi = timed("merge identical ballots (as_multiprofile)", profile.as_multiprofile)
    outcome = timed(
        "MES, one run (merged ballots)",
        method_of_equal_shares,
        pt_instance,
        multi,
        sat_class=Cost_Sat,
    )
    same = sorted(str(p.name) for p in outcome) == sorted(plain.winners)
    print(f"  same winners as ours: {same}")
    timed(
        "greedy (merged ballots)",
        greedy_utilitarian_welfare,
        pt_instance,
        multi,
        sat_class=Cost_Sat,
    )
    if args.raw:
        timed(
            "MES, one run (every ballot)",
            method_of_equal_shares,
            pt_instance,
            profile,
            sat_class=Cost_Sat,
        )
    if args.pabutools_add1:
        pt_instance.is_exhaustive = lambda *a, **k: False  # Wieliczka's stop: only overspending
        full = timed(
            "MES + Add1 (merged ballots)",
            method_of_equal_shares,
            pt_instance,
            multi,
            sat_class=Cost_Sat,
            voter_budget_increment=1,
        )
        print(
            f"  same winners as ours: {sorted(str(p.name) for p in full) == sorted(add1.winners)}"
        )
    else:
        print(
            f"  MES + Add1 not run (add --pabutools-add1): it repeats MES {add1.runs} times, "
            "so expect about that many times the single run above."
        )


if __name__ == "__main__":
    main()
