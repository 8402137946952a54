"""Fixtures for the accounts tests: two small municipalities and people in them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sesame.settings

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Organisation, User
from buurtbasis.areas.models import Area

PASSWORD = "een-lang-wachtwoord-42"


@dataclass
class Areas:
    gm: Area
    wk: Area
    bu: Area
    bu2: Area  # second neighbourhood in the same district
    other_gm: Area
    other_wk: Area
    other_bu: Area


def _municipality(code: str, name: str) -> Area:
    gm = Area.objects.create(code=code, level="GM", name=name)
    gm.municipality = gm
    gm.save(update_fields=["municipality"])
    return gm


@pytest.fixture
def areas(db: Any) -> Areas:
    gm = _municipality("GM9901", "Testgemeente")
    wk = Area.objects.create(code="WK990101", level="WK", name="Noord", parent=gm, municipality=gm)
    bu = Area.objects.create(
        code="BU99010101", level="BU", name="Oude Haven", parent=wk, municipality=gm
    )
    bu2 = Area.objects.create(
        code="BU99010102", level="BU", name="Nieuwe Haven", parent=wk, municipality=gm
    )
    other_gm = _municipality("GM9902", "Andere gemeente")
    other_wk = Area.objects.create(
        code="WK990201", level="WK", name="Zuid", parent=other_gm, municipality=other_gm
    )
    other_bu = Area.objects.create(
        code="BU99020101", level="BU", name="Dorp", parent=other_wk, municipality=other_gm
    )
    return Areas(gm, wk, bu, bu2, other_gm, other_wk, other_bu)


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any, db: Any) -> None:
    # Every accounts test uses the database. The same hashing code with a cheaper algorithm:
    # the tests hash many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login_rate(settings: Any) -> str:
    settings.BUURTBASIS = {**settings.BUURTBASIS, "LOGIN_RATE": "3/h"}
    return "3/h"


@pytest.fixture
def reload_sesame() -> Any:
    """Reload django-sesame's settings after a test changed them, and again afterwards."""
    yield sesame.settings.load
    sesame.settings.load()


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return services.get_or_create_organisation("Welzijn Testgemeente", "welzijn")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(email: str | None = "", *, password: str | None = PASSWORD, **extra: Any) -> User:
        n = next(counter)
        return services.register_user(
            email=f"persoon{n}@example.org" if email == "" else email,
            display_name=extra.pop("display_name", f"Persoon {n}"),
            password=password,
            **extra,
        )

    return make


@pytest.fixture
def professional(areas: Areas, make_user: Callable[..., User], organisation: Organisation) -> User:
    user = make_user("pro@example.org", display_name="Pro")
    services.grant_role(user, areas.wk, "professional", organisation=organisation)
    return user
