"""Read a Pabulib ``.pb`` file and print the Method of Equal Shares result (with the Add1
completion) beside the greedy one, e.g. to check a published outcome."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtbasis.initiatives import equal_shares, pabulib


class Command(BaseCommand):
    help = (
        "Bereken de uitslag van een Pabulib-bestand met gelijke delen (Add1) en met meeste stemmen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--utility", choices=["cost", "cardinality"], default="cost")
        parser.add_argument("--no-completion", action="store_true")
        parser.add_argument("--increment", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            instance = pabulib.read(options["path"])
        except (OSError, pabulib.PabulibError) as error:
            raise CommandError(str(error)) from None
        election = instance.election()
        order = sorted(instance.costs)  # lexicographic, as pabutools breaks ties
        started = time.perf_counter()
        result = equal_shares.equal_shares(
            election,
            utility=equal_shares.Utility(options["utility"]),
            completion=not options["no_completion"],
            increment=options["increment"],
            tie_break=order,
        )
        seconds = time.perf_counter() - started
        greedy = equal_shares.greedy(election, tie_break=order)
        self.stdout.write(f"{instance.name}: {election.voters} stemmers, budget {instance.budget}")
        self.stdout.write(
            f"Gelijke delen: {len(result.winners)} gekozen, kosten {result.total_cost}, "
            f"deel per stemmer {float(result.per_voter_budget):.2f}, {result.runs} runs, "
            f"{seconds:.2f} s"
        )
        self.stdout.write("  " + ", ".join(str(w) for w in sorted(result.winners)))
        self.stdout.write(
            f"Meeste stemmen: {len(greedy.winners)} gekozen, kosten {greedy.total_cost}"
        )
        self.stdout.write("  " + ", ".join(str(w) for w in sorted(greedy.winners)))
        published = instance.selected()
        if published is not None:
            same = sorted(published) == sorted(result.winners)
            self.stdout.write(
                f"Gepubliceerd: {len(published)} gekozen; gelijk aan gelijke delen: {same}"
            )
