"""The ledger story: a worked example, printed as a plain-text table and compared with a
reviewed snapshot (tests/ledger/snapshots/ledger_story.txt).

After a deliberate change, regenerate with ``LEDGER_UPDATE_SNAPSHOT=1`` and review the diff."""

from __future__ import annotations

import difflib
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from buurtbasis.accounts.models import Organisation, User
from buurtbasis.areas.services import upsert_area
from buurtbasis.ledger import services
from buurtbasis.ledger.models import Account, Transaction
from buurtbasis.ledger.money import Unit, format_amount

SNAPSHOT = Path(__file__).parent / "snapshots" / "ledger_story.txt"

pytestmark = pytest.mark.django_db


WIDTHS = (18, 62, 36, 13, 13)


def _row(*cells: str) -> str:
    kind, description, account, debit, credit = cells
    k, d, a, x, y = WIDTHS
    return f"{kind:<{k}} {description:<{d}} {account:<{a}} {debit:>{x}} {credit:>{y}}".rstrip()


def render(transactions: list[Transaction], accounts: list[Account]) -> str:
    """Every entry of the transactions (debit = out of the account, credit = into it), then
    the closing balances. Free of ids and dates, so it is stable."""
    header = _row("soort", "omschrijving", "rekening", "debet (af)", "credit (bij)")
    lines = [header, "-" * len(header)]
    for txn in transactions:
        description = txn.description
        if txn.reversal_of is not None:
            description = f"{description} (terug: {txn.reversal_of.description})"
        entries = txn.entries.select_related("account").order_by("amount", "account_id")
        for number, entry in enumerate(entries):
            amount = format_amount(abs(entry.amount), entry.account.unit)
            lines.append(
                _row(
                    txn.kind if number == 0 else "",
                    description[: WIDTHS[1]] if number == 0 else "",
                    entry.account.label[: WIDTHS[2]],
                    amount if entry.amount < 0 else "",
                    amount if entry.amount > 0 else "",
                )
            )
    lines.append("")
    header = _row("", "saldo per rekening", "eenheid", "", "saldo")
    lines += [header, "-" * len(header)]
    for account, value in services.balances(accounts).items():
        unit = "uren" if account.unit == Unit.HOURS else "euro"
        lines.append(_row("", account.label, unit, "", format_amount(value, account.unit)))
    return "\n".join(lines) + "\n"


def test_ledger_story() -> None:
    clerk = User.objects.create_user("financien@voorbeeldstad.example", display_name="Financiën")
    town = upsert_area("GM9901", "Voorbeeldstad")
    north = upsert_area("WK990101", "Noord", parent=town)
    south = upsert_area("WK990102", "Zuid", parent=town)
    garden = Organisation.objects.create(name="Buurtmoestuin De Kas", kind="initiatief")
    welfare = Organisation.objects.create(name="Welzijn Voorbeeldstad", kind="welzijn")

    def account(owner: object, purpose: str, unit: str, name: str, source: bool = False) -> Account:
        return services.get_or_create_account(
            owner,
            purpose,
            unit,
            allow_negative=source,
            name=name,  # type: ignore[arg-type]
        )

    wmo = account(town, "wmo-source", Unit.EUR, "Rijk: Wmo-middelen", source=True)
    fund = account(town, "fund", Unit.EUR, "Voorbeeldstad: fonds sociale basis")
    north_budget = account(north, "budget", Unit.EUR, "Wijkbudget Noord")
    south_budget = account(south, "budget", Unit.EUR, "Wijkbudget Zuid")
    garden_money = account(garden, "grant", Unit.EUR, "De Kas: subsidie")
    capacity = account(welfare, "capacity", Unit.HOURS, "Welzijn: uren te verdelen", True)
    delivered = account(welfare, "delivered", Unit.HOURS, "Welzijn: uren geleverd")
    garden_hours = account(garden, "hours", Unit.HOURS, "De Kas: trekkingsrecht uren")

    common = {"actor": clerk}
    story = [
        services.transfer(
            wmo,
            fund,
            100_000_00,
            kind="budget.funding",
            description="Wmo-middelen 2026 naar het fonds",
            idempotency_key="story:1",
            **common,
        ),
        services.post(
            [(fund, -60_000_00), (north_budget, 35_000_00), (south_budget, 25_000_00)],
            kind="budget.allocation",
            description="Verdeling 2026 over de wijken",
            idempotency_key="story:2",
            **common,
        ),
    ]
    grant = services.transfer(
        north_budget,
        garden_money,
        750_00,
        kind="grant.payout",
        description="Subsidie moestuinbakken",
        idempotency_key="story:3",
        ref=garden,
        **common,
    )
    story.append(grant)
    story.append(
        services.reverse(grant, reason="Bedrag fout ingevoerd", idempotency_key="story:4", **common)
    )
    story.append(
        services.transfer(
            north_budget,
            garden_money,
            705_00,
            kind="grant.payout",
            description="Subsidie moestuinbakken (juist bedrag)",
            idempotency_key="story:5",
            ref=garden,
            **common,
        )
    )
    story.append(
        services.transfer(
            capacity,
            garden_hours,
            40 * 60,
            kind="hours.grant",
            description="Trekkingsrecht: 40 uur begeleiding",
            idempotency_key="story:6",
            **common,
        )
    )
    story.append(
        services.transfer(
            garden_hours,
            delivered,
            3 * 60 + 30,
            kind="hours.use",
            description="Begeleiding opstartavond",
            idempotency_key="story:7",
            **common,
        )
    )
    # A retried request changes nothing.
    again = services.transfer(
        garden_hours,
        delivered,
        3 * 60 + 30,
        kind="hours.use",
        description="Begeleiding opstartavond",
        idempotency_key="story:7",
        **common,
    )
    assert again == story[-1]

    text = render(
        story,
        [wmo, fund, north_budget, south_budget, garden_money, capacity, garden_hours, delivered],
    )
    assert "€ 100.000,00" in text and "3:30" in text and "36:30" in text
    assert [t.kind for t in services.transactions_for(garden)] == ["grant.payout"] + [
        "correction",
        "grant.payout",
    ]
    out = StringIO()
    call_command("check_ledger", stdout=out)
    assert "Grootboek klopt" in out.getvalue()

    if os.environ.get("LEDGER_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=str(SNAPSHOT),
                tofile="this run",
            )
        )
        pytest.fail(f"ledger story differs from the reviewed snapshot:\n{diff}")
