"""How maps are made (docs/architecture.md, "Maps"): Leaflet's files come from the installed
django-leaflet; the background layer comes from MAP_TILES_URL (no dead LEAFLET_CONFIG); the
map box is hidden until JavaScript draws it, and the areas are links without it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from pytest_django.fixtures import Settings

from .conftest import Town


def test_leaflet_files_come_from_django_leaflet_and_its_config_is_not_kept() -> None:
    for name in ("leaflet/leaflet.js", "leaflet/leaflet.css"):
        found = finders.find(name)
        assert found and "/leaflet/static/" in str(found)
    # Its template tags and config are not used (their inline scripts break the CSP).
    assert not hasattr(settings, "LEAFLET_CONFIG")


@pytest.mark.django_db
def test_background_layer_is_the_map_tiles_setting(
    client: Client, town: Town, settings: Settings
) -> None:
    url = f"/gebieden/{town.districts[0].code}/"
    without = client.get(url).content.decode()
    assert 'data-tiles-url=""' in without  # no background: vectors only
    assert '<figure class="map-figure" id="map-figure" hidden>' in without
    assert f'href="/gebieden/{town.neighbourhoods[0].code}/"' in without  # the list, no JS

    settings.MAP_TILES_URL = "https://service.pdok.nl/brt/{z}/{x}/{y}.png"
    with_tiles = client.get(url).content.decode()
    assert 'data-tiles-url="https://service.pdok.nl/brt/{z}/{x}/{y}.png"' in with_tiles
