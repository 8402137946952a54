"""The JSON API /api/v1/: areas and their statistics."""

from __future__ import annotations

import pytest
from django.test import Client

from buurtbasis.areas.services import set_values

from .conftest import Town


def test_area_with_parent_and_children(client: Client, town: Town) -> None:
    response = client.get("/api/v1/areas/WK900101")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == "WK900101"
    assert data["name"] == "Wijk 2"
    assert data["level"] == "WK"
    assert data["parent"] == {"code": "GM9001", "name": "Oosterdal"}
    assert data["children"] == [
        {"code": f"BU900101{n:02d}", "name": f"Buurt 2-{n + 1}", "level": "BU"} for n in range(5)
    ]


def test_municipality_has_no_parent_and_codes_ignore_case(client: Client, town: Town) -> None:
    data = client.get("/api/v1/areas/gm9001").json()
    assert data["code"] == "GM9001"
    assert data["parent"] is None
    assert [c["code"] for c in data["children"]] == ["WK900100", "WK900101"]
    hood = client.get("/api/v1/areas/bu90010004").json()
    assert hood["parent"] == {"code": "WK900100", "name": "Wijk 1"}
    assert hood["children"] == []


def test_statistics_latest_year_by_default(client: Client, town: Town) -> None:
    hood = town.neighbourhoods[1]
    set_values(hood, 2025, {"labour_participation": "71.5"})
    response = client.get(f"/api/v1/areas/{hood.code.lower()}/statistics")
    assert response.status_code == 200
    rows = {row["indicator"]: row for row in response.json()}
    assert rows["inhabitants"] == {
        "indicator": "inhabitants",
        "label": "Inwoners",
        "year": 2024,
        "value": 1037,
        "unit": "aantal",
        "source": "CBS Kerncijfers wijken en buurten (85984NED)",
    }
    assert rows["labour_participation"]["year"] == 2025
    assert rows["labour_participation"]["value"] == 71.5
    assert rows["registered_crimes"]["source"].startswith("Politie/CBS")
    assert len(rows) == len(response.json())  # one row per indicator


def test_statistics_of_one_year(client: Client, town: Town) -> None:
    hood = town.neighbourhoods[1]
    rows = client.get(f"/api/v1/areas/{hood.code}/statistics", {"year": 2023}).json()
    assert rows == [
        {
            "indicator": "inhabitants",
            "label": "Inwoners",
            "year": 2023,
            "value": 900,
            "unit": "aantal",
            "source": "CBS Kerncijfers wijken en buurten (85984NED)",
        }
    ]
    assert client.get(f"/api/v1/areas/{hood.code}/statistics", {"year": 1999}).json() == []
    bad = client.get(f"/api/v1/areas/{hood.code}/statistics", {"year": "vorig"})
    assert bad.status_code == 422


def test_labels_follow_the_language(client: Client, town: Town) -> None:
    rows = client.get("/api/v1/areas/GM9001/statistics", headers={"accept-language": "en"}).json()
    assert {r["indicator"]: r["label"] for r in rows}["inhabitants"] == "Inhabitants"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/areas/BU12345678", "/api/v1/areas/nonsense/statistics"])
def test_unknown_area_is_404_with_json_error(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert "bestaat niet" in body["error"]


@pytest.mark.django_db
def test_openapi_documents_both_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    area = paths["/api/v1/areas/{code}"]["get"]
    stats = paths["/api/v1/areas/{code}/statistics"]["get"]
    assert set(area["responses"]) >= {"200", "404"}
    assert set(stats["responses"]) >= {"200", "404"}
    assert any(p["name"] == "year" for p in stats["parameters"])
    components = schema["components"]["schemas"]
    assert set(components["AreaOut"]["properties"]) == {
        "code",
        "name",
        "level",
        "parent",
        "children",
    }
    assert set(components["StatisticOut"]["properties"]) == {
        "indicator",
        "label",
        "year",
        "value",
        "unit",
        "source",
    }
    assert components["ErrorOut"]["required"] == ["error"]


@pytest.mark.django_db
def test_no_interactive_docs_page_that_the_csp_would_break(client: Client) -> None:
    assert client.get("/api/v1/docs").status_code == 404
