"""The area pages: home, municipality, district and neighbourhood, in Dutch and English."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from buurtbasis.areas.services import set_values, upsert_area

from .conftest import Town, build_town


def html(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def text(page: str) -> str:
    """The visible text of a page, whitespace collapsed (tags removed)."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_home_lets_you_choose_a_municipality(client: Client, town: Town) -> None:
    page = html(client, "/")
    assert '<label for="id_gemeente">Gemeente</label>' in page
    assert '<option value="GM9001">Oosterdal</option>' in page
    assert 'href="/gebieden/GM9001/"' in page
    response = client.get("/gebieden/kies/", {"gemeente": "gm9001"})
    assert response.status_code == 302
    assert response["Location"] == "/gebieden/GM9001/"


def test_choosing_nothing_or_an_unknown_municipality_explains(client: Client, town: Town) -> None:
    response = client.get("/gebieden/kies/", {"gemeente": "GM0000"}, follow=True)
    assert "Kies een gemeente uit de lijst." in response.content.decode()
    response = client.get("/gebieden/kies/", follow=True)
    assert "Kies een gemeente uit de lijst." in response.content.decode()


@pytest.mark.django_db
def test_home_without_areas_says_so(client: Client) -> None:
    assert "Er zijn nog geen gebieden." in html(client, "/")


def test_municipality_page_lists_districts_and_neighbourhoods(client: Client, town: Town) -> None:
    page = html(client, "/gebieden/GM9001/")
    words = text(page)
    assert "Oosterdal heeft 2 wijken en 10 buurten." in words
    assert "Er wonen 11.665 mensen (2024)." in words
    for area in [*town.districts, *town.neighbourhoods]:
        assert f'href="/gebieden/{area.code}/"' in page
    # inhabitants of the neighbourhood (latest year, not the 900 of the year before)
    assert "Buurt 1-2 1.037 inwoners" in words
    assert "Cijfers over de gemeente" in words
    # the municipality is not compared with itself
    assert "Hele gemeente" not in words


def test_neighbourhood_page_shows_breadcrumb_and_grouped_figures(
    client: Client, town: Town
) -> None:
    page = html(client, "/gebieden/BU90010001/")
    words = text(page)
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', page, re.S)
    assert crumbs is not None
    assert re.findall(r'href="([^"]+)"', crumbs.group(0)) == [
        "/",
        "/gebieden/GM9001/",
        "/gebieden/WK900100/",
    ]
    assert 'aria-current="page">Buurt 1-2<' in crumbs.group(0)
    assert "Buurt 1-2 is een buurt in de wijk Wijk 1, gemeente Oosterdal." in words
    # strengths come first, then needs, then the description
    strengths = words.index("Sterke punten")
    assert strengths < words.index("Aandachtspunten") < words.index("Over de buurt")
    assert words.index("Netto arbeidsparticipatie") > strengths
    # Dutch number formats, with the municipality beside every figure, source and year
    assert "Inwoners 1.037 Hele gemeente: 11.665" in words
    assert "Netto arbeidsparticipatie 69,2 % Hele gemeente: 70,1 %" in words
    assert "€ 32.500" in words
    # counts compare as shares: 207 of 1.037 inhabitants, municipality 2.333 of 11.665
    assert "207 (20,0 % van de inwoners)" in words
    assert "Hele gemeente: 20,0 % van de inwoners · hier ongeveer gelijk" in words
    assert "41 (39,5 per 1.000 inwoners)" in words
    assert "Bron: CBS Kerncijfers wijken en buurten (85984NED), 2024" in words
    assert "Bron: Politie/CBS Geregistreerde misdrijven (47018NED), 2024" in words


