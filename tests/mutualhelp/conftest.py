"""Fixtures for the neighbour-help tests: a small municipality with neighbourhoods that have
boundaries, people with roles, and a cache in memory (rate limits)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, Role, User
from buurtbasis.areas.models import Area
from buurtbasis.mutualhelp import geo, services
from buurtbasis.mutualhelp.demo import offset

PASSWORD = "een-lang-wachtwoord-42"
# The centre of the first neighbourhood (Utrecht-ish).
CENTRE = (52_090_000, 5_120_000)


def square(centre: tuple[int, int], half_m: float) -> dict[str, Any]:
    s = offset(centre, -half_m, -half_m)
    n = offset(centre, half_m, half_m)
    ring = [
        [s[1] / 1e6, s[0] / 1e6],
        [n[1] / 1e6, s[0] / 1e6],
        [n[1] / 1e6, n[0] / 1e6],
        [s[1] / 1e6, n[0] / 1e6],
        [s[1] / 1e6, s[0] / 1e6],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class World:
    gm: Area
    wk: Area
    bu: Area
    bu2: Area
    other_bu: Area  # another district, same municipality
    no_boundary: Area
    worker: User
    other_worker: User  # professional in the other district only


def _municipality(code: str, name: str) -> Area:
    gm = Area.objects.create(code=code, level="GM", name=name)
    gm.municipality = gm
    gm.save(update_fields=["municipality"])
    return gm


@pytest.fixture(autouse=True)
def memory_cache(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()


@pytest.fixture
def exact_distances(settings: Any) -> None:
    """Shown distances without the secret offset (geo.jittered), for tests that read an exact
    rounded distance. The offset itself is tested in test_distance_privacy.py."""
    settings.MUTUALHELP = {**(getattr(settings, "MUTUALHELP", {}) or {}), "DISTANCE_JITTER_M": 0}


@pytest.fixture
def world(db: Any) -> World:
    gm = _municipality("GM9901", "Testgemeente")
    wk = Area.objects.create(code="WK990101", level="WK", name="Noord", parent=gm, municipality=gm)
    wk2 = Area.objects.create(code="WK990102", level="WK", name="Zuid", parent=gm, municipality=gm)
    bu = Area.objects.create(
        code="BU99010101",
        level="BU",
        name="Oude Haven",
        parent=wk,
        municipality=gm,
        boundary=square(CENTRE, 600),
    )
    bu2 = Area.objects.create(
        code="BU99010102",
        level="BU",
        name="Nieuwe Haven",
        parent=wk,
        municipality=gm,
        boundary=square(offset(CENTRE, 0, 1200), 600),
    )
    other_bu = Area.objects.create(
        code="BU99010201",
        level="BU",
        name="Dorp",
        parent=wk2,
        municipality=gm,
        boundary=square(offset(CENTRE, -5000, 0), 600),
    )
    no_boundary = Area.objects.create(
        code="BU99010202", level="BU", name="Zonder Kaart", parent=wk2, municipality=gm
    )
    org = accounts.get_or_create_organisation("Welzijn Test")
    worker = accounts.register_user(
        email="worker@example.org",
        display_name="Wendy Werker",
        password=PASSWORD,
        phone="030 111 2222",
    )
    accounts.grant_role(worker, wk, Role.PROFESSIONAL, organisation=org)
    other_worker = accounts.register_user(
        email="other-worker@example.org", display_name="Otto Ander", password=PASSWORD
    )
    accounts.grant_role(other_worker, wk2, Role.PROFESSIONAL, organisation=org)
    return World(gm, wk, bu, bu2, other_bu, no_boundary, worker, other_worker)


@pytest.fixture
def make_person(world: World) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        name: str | None = None,
        *,
        area: Area | None = None,
        north: float = 0,
        east: float = 0,
        categories: list[str] | None = None,
        radius_m: int = 2000,
        email: bool = True,
    ) -> User:
        counter["n"] += 1
        area = area or world.bu
        user = accounts.register_user(
            email=f"person{counter['n']}@example.org" if email else None,
            display_name=name or f"Buur {counter['n']}",
            password=PASSWORD,
            home_neighbourhood=area,
        )
        centre = geo.centre_of(area.boundary) or CENTRE
        point = offset(centre, north, east)
        services.save_profile(
            user,
            actor=user,
            categories=categories or [],
            neighbourhood=area,
            lat=f"{point[0] / 1e6:.6f}",
            lon=f"{point[1] / 1e6:.6f}",
            radius_m=radius_m,
        )
        return user

    return make


@pytest.fixture
def make_post(world: World) -> Callable[..., Any]:
    def make(
        user: User,
        *,
        direction: str = "request",
        category: str = "moving",
        title: str = "Kast tillen",
        north: float | None = None,
        east: float = 0,
        area: Area | None = None,
        **extra: Any,
    ) -> Any:
        area = area or world.bu
        kwargs: dict[str, Any] = {}
        if north is not None:
            centre = geo.centre_of(area.boundary) or CENTRE
            point = offset(centre, north, east)
            kwargs = {"lat": f"{point[0] / 1e6:.6f}", "lon": f"{point[1] / 1e6:.6f}"}
        kwargs.update(extra)
        return services.create_post(
            user,
            direction=direction,
            category=category,
            title=title,
            neighbourhood=area,
            **kwargs,
        )

    return make


@pytest.fixture
def assisted(world: World) -> User:
    """Mevrouw Jansen: no internet, registered by the community worker with consent."""
    return accounts.register_assisted(
        professional=world.worker,
        display_name="Mevrouw Jansen",
        home_neighbourhood=world.bu,
        consent_given=True,
        consent_method=Consent.Method.PAPER,
        phone="030 999 8888",
    )


def login(client: Any, user: User) -> None:
    client.force_login(user)
