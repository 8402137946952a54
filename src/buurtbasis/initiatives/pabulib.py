"""Reading Pabulib ``.pb`` files (pabulib.org): participatory budgeting instances with approval
ballots, to import a vote's projects and ballots or to check our count against published
results. Pure Python, no Django.

The format: ``;``-separated text in three sections, each a line with its name (``META``,
``PROJECTS``, ``VOTES``) followed by a header line and rows. ``META`` holds ``key;value`` pairs
(``budget``, ``vote_type`` …), ``PROJECTS`` one project a row (``project_id;cost;…``, some
files have ``selected``), ``VOTES`` one voter a row (``voter_id;vote;…`` where ``vote`` lists
the approved project ids separated by commas). A project approved twice on one ballot counts
once; an empty ballot still counts as a voter.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .equal_shares import Election

__all__ = ["PabulibError", "PabulibInstance", "parse", "read"]

APPROVAL_TYPES = ("approval", "choose-1")


class PabulibError(ValueError):
    """The text is not a Pabulib file we can read."""


@dataclass
class PabulibInstance:
    meta: dict[str, str]
    projects: dict[str, dict[str, str]]  # project id → its row (column → text)
    costs: dict[str, Fraction]
    ballots: list[frozenset[str]]
    voter_ids: list[str] = field(default_factory=list)

    @property
    def budget(self) -> Fraction:
        return _number(self.meta.get("budget", ""), "budget")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "")

    @property
    def name(self) -> str:
        return self.meta.get("description") or self.meta.get("unit", "")

    def election(self) -> Election[str]:
        return Election(budget=self.budget, costs=self.costs, ballots=self.ballots)

    def selected(self) -> list[str] | None:
        """The published winners (column ``selected`` = 1), or None when the file has none."""
        rows = list(self.projects.values())
        if not rows or "selected" not in rows[0]:
            return None
        return [pid for pid, row in self.projects.items() if row.get("selected", "").strip() == "1"]

    def votes(self) -> dict[str, int]:
        """Approvals per project, counted from the ballots."""
        counts = dict.fromkeys(self.costs, 0)
        for ballot in self.ballots:
            for project in ballot:
                counts[project] += 1
        return counts


def _number(text: str, what: str) -> Fraction:
    try:
        return Fraction(text.strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"{what}: {text!r} is not a number") from None


def parse(text: str) -> PabulibInstance:
    """Parse the content of a ``.pb`` file (approval ballots only)."""
    meta: dict[str, str] = {}
    projects: dict[str, dict[str, str]] = {}
    costs: dict[str, Fraction] = {}
    ballots: list[frozenset[str]] = []
    voter_ids: list[str] = []
    section = ""
    header: list[str] = []
    reader = csv.reader(io.StringIO(text), delimiter=";")
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        first = row[0].strip().lower()
        if first in ("meta", "projects", "votes") and len(row) == 1:
            section = first
            header = [h.strip() for h in next(reader, [])]
            if section == "votes" and meta.get("vote_type") not in APPROVAL_TYPES:
                raise PabulibError(
                    f"only approval ballots can be read, not {meta.get('vote_type')!r}"
                )
            continue
        if section == "meta":
            if len(row) < 2:
                raise PabulibError(f"META line without value: {row!r}")
            meta[row[0].strip()] = row[1].strip()
        elif section == "projects":
            values = {header[i]: row[i].strip() for i in range(min(len(header), len(row)))}
            pid = row[0].strip()
            if pid in projects:
                raise PabulibError(f"project {pid!r} appears twice")
            if "cost" not in values:
                raise PabulibError(f"project {pid!r} has no cost")
            projects[pid] = values
            costs[pid] = _number(values["cost"], f"cost of project {pid}")
        elif section == "votes":
            values = {header[i]: row[i].strip() for i in range(min(len(header), len(row)))}
            approved = frozenset(p.strip() for p in values.get("vote", "").split(",") if p.strip())
            unknown = approved - costs.keys()
            if unknown:
                raise PabulibError(f"vote of {row[0]!r} names unknown projects {sorted(unknown)}")
            ballots.append(approved)
            voter_ids.append(row[0].strip())
        else:
            raise PabulibError("the file does not start with a META section")
    if "budget" not in meta:
        raise PabulibError("META has no budget")
    if not projects:
        raise PabulibError("no PROJECTS section")
    return PabulibInstance(meta, projects, costs, ballots, voter_ids)


def read(path: str | Path) -> PabulibInstance:
    return parse(Path(path).read_text(encoding="utf-8"))
