"""The JSON API: initiatives (read, add), grants with their public reasons, votes with their
results — never ballots or who voted."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from buurtbasis.budgets.models import BudgetLine
from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import Initiative

from .conftest import People, Town, make_user, new_initiative

API = "/api/v1/initiatives/"


def get(path: str, **params: Any) -> Any:
    response = Client().get(path, params)
    return response.status_code, response.json()


def test_initiatives_list_and_detail(town: Town, people: People) -> None:
    garden = new_initiative(people.owner, town.bu_a, name="Moestuin", themes=["green"])
    new_initiative(people.owner, town.bu_b, name="Avondwandeling")
    services.add_need(garden, people.owner, kind="things", description="Kruiwagen")
    status, data = get(API, area=town.north.code)
    assert status == 200
    assert [i["name"] for i in data] == ["Avondwandeling", "Moestuin"]
    status, data = get(API, area=town.north.code, theme="green")
    assert [i["name"] for i in data] == ["Moestuin"]
    status, data = get(API, area=town.north.code, need="things")
    assert [i["name"] for i in data] == ["Moestuin"]
    assert get(API, area="GM0000")[0] == 404
    status, detail = get(f"{API}{garden.pk}")
    assert status == 200
    assert detail["area"] == town.bu_a.code and detail["district"] == town.north.code
    assert detail["themes"] == ["green"]
    assert detail["needs"][0]["kind"] == "things"
    assert get(f"{API}999999")[0] == 404


def test_adding_an_initiative_needs_a_session(town: Town, people: People) -> None:
    payload = {
        "name": "Repair Café",
        "description": "Samen repareren",
        "area": town.bu_a.code,
        "contact": "06",
        "needs_text": "Gereedschap",
    }
    anonymous = Client().post(API, json.dumps(payload), content_type="application/json")
    assert anonymous.status_code == 401
    client = Client()
    client.force_login(people.resident)
    bad = client.post(API, json.dumps({**payload, "name": ""}), content_type="application/json")
    assert bad.status_code == 400 and "name" in bad.json()["fields"]
    assert not Initiative.objects.exists()
    good = client.post(API, json.dumps(payload), content_type="application/json")
    assert good.status_code == 201
    assert good.json()["name"] == "Repair Café"


def test_grants_show_public_reasons_but_no_names(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    grant = services.request_grant(
        initiative,
        people.owner,
        line=line,
        why="Om te beginnen",
        for_whom="De straat",
        items=[services.Item("Zaden", 40_000)],
    )
    services.decide_grant(grant, people.resident, approve=True, reason="Goed plan.")
    services.decide_grant(grant, people.professional, approve=True, reason="Akkoord.")
    status, data = get(f"{API}grants/", district=line.district_budget.district.code)
    assert status == 200 and data[0]["status"] == "approved" and data[0]["paid"] is True
    status, detail = get(f"{API}grants/{grant.pk}")
    assert detail["amount_cents"] == 40_000
    assert [d["capacity"] for d in detail["decisions"]] == ["resident", "professional"]
    assert "Goed plan." in detail["reasons"]
    text = json.dumps(detail)
    assert people.resident.display_name not in text and str(people.resident.email) not in text
    status, by_initiative = get(f"{API}grants/", initiative=initiative.pk, status="approved")
    assert len(by_initiative) == 1
    assert get(f"{API}grants/999999")[0] == 404


def test_votes_show_results_but_never_ballots(town: Town, people: People, line: BudgetLine) -> None:
    services.update_line_settings(line, people.official, vote_enabled=True)
    vote = services.create_vote(line, people.official, title="Stemming", budget_cents=50_000)
    garden = new_initiative(people.owner, town.bu_a, name="Moestuin")
    option = services.nominate(vote, people.resident, garden, amount_cents=20_000, summary="Zaden")
    services.open_vote(vote, people.official)
    voters = [make_user(f"api-stemmer-{i}", town.bu_a) for i in range(3)]
    for voter in voters:
        services.cast_ballot(vote, voter, [option.pk])
    status, open_vote = get(f"{API}votes/{vote.pk}")
    assert status == 200
    assert open_vote["options"][0]["approvals"] is None  # no counts while voting
    assert open_vote["voters"] is None
    services.close_vote(vote, people.official)
    services.count_vote(vote, people.official)
    status, counted = get(f"{API}votes/{vote.pk}")
    assert counted["status"] == "counted" and counted["voters"] == 3
    assert counted["options"][0]["approvals"] == 3
    assert counted["options"][0]["equal_shares"] is True
    text = json.dumps(counted)
    assert "ballot" not in text and "voter_key" not in text
    for voter in voters:
        assert str(voter.email) not in text
    status, listed = get(f"{API}votes/", district=town.north.code)
    assert [v["id"] for v in listed] == [vote.pk]
    assert get(f"{API}votes/", district="WK000000")[0] == 404


def test_funds(people: People, town: Town) -> None:
    services.save_fund(people.funder, name="Dorpsfonds", level="national", themes=["green"])
    status, data = get(f"{API}funds/", theme="green")
    assert status == 200 and [f["name"] for f in data] == ["Dorpsfonds"]
    status, data = get(f"{API}funds/", theme="youth")
    assert data == []


def test_the_api_is_in_the_openapi_document(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/initiatives/",
        "/api/v1/initiatives/grants/",
        "/api/v1/initiatives/votes/{vote_id}",
    } <= paths
