"""Open data: budgets, lines and transactions as CSV and JSON, without names of people."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts.models import Membership, Role, User
from buurtbasis.accounts.services import verify_resident
from buurtbasis.budgets import services
from buurtbasis.budgets.models import BudgetFramework, BudgetLine, DistrictBudget, ResidentGroup
from buurtbasis.budgets.selectors import OPEN_DATA_FIELDS
from buurtbasis.initiatives.models import Initiative
from buurtbasis.initiatives.services import grants, initiatives
from buurtbasis.ledger.models import Entry, Transaction

from .conftest import SOURCE_AMOUNTS, YEARS, People, Town, fill_sources


def _get(client: Client, dataset: str, fmt: str, **params: str) -> str:
    url = reverse("budgets:open_data_file", args=[dataset, fmt])
    response = client.get(url, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


#: A year that has certainly ended, for a framework whose year can be closed.
PAST_YEAR = 2024


@pytest.fixture
def busy(
    town: Town, adopted: BudgetFramework, people: People, group: ResidentGroup
) -> BudgetFramework:
    """Commitments, a freelancer's drawing right with confirmed hours, a reversal, a closed
    year whose hours lapsed, and a grant paid to an initiative (by the initiatives app)."""
    line = BudgetLine.objects.get(
        district_budget__framework=adopted,
        district_budget__year=YEARS[0],
        district_budget__district__code="WK999901",
        is_support=True,
    )
    commitment = services.create_commitment(line, people.welfare, 250_000, actor=people.official)
    services.renew_commitments(adopted, YEARS[1], actor=people.official)
    services.end_commitment(
        commitment,
        actor=people.official,
        notice_date=datetime.date(YEARS[0], 1, 1),
        last_year=YEARS[0],
    )
    theme_line = BudgetLine.objects.get(
        district_budget__framework=adopted,
        district_budget__year=YEARS[0],
        district_budget__district__code="WK999901",
        theme__name="Leefbaarheid",
    )
    right = services.grant_drawing_right(
        theme_line, group, provider=people.freelancer, minutes=240, actor=people.official
    )
    delivery = services.record_hours(
        right,
        minutes=60,
        date=datetime.date(YEARS[0], 1, 15),
        description="Bij Persoon Contact thuis",
        actor=people.freelancer,
    )
    services.confirm_hours(delivery, actor=people.contact)

    # A year that is over: unused hours lapse.
    past = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Vorig kader",
        start_year=PAST_YEAR,
        end_year=PAST_YEAR,
    )
    fill_sources(past, people.official)
    services.adopt(past, people.official)
    past_line = BudgetLine.objects.get(
        district_budget__framework=past,
        district_budget__district__code="WK999901",
        theme__name="Leefbaarheid",
    )
    services.grant_drawing_right(
        past_line, group, provider=people.freelancer, minutes=120, actor=people.official
    )
    services.close_year(past, PAST_YEAR, actor=people.official)

    # A grant to an initiative, paid from a line by the initiatives app.
    grants.update_line_settings(theme_line, people.official, host=people.welfare)
    initiative = initiatives.create_initiative(
        people.contact,
        name="Buurtmoestuin Oude Kern",
        description="Samen groente kweken.",
        area=town.neighbourhood,
        contact="06-12345678",
        needs_text="Zaden.",
    )
    request = grants.request_grant(
        initiative,
        people.contact,
        line=theme_line,
        why="Om te beginnen.",
        for_whom="Voor de straat.",
        items=[grants.Item("Zaden", 30_000)],
    )
    # Deciding as a resident needs a confirmed home neighbourhood (accounts.verify_resident).
    verify_resident(
        Membership.objects.get(user=people.resident, area=town.neighbourhood, role=Role.RESIDENT),
        actor=people.admin,
    )
    grants.decide_grant(request, people.resident, approve=True, reason="Goed.")
    grants.decide_grant(request, people.professional, approve=True, reason="Akkoord.")
    request.refresh_from_db()
    assert request.payout is not None
    return adopted


def _private_strings(people: People, group: ResidentGroup) -> list[str]:
    users = User.objects.all()
    strings = [u.display_name for u in users] + [u.email for u in users if u.email]
    return [*strings, group.name, "Bij Persoon Contact thuis"]


@pytest.mark.parametrize("dataset", ["budgets", "lines", "transactions"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_open_data_never_names_people(
    client: Client,
    busy: BudgetFramework,
    people: People,
    group: ResidentGroup,
    dataset: str,
    fmt: str,
) -> None:
    text = _get(client, dataset, fmt)
    assert text.strip()
    for private in _private_strings(people, group):
        assert private not in text, private


def test_budget_rows_add_up_to_the_sources(client: Client, busy: BudgetFramework) -> None:
    rows = _csv(_get(client, "budgets", "csv", gemeente="GM9999"))
    assert list(rows[0]) == OPEN_DATA_FIELDS["budgets"]
    for year in YEARS:
        year_rows = [
            r for r in rows if r["year"] == str(year) and r["framework_id"] == str(busy.pk)
        ]
        assert len(year_rows) == 3
        assert sum(int(r["amount_cents"]) for r in year_rows) == sum(SOURCE_AMOUNTS.values())


def test_line_rows_show_committed_and_balance(client: Client, busy: BudgetFramework) -> None:
    data = json.loads(_get(client, "lines", "json", wijk="WK999901"))
    assert data["meta"]["dataset"] == "lines"
    rows = [r for r in data["rows"] if r["framework_id"] == busy.pk and r["organisational_support"]]
    first = next(r for r in rows if r["year"] == YEARS[0])
    assert first["committed_cents"] == 250_000
    assert first["balance_cents"] == first["allocated_cents"] - 250_000
    # The second year was posted, then reversed by the notice: nothing committed.
    second = next(r for r in rows if r["year"] == YEARS[1])
    assert second["committed_cents"] == 0 and second["balance_cents"] == second["allocated_cents"]
    assert {r["district_code"] for r in data["rows"]} == {"WK999901"}


def test_transaction_rows_balance_per_transaction(client: Client, busy: BudgetFramework) -> None:
    rows = _csv(_get(client, "transactions", "csv", gemeente="GM9999"))
    assert list(rows[0]) == OPEN_DATA_FIELDS["transactions"]
    by_txn: dict[str, int] = {}
    for row in rows:
        by_txn[row["transaction_id"]] = by_txn.get(row["transaction_id"], 0) + int(row["amount"])
    # For the whole municipality every entry of every budget transaction is listed: each sums to 0.
    assert set(by_txn.values()) == {0}
    kinds = {r["kind"] for r in rows}
    assert {
        "budgets.source",
        "budgets.allocation",
        "budgets.lines",
        "budgets.commitment",
        "correction",
        "budgets.hours_grant",
        "budgets.hours_use",
        "budgets.hours_lapse",
        "initiatives.grant",
    } <= kinds
    # Every leg of every transaction, and nothing else.
    assert (
        len(rows)
        == Entry.objects.filter(
            transaction__in=Transaction.objects.filter(kind__startswith="budgets.")
            | Transaction.objects.filter(kind__in=["correction", "initiatives.grant"])
        ).count()
    )
    assert {"commitment", "provider", "hours_lapsed", "initiative"} <= {r["account"] for r in rows}
    assert "Welzijn Testdorp" in {r["organisation"] for r in rows}
    lapse = [r for r in rows if r["kind"] == "budgets.hours_lapse"]
    assert sorted(r["account"] for r in lapse) == ["drawing_right", "hours_lapsed"]
    grant = [r for r in rows if r["kind"] == "initiatives.grant"]
    assert sorted(r["account"] for r in grant) == ["initiative", "line"]
    initiative = Initiative.objects.get()
    assert next(r for r in grant if r["account"] == "initiative")["owner_id"] == str(initiative.pk)
    # A freelancer's hours: no name and no number of the person.
    freelancer = [r for r in rows if r["account"] == "provider" and not r["organisation"]]
    assert freelancer and {r["owner_id"] for r in freelancer} == {""}


def test_district_transactions_touch_that_district_and_are_complete(
    client: Client, busy: BudgetFramework
) -> None:
    """A district's file lists the transactions that touch the district, each with all its
    legs (an allocation also shows the fund and the other districts)."""
    for code in ("WK999901", "WK999902"):
        rows = _csv(_get(client, "transactions", "csv", wijk=code))
        assert rows
        by_txn: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            by_txn.setdefault(row["transaction_id"], []).append(row)
        for legs in by_txn.values():
            assert sum(int(r["amount"]) for r in legs) == 0
            assert code in {r["district_code"] for r in legs}
        assert (
            len(rows) == Entry.objects.filter(transaction_id__in=[int(t) for t in by_txn]).count()
        )
        if code == "WK999901":
            assert {"initiatives.grant", "budgets.hours_lapse"} <= {r["kind"] for r in rows}


def test_open_data_is_linked_from_every_budget_page(client: Client, busy: BudgetFramework) -> None:
    line = BudgetLine.objects.filter(district_budget__framework=busy).first()
    assert line is not None
    for url in (
        reverse("budgets:framework_list"),
        busy.get_absolute_url(),
        reverse("budgets:district_budget", args=["WK999901"]),
        reverse("budgets:money_flow", args=["WK999901"]),
        line.get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        assert reverse("budgets:open_data_file", args=["transactions", "json"]) in html, url
    assert client.get(reverse("budgets:open_data")).status_code == 200


def test_unknown_datasets_and_areas(client: Client, busy: BudgetFramework) -> None:
    assert client.get("/budgetten/open-data/people.csv").status_code == 404
    assert client.get("/budgetten/open-data/budgets.xml").status_code == 404
    assert (
        client.get(
            reverse("budgets:open_data_file", args=["budgets", "csv"]), {"wijk": "WK000000"}
        ).status_code
        == 404
    )


def test_empty_open_data_still_has_a_header(client: Client, db: None) -> None:
    assert not DistrictBudget.objects.exists()
    text = _get(client, "budgets", "csv")
    assert text.strip().split(",") == OPEN_DATA_FIELDS["budgets"]
