"""``/api/v1/help/``: posts and matches as JSON, never an exact location."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from buurtbasis.accounts.models import User
from buurtbasis.mutualhelp import services
from buurtbasis.mutualhelp.models import Post

from .conftest import World

pytestmark = pytest.mark.django_db

FORBIDDEN_KEYS = {"lat", "lon", "lat_e6", "lon_e6", "latitude", "longitude", "point", "radius_m"}


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def no_location(data: Any, *posts: Post) -> None:
    assert not keys(data) & FORBIDDEN_KEYS
    text = json.dumps(data)
    for post in posts:
        assert str(post.lat_e6) not in text and f"{post.lat_e6 / 1e6:.4f}" not in text
        assert str(post.lon_e6) not in text and f"{post.lon_e6 / 1e6:.4f}" not in text


@pytest.fixture
def setup(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> dict[str, Any]:
    sanne = make_person("Sanne")
    kees = make_person("Kees", north=640, categories=["moving"])
    request = make_post(sanne, title="Kast tillen")
    offer = make_post(kees, direction="offer", title="Tillen", north=640)
    hidden = make_post(kees, title="Geheim", hide_location=True)
    return {"sanne": sanne, "kees": kees, "request": request, "offer": offer, "hidden": hidden}


def test_list_and_detail(
    client: Client, world: World, setup: dict[str, Any], exact_distances: None
) -> None:
    response = client.get("/api/v1/help/posts", {"neighbourhood": world.bu.code.lower()})
    assert response.status_code == 200
    data = response.json()
    assert {p["title"] for p in data} == {"Kast tillen", "Tillen"}  # never the vulnerable one
    assert all(p["owner_name"] is None and p["distance"] is None for p in data)
    no_location(data, setup["request"], setup["offer"])

    client.force_login(setup["sanne"])
    data = client.get(
        "/api/v1/help/posts", {"neighbourhood": world.bu.code, "direction": "offer"}
    ).json()
    assert [p["title"] for p in data] == ["Tillen"]
    assert data[0]["distance"] == "± 600 m" and data[0]["distance_rounded_m"] == 600
    assert data[0]["owner_name"] == "Kees"

    detail = client.get(f"/api/v1/help/posts/{setup['hidden'].pk}").json()
    assert detail["neighbourhood"] is None and detail["distance"] is None
    no_location(detail, setup["hidden"])
    assert client.get("/api/v1/help/posts", {"neighbourhood": "BU00000000"}).status_code == 404
    assert client.get("/api/v1/help/posts/999999").status_code == 404


def test_create_with_errors_and_then_without(
    client: Client, world: World, setup: dict[str, Any]
) -> None:
    assert client.post("/api/v1/help/posts", {}, content_type="application/json").status_code == 401
    client.force_login(setup["sanne"])
    before = Post.objects.count()
    response = client.post(
        "/api/v1/help/posts",
        {"direction": "offer", "title": "Rit", "kind": "ride", "seats": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["fields"]) >= {"category", "neighbourhood", "seats"}
    assert "Kies een categorie." in body["fields"]["category"]
    assert Post.objects.count() == before

    response = client.post(
        "/api/v1/help/posts",
        {
            "direction": "offer",
            "title": "Rit naar de markt",
            "category": "transport",
            "kind": "ride",
            "seats": 2,
            "ride_to": "Markt",
            "neighbourhood": world.bu.code,
            "lat": "52.0901",
            "lon": "5.1201",
            "moments": [1, 8],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["seats"] == 2 and created["moments"] == [1, 8]
    post = Post.objects.get(pk=created["id"])
    assert (post.lat_e6, post.lon_e6) == (52_090_100, 5_120_100)
    no_location(created, post)


def test_posting_on_behalf_needs_consent(
    client: Client, world: World, setup: dict[str, Any], assisted: User
) -> None:
    payload = {
        "direction": "request",
        "title": "Boodschappen",
        "category": "shopping",
        "neighbourhood": world.bu.code,
        "on_behalf_of": assisted.pk,
    }
    client.force_login(setup["kees"])
    response = client.post("/api/v1/help/posts", payload, content_type="application/json")
    assert response.status_code == 400 and "owner" in response.json()["fields"]
    client.force_login(world.worker)
    response = client.post("/api/v1/help/posts", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["on_behalf"] is True


def test_matches_only_for_the_post_side(
    client: Client, setup: dict[str, Any], exact_distances: None
) -> None:
    url = f"/api/v1/help/posts/{setup['request'].pk}/matches"
    assert client.get(url).status_code == 401
    client.force_login(setup["kees"])
    assert client.get(url).status_code == 404
    client.force_login(setup["sanne"])
    data = client.get(url).json()
    assert [c["name"] for c in data] == ["Kees"]
    assert data[0]["source"] == "post" and data[0]["post_id"] == setup["offer"].pk
    assert data[0]["distance"] == "± 600 m"
    expected = services.candidates_for(setup["sanne"], setup["request"])[0].score
    assert data[0]["score"] == expected
    no_location(data, setup["offer"])


def test_withdraw_and_close(client: Client, setup: dict[str, Any]) -> None:
    post = setup["request"]
    client.force_login(setup["kees"])
    assert client.post(f"/api/v1/help/posts/{post.pk}/withdraw").status_code == 403
    client.force_login(setup["sanne"])
    response = client.post(f"/api/v1/help/posts/{post.pk}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/help/posts/{post.pk}/close").status_code == 400
    mine = client.get("/api/v1/help/mine").json()
    assert post.pk not in [p["id"] for p in mine]


def test_choices(client: Client, db: Any) -> None:
    data = client.get("/api/v1/help/choices").json()
    assert {"value": "moving", "label": "Tillen en verhuizen"} in data["categories"]
    assert data["radii_m"] == [500, 1000, 2000, 5000]