def test_district_page_lists_its_neighbourhoods_and_maps_them(client: Client, town: Town) -> None:
    page = html(client, "/gebieden/WK900101/")
    words = text(page)
    assert "Wijk 2 is een wijk in de gemeente Oosterdal." in words
    assert "Buurten in deze wijk" in words
    assert "Buurt 2-1 1.185 inwoners" in words
    data = json.loads(
        re.search(
            r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    roles = [(f["properties"]["code"], f["properties"]["role"]) for f in data["features"]]
    assert roles[0] == ("WK900101", "self")
    assert sorted(code for code, role in roles if role == "child") == [
        f"BU900101{n:02d}" for n in range(5)
    ]
    # only this district and its own neighbourhoods, linked, rounded to at most 6 decimals
    assert all(
        f["properties"]["url"] == f"/gebieden/{c}/"
        for (c, _), f in zip(roles, data["features"], strict=True)
    )
    coordinates = re.findall(r"-?\d+\.\d+", json.dumps(data["features"][0]["geometry"]))
    assert coordinates and all(len(c.split(".")[1]) <= 6 for c in coordinates)
    assert 'aria-label="Kaart van wijk Wijk 2 en de buurten erin"' in page
    assert "leaflet/leaflet.js" in page and "buurtbasis/js/map.js" in page


@pytest.mark.django_db
def test_no_boundaries_no_map(client: Client) -> None:
    build_town("9002", "Zonderkaart", districts=1, per_district=2, boundaries=False)
    for url in ["/gebieden/GM9002/", "/gebieden/WK900200/", "/gebieden/BU90020001/"]:
        page = html(client, url)
        assert "map-data" not in page
        assert "area-map" not in page
        assert "leaflet" not in page
        assert "Buurt 1-" in page  # the list and figures still show


@pytest.mark.django_db
def test_area_without_figures_says_so(client: Client) -> None:
    gm = upsert_area("GM9003", "Leegstad")
    wk = upsert_area("WK900301", "Centrum", parent=gm)
    bu = upsert_area("BU90030101", "Plein", parent=wk)
    for area in (gm, wk, bu):
        assert "Er zijn nog geen cijfers voor dit gebied." in html(client, area.get_absolute_url())


def test_codes_are_case_insensitive_and_unknown_codes_are_404(client: Client, town: Town) -> None:
    response = client.get("/gebieden/bu90010001/")
    assert response.status_code == 301
    assert response["Location"] == "/gebieden/BU90010001/"
    response = client.get("/gebieden/BU99999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Deze pagina bestaat niet" in body
    assert 'lang="nl"' in body


def test_figure_for_older_year_compares_with_the_municipality_of_that_year(
    client: Client, town: Town
) -> None:
    hood = town.neighbourhoods[0]
    set_values(hood, 2025, {"low_income_households": 12})
    words = text(html(client, hood.get_absolute_url()))
    # the neighbourhood's newest figure is from 2025; the municipality only has 2024
    assert "Huishoudens met een laag inkomen 12,0 % Hele gemeente (2024): 10,0 %" in words
    assert "Bron: CBS Kerncijfers wijken en buurten (85984NED), 2025" in words


def test_filter_neighbourhoods_without_and_with_htmx(client: Client, town: Town) -> None:
    page = html(client, "/gebieden/GM9001/?q=buurt 2-")
    words = text(page)
    assert "5 buurten gevonden met “buurt 2-”." in words
    assert "Buurt 2-3" in words and "Buurt 1-3" not in words
    assert "<h1>" in page  # a whole page without JavaScript
    assert "Oosterdal heeft 2 wijken en 10 buurten." in words

    partial = html(client, "/gebieden/GM9001/?q=1-4", **{"HX-Request": "true"})
    assert "<h1>" not in partial and "<html" not in partial
    assert partial.lstrip().startswith('<div id="area-list"')
    assert "1 buurt gevonden met “1-4”." in text(partial)
    assert "Buurt 1-4" in partial and "Buurt 2-4" not in partial

    nothing = html(client, "/gebieden/GM9001/?q=xyz", **{"HX-Request": "true"})
    assert "Geen buurten gevonden." in nothing


def test_english_pages_format_numbers_the_english_way(client: Client, town: Town) -> None:
    client.cookies["django_language"] = "en"
    page = html(client, "/gebieden/BU90010001/")
    assert '<html lang="en">' in page
    words = text(page)
    assert "Inhabitants 1,037" in words
    assert "Net labour participation 69.2" in words


def test_language_switch_is_a_plain_post_form(client: Client, town: Town) -> None:
    page = html(client, "/gebieden/GM9001/")
    form = re.search(r'<form action="/i18n/setlang/" method="post".*?</form>', page, re.S)
    assert form is not None
    assert 'name="next" type="hidden" value="/gebieden/GM9001/"' in form.group(0)
    assert 'name="language" value="en"' in form.group(0)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/gebieden/GM9001/"})
    assert response.status_code == 302
    assert '<html lang="en">' in html(client, "/gebieden/GM9001/")


def test_pages_have_no_inline_styles_or_unnonced_scripts(client: Client, town: Town) -> None:
    for url in ["/", "/gebieden/GM9001/", "/gebieden/WK900100/", "/gebieden/BU90010001/"]:
        page = html(client, url)
        assert not re.search(r"\sstyle\s*=", page), url
        assert "<style" not in page, url
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag or "nonce=" in tag, tag
        assert page.count("<h1") == 1, url


def test_skip_link_comes_first_and_points_at_main(client: Client, town: Town) -> None:
    page = html(client, "/gebieden/BU90010001/")
    body = page.split("<body>", 1)[1]
    first_link = re.search(r"<a\b[^>]*>", body)
    assert first_link is not None and 'href="#main"' in first_link.group(0)
    assert '<main id="main"' in page


def test_error_templates_are_dutch() -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("nl"):
        page = render_to_string("500.html")
    assert "Er ging iets mis" in page
    assert 'lang="nl"' in page


def test_area_pages_link_to_what_is_in_the_area(client: Client, town: Town) -> None:
    hood = html(client, "/gebieden/BU90010001/")
    assert 'href="/plekken/BU90010001/"' in hood
    assert 'href="/initiatieven/gebied/BU90010001/"' in hood
    assert 'href="/burenhulp/buurt/BU90010001/"' in hood
    district = html(client, "/gebieden/WK900100/")
    assert 'href="/plekken/WK900100/"' in district
    assert "/burenhulp/buurt/" not in district  # help is per neighbourhood
    assert "Wat is er in deze gemeente?" in html(client, "/gebieden/GM9001/")


def test_every_domain_registers_its_area_pages() -> None:
    """The area page lists what each domain app registered, per level (no upward imports)."""
    from buurtbasis.core.navigation import links_for

    district = {link["url"] for link in links_for("WK", "WK900100")}
    assert {
        "/budgetten/wijk/WK900100/",
        "/budgetten/wijk/WK900100/geldstromen/",
        "/wijkbeeld/WK900100/",
        "/agenda/WK900100/",
        "/plekken/WK900100/",
        "/initiatieven/gebied/WK900100/",
    } <= district
    municipality = {link["url"] for link in links_for("GM", "GM9001")}
    assert "/agenda/kader/GM9001/" in municipality
    assert not any(url.startswith("/budgetten/wijk/") for url in municipality)
    hood = {link["url"] for link in links_for("BU", "BU90010001")}
    assert "/burenhulp/buurt/BU90010001/" in hood
    assert "/burenhulp/buurt/BU90010001/" not in district
