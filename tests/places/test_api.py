from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from buurtbasis.accounts.models import Role
from buurtbasis.agenda import services as agenda_services
from buurtbasis.places import services
from buurtbasis.places.models import Place
from buurtbasis.wijkbeeld import services as wijkbeeld_services

from .helpers import Town, person

pytestmark = pytest.mark.django_db


def test_places_api(client: Client, town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    services.create_place(
        resident,
        town.bu,
        {"name": "Buurtkamer", "kind": "buurtkamer", "latitude": "52.09", "longitude": "5.11"},
    )
    listed = client.get("/api/v1/places/", {"area": town.wk.code.lower()}).json()
    assert [p["name"] for p in listed] == ["Buurtkamer"] and listed[0]["latitude"] == 52.09
    assert client.get("/api/v1/places/", {"area": "BU00000000"}).status_code == 404
    place_id = listed[0]["id"]
    assert client.get(f"/api/v1/places/{place_id}").json()["area"] == town.bu.code
    body = {"area": town.bu.code, "name": "Moestuin", "kind": "community_garden"}
    assert client.post("/api/v1/places/", body, content_type="application/json").status_code == 401
    csrf_client = Client(enforce_csrf_checks=False)
    csrf_client.force_login(resident)
    created = csrf_client.post("/api/v1/places/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["name"] == "Moestuin"
    bad = csrf_client.post("/api/v1/places/", {**body, "name": ""}, content_type="application/json")
    assert bad.status_code == 400 and "name" in bad.json()["fields"]
    civil = person(town.gm, Role.CIVIL_SERVANT)
    csrf_client.force_login(civil)
    assert (
        csrf_client.post("/api/v1/places/", body, content_type="application/json").status_code
        == 403
    )
    assert Place.objects.count() == 2


def test_wijkbeeld_and_agenda_api(client: Client, town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL, name="Sanne")
    wijkbeeld_services.create_wijkbeeld(worker, town.wk)
    parts = client.get(f"/api/v1/wijkbeeld/{town.wk.code}/parts").json()
    assert [p["kind"] for p in parts] == ["statistics", "places"]
    assert parts[0]["author"] == "Sanne" and parts[0]["version"] == 1
    assert client.get(f"/api/v1/wijkbeeld/{town.bu.code}/parts").status_code == 404
    clerk = person(town.gm, Role.CIVIL_SERVANT)
    fw = agenda_services.get_or_create_framework(clerk, town.gm)
    agenda = agenda_services.create_agenda(worker, town.wk, {"title": "A", "vision": "V"})
    agenda_services.add_goal(
        worker,
        agenda,
        {"title": "Groen", "horizon_years": 10, "public_value": fw.public_values.first()},
    )
    assert client.get("/api/v1/agenda/goals", {"area": town.wk.code}).json() == []
    assert client.get(f"/api/v1/agenda/{agenda.pk}/goals").status_code == 404
    agenda_services.publish_agenda(worker, agenda)
    goals = client.get("/api/v1/agenda/goals", {"area": town.wk.code}).json()
    assert goals[0]["title"] == "Groen" and goals[0]["public_value"] == "Duurzaamheid"
    assert goals[0]["target_year"] == timezone.localdate().year + 10
    assert client.get(f"/api/v1/agenda/{agenda.pk}/goals").json()[0]["horizon_years"] == 10
