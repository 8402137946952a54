"""The JSON API under /api/v1/budgets/ and its place in the OpenAPI document."""

from __future__ import annotations

from django.test import Client

from buurtbasis.budgets import services
from buurtbasis.budgets.models import BudgetFramework, BudgetLine, DistrictBudget
from buurtbasis.ledger import services as ledger

from .conftest import SOURCE_AMOUNTS, YEARS, People


def test_frameworks_list_only_adopted(
    client: Client, adopted: BudgetFramework, people: People
) -> None:
    services.create_framework(
        adopted.municipality, actor=people.official, name="Concept", start_year=2030, end_year=2030
    )
    data = client.get("/api/v1/budgets/frameworks").json()
    assert [f["name"] for f in data] == [adopted.name]
    assert data[0]["municipality_code"] == "GM9999"
    assert data[0]["years"] == [
        {"year": y, "sources_cents": sum(SOURCE_AMOUNTS.values())} for y in YEARS
    ]
    assert client.get("/api/v1/budgets/frameworks?municipality=gm9998").json() == []


def test_framework_detail_and_drafts_are_hidden(
    client: Client, adopted: BudgetFramework, people: People
) -> None:
    data = client.get(f"/api/v1/budgets/frameworks/{adopted.pk}").json()
    assert {t["name"] for t in data["themes"]} >= {"Leefbaarheid", "Duurzaamheid"}
    assert {w["indicator"] for w in data["weights"]} == {
        "low_income_households",
        "age_65_plus",
        "single_person_households",
    }
    wmo = next(s for s in data["sources"] if s["name"] == "Wmo")
    assert wmo["amounts"][0]["amount_cents"] == SOURCE_AMOUNTS["Wmo"]
    draft = services.create_framework(
        adopted.municipality, actor=people.official, name="Concept", start_year=2030, end_year=2030
    )
    response = client.get(f"/api/v1/budgets/frameworks/{draft.pk}")
    assert response.status_code == 404
    assert "bestaat niet" in response.json()["error"]


def test_district_budget_with_ledger_balances(
    client: Client, adopted: BudgetFramework, people: People
) -> None:
    line = BudgetLine.objects.get(
        district_budget__framework=adopted,
        district_budget__year=YEARS[1],
        district_budget__district__code="WK999902",
        is_support=True,
    )
    services.create_commitment(line, people.welfare, 50_000, actor=people.official)
    data = client.get(f"/api/v1/budgets/districts/wk999902?year={YEARS[1]}").json()
    assert data["code"] == "WK999902" and data["years"] == list(YEARS) and data["year"] == YEARS[1]
    (budget,) = data["budgets"]
    db = DistrictBudget.objects.get(framework=adopted, district__code="WK999902", year=YEARS[1])
    assert budget["amount_cents"] == db.amount_cents
    support = next(x for x in budget["lines"] if x["organisational_support"])
    assert support["committed_cents"] == 50_000
    line.refresh_from_db()
    assert line.account is not None
    assert support["balance_cents"] == ledger.balance(line.account) == line.amount_cents - 50_000
    assert (
        sum(x["allocated_cents"] for x in budget["lines"]) + budget["reserve_cents"]
        == (budget["amount_cents"])
    )
    single = client.get(f"/api/v1/budgets/lines/{line.pk}").json()
    assert single == support


def test_unknown_things_give_404_with_a_message(client: Client, adopted: BudgetFramework) -> None:
    for url in (
        "/api/v1/budgets/districts/WK000000",
        "/api/v1/budgets/frameworks/999999",
        "/api/v1/budgets/lines/999999",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]


def test_openapi_lists_the_budget_routes_and_schemas(client: Client, db: None) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/budgets/frameworks",
        "/api/v1/budgets/frameworks/{framework_id}",
        "/api/v1/budgets/districts/{code}",
        "/api/v1/budgets/lines/{line_id}",
    ):
        assert path in doc["paths"], path
    schemas = doc["components"]["schemas"]
    for name in ("FrameworkOut", "FrameworkDetailOut", "DistrictOut", "LineOut"):
        assert name in schemas
    assert "balance_cents" in schemas["LineOut"]["properties"]
