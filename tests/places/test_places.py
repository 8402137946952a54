from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from buurtbasis.accounts.models import Role
from buurtbasis.core.models import AuditEvent
from buurtbasis.places import selectors, services
from buurtbasis.places.models import Place, PlaceKeeper

from .helpers import Town, pdf_pages_not_blank, pdf_text, person

pytestmark = pytest.mark.django_db


def data(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "Buurtkamer De Linde",
        "kind": "buurtkamer",
        "schedule": "di en do 10–12 uur",
        "how_to_join": "Gewoon binnenlopen",
        "drop_in": True,
        "host_name": "Fatma",
        "contact_phone": "06 1234 5678",
        "address": "Lindelaan 4",
        "latitude": "52.09",
        "longitude": "5.11",
        "rent_cents": 45_000,
        "market_rent_cents": 120_000,
        "tp_host": True,
        "cp_low_threshold": True,
    }
    base.update(extra)
    return base


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_resident_adds_place_and_becomes_keeper(town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    place = services.create_place(resident, town.bu, data())
    assert place.area == town.bu
    assert place.created_by == resident
    assert PlaceKeeper.objects.filter(place=place, user=resident).exists()
    assert place.rent_share_of_market == 38  # 450 of 1200 euros = 37.5 % → 38
    assert place.has_point and place.is_building and not place.is_activity
    assert AuditEvent.objects.filter(action="places.create", object_id=str(place.pk)).exists()


@pytest.mark.parametrize(
    ("area_attr", "extra", "field"),
    [
        ("bu", {"name": "  "}, "name"),
        (None, {}, "area"),
        ("wk", {}, "area"),
        ("bu", {"kind": "castle"}, "kind"),
        ("bu", {"latitude": "40.0"}, "latitude"),
        ("bu", {"longitude": ""}, "latitude"),
        ("bu", {"contact_phone": "call me"}, "contact_phone"),
        ("bu", {"contact_email": "nope"}, "contact_email"),
        ("bu", {"rent_cents": -5}, "rent_cents"),
    ],
)
def test_bad_place_input_changes_nothing(
    town: Town, area_attr: str | None, extra: dict[str, object], field: str
) -> None:
    resident = person(town.bu, Role.RESIDENT)
    area = getattr(town, area_attr) if area_attr else None
    with pytest.raises(ValidationError) as info:
        services.create_place(resident, area, data(**extra))
    assert field in info.value.message_dict
    assert all(str(m) for m in info.value.message_dict[field])
    assert Place.objects.count() == 0


def test_upload_that_is_not_an_image_is_refused(town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    fake = SimpleUploadedFile("foto.png", b"%PDF-1.4 not a picture", content_type="image/png")
    with pytest.raises(ValidationError) as info:
        services.create_place(resident, town.bu, data(), photo=fake)
    assert "geen afbeelding" in " ".join(info.value.messages)
    assert Place.objects.count() == 0
    good = SimpleUploadedFile("foto.bin", png_bytes(), content_type="application/octet-stream")
    place = services.create_place(resident, town.bu, data(), photo=good)
    assert place.photo.name.endswith(".png")
    place.photo.delete(save=False)


def test_role_x_action_permissions(town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    neighbour = person(town.bu2, Role.RESIDENT)
    professional = person(town.wk, Role.PROFESSIONAL)
    civil_servant = person(town.gm, Role.CIVIL_SERVANT)
    council = person(town.gm, Role.COUNCIL_MEMBER)
    admin = person(town.gm, Role.ADMINISTRATOR)
    outsider = person(town.other_bu, Role.PROFESSIONAL)
    place = services.create_place(resident, town.bu, data())
    expected = {
        # who: (add in bu, change place, keep place, change contact)
        resident: (True, True, True, False),
        neighbour: (False, False, False, False),
        professional: (True, True, True, True),
        civil_servant: (False, False, False, False),
        council: (False, False, False, False),
        admin: (True, True, False, True),
        outsider: (False, False, False, False),
    }
    for user, (add, change, keep, contact) in expected.items():
        assert user.has_perm("places.add_place", town.bu) is add, user
        assert user.has_perm("places.change_place", place) is change, user
        assert user.has_perm("places.keep_place", place) is keep, user
        assert user.has_perm("places.change_contact", town.bu) is contact, user
    with pytest.raises(PermissionDenied):
        services.create_place(civil_servant, town.bu, data())
    with pytest.raises(PermissionDenied):
        services.update_place(neighbour, place, data(name="Overgenomen"))
    place.refresh_from_db()
    assert place.name == "Buurtkamer De Linde"


def test_keepers_and_professional_help(town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    other = person(town.bu, Role.RESIDENT)
    professional = person(town.wk, Role.PROFESSIONAL)
    place = services.create_place(resident, town.bu, data())
    services.keep_place(other, place)
    services.keep_place(other, place)  # idempotent
    assert place.keepers.count() == 2
    updated = services.update_place(
        professional, place, data(schedule="elke woensdag", area=town.bu2)
    )
    assert updated.schedule == "elke woensdag" and updated.area == town.bu2
    services.stop_keeping(other, place)
    assert place.keepers.count() == 1
    with pytest.raises(ValidationError):
        services.update_place(professional, updated, data(area=town.wk))


def test_selectors_by_level_and_geojson(town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    r2 = person(town.other_bu, Role.RESIDENT)
    services.create_place(resident, town.bu, data())
    services.create_place(
        resident, town.bu, data(name="Wandelgroep", kind="walking_group", latitude="", longitude="")
    )
    services.create_place(r2, town.other_bu, data(name="Haventuin", kind="community_garden"))
    stopped = services.create_place(resident, town.bu, data(name="Oud"))
    services.update_place(resident, stopped, data(name="Oud", is_active=False))
    assert {p.name for p in selectors.places_in(town.bu)} == {"Buurtkamer De Linde", "Wandelgroep"}
    assert selectors.places_in(town.wk).count() == 2
    assert selectors.places_in(town.gm).count() == 3
    assert selectors.places_in(town.gm, active_only=False).count() == 4
    features = selectors.geojson(selectors.places_in(town.bu))["features"]
    assert [f["properties"]["name"] for f in features] == ["Buurtkamer De Linde"]
    assert features[0]["geometry"]["coordinates"] == [5.11, 52.09]
    printed = selectors.print_places(town.bu)
    assert [p.name for p in printed["activities"]] == ["Wandelgroep"]


def test_area_contact_rules(town: Town) -> None:
    professional = person(town.wk, Role.PROFESSIONAL)
    resident = person(town.bu, Role.RESIDENT)
    with pytest.raises(ValidationError) as info:
        services.set_area_contact(professional, town.wk, {"name": "Sanne", "phone": ""})
    assert "phone" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        services.set_area_contact(resident, town.bu, {"name": "X", "phone": "0301234567"})
    services.set_area_contact(professional, town.wk, {"name": "Sanne", "phone": "030 123 4567"})
    contact = selectors.contact_for(town.bu)
    assert contact is not None and contact.name == "Sanne"


def test_pages_work_without_javascript(client: Client, town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    place = services.create_place(resident, town.bu, data())
    page = client.get(reverse("places:area", args=[town.bu.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Buurtkamer De Linde" in html and 'id="map-data"' in html
    assert "style=" not in html
    assert client.get(reverse("places:area", args=[town.wk.code])).status_code == 200
    assert client.get(reverse("places:area", args=[town.gm.code])).status_code == 200
    detail = client.get(place.get_absolute_url()).content.decode()
    assert "€ 450" in detail and "38% van de marktconforme huur" in detail
    # Anonymous visitors cannot add.
    assert client.get(reverse("places:create", args=[town.bu.code])).status_code == 302


def test_create_and_edit_through_the_form(client: Client, town: Town) -> None:
    resident = person(town.bu, Role.RESIDENT)
    client.force_login(resident)
    url = reverse("places:create", args=[town.bu.code])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "", "kind": "park", "area": town.bu.pk})
    assert bad.status_code == 200
    assert "Geef de plek een naam." in bad.content.decode()
    assert Place.objects.count() == 0
    not_image = SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")
    bad = client.post(
        url, {"name": "Bankje", "kind": "park", "area": town.bu.pk, "photo": not_image}
    )
    assert "geen afbeelding" in bad.content.decode()
    assert Place.objects.count() == 0
    ok = client.post(
        url,
        {
            "name": "Bankje in de zon",
            "kind": "park",
            "area": town.bu.pk,
            "rent": "1.250,50",
            "is_active": "on",
        },
    )
    place = Place.objects.get()
    assert ok.status_code == 302 and ok["Location"] == place.get_absolute_url()
    assert place.rent_cents == 125_050
    edit = reverse("places:edit", args=[place.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"name": "Bankje", "kind": "park", "area": town.bu.pk, "is_active": "on"})
    place.refresh_from_db()
    assert place.name == "Bankje"
    other = person(town.bu2, Role.RESIDENT)
    client.force_login(other)
    assert client.get(edit).status_code == 403


def test_poster_and_card_pdf(client: Client, town: Town, tmp_path: Path) -> None:
    from buurtbasis.places.printing import document_text, render_document

    resident = person(town.bu, Role.RESIDENT)
    professional = person(town.wk, Role.PROFESSIONAL)
    services.set_area_contact(professional, town.wk, {"name": "Sanne", "phone": "030 123 4567"})
    services.create_place(resident, town.bu, data())
    for n in range(12):
        services.create_place(
            resident,
            town.bu,
            data(name=f"Wandelgroep {n}", kind="walking_group", schedule="za 10 uur"),
        )
    poster = client.get(reverse("places:poster", args=[town.bu.code]))
    assert poster.status_code == 200 and poster["Content-Type"] == "application/pdf"
    assert poster.content.startswith(b"%PDF")
    card = client.get(reverse("places:card", args=[town.bu.code]))
    assert card.content.startswith(b"%PDF")
    # The laid-out text, through WeasyPrint's own document API (always available).
    document = render_document(
        "places/print/card.html",
        {
            "area": town.bu,
            "contact": selectors.contact_for(town.bu),
            "card_items": [],
            "more_count": 0,
        },
    )
    assert "030 123 4567" in document_text(document)
    text = pdf_text(poster.content, tmp_path)
    assert "Wat is er te doen in de buurt?" in text
    assert "Buurtkamer De Linde" in text and "030 123 4567" in text
    card_text = pdf_text(card.content, tmp_path)
    assert (
        "En nog 4 plekken" in card_text
        and "Bel Sanne:" in card_text
        and "030 123 4567" in card_text
    )
    assert pdf_pages_not_blank(card.content, tmp_path / "card") == 2
    # The A4 poster, rendered to an image: one page, portrait A4, with ink on it.
    assert pdf_pages_not_blank(poster.content, tmp_path / "poster") == 1
    with Image.open(next((tmp_path / "poster").glob("page*.png"))) as img:
        width, height = img.size
    assert abs(height / width - 297 / 210) < 0.02
    assert "Wandelgroep 0" in text and "za 10 uur" in text


def test_keep_page(client: Client, town: Town) -> None:
    """POST places:keep: a resident of the neighbourhood joins the keepers; a civil servant is
    refused; a place that does not exist is a 404; "stop" by a non-keeper changes nothing."""
    resident = person(town.bu, Role.RESIDENT)
    neighbour = person(town.bu, Role.RESIDENT, name="Buurvrouw")
    place = services.create_place(resident, town.bu, data())
    url = reverse("places:keep", args=[place.pk])
    client.force_login(person(town.gm, Role.CIVIL_SERVANT))
    assert client.post(url).status_code == 403
    client.force_login(person(town.other_bu, Role.RESIDENT))
    assert client.post(url).status_code == 403
    assert list(place.keepers.all()) == [resident]
    client.force_login(neighbour)
    assert client.get(url).status_code == 405
    assert client.post(reverse("places:keep", args=[place.pk + 99])).status_code == 404
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == place.get_absolute_url()
    assert set(place.keepers.all()) == {resident, neighbour}
    assert AuditEvent.objects.filter(action="places.keep", actor=neighbour).exists()
    page = client.get(place.get_absolute_url()).content.decode()
    assert "Buurvrouw" in page
    client.force_login(person(town.bu, Role.RESIDENT))
    client.post(url, {"stop": "1"})  # not a keeper: nothing changes
    assert set(place.keepers.all()) == {resident, neighbour}
    client.force_login(neighbour)
    client.post(url, {"stop": "1"})
    assert list(place.keepers.all()) == [resident]


def test_full_poster_stays_one_a4_page(client: Client, town: Town, tmp_path: Path) -> None:
    """The poster shows at most 16 entries; with 16 long ones it is still one A4 page (the type
    gets smaller as entries are added) and says how many were left out."""
    resident = person(town.bu, Role.RESIDENT)
    professional = person(town.wk, Role.PROFESSIONAL)
    services.set_area_contact(
        professional,
        town.wk,
        {"name": "Sanne", "phone": "030 123 4567", "walk_in": "dinsdag 9–12 in de buurtkamer"},
    )
    for n in range(18):
        services.create_place(
            resident,
            town.bu,
            data(
                name=f"Wandelgroep Lindelaan {n:02d}",
                kind="walking_group",
                schedule="elke dinsdag en donderdag van 10 tot 12 uur",
                how_to_join="Gewoon binnenlopen, de koffie staat klaar",
            ),
        )
    poster = client.get(reverse("places:poster", args=[town.bu.code])).content
    assert pdf_pages_not_blank(poster, tmp_path / "png") == 1
    text = pdf_text(poster, tmp_path)
    assert "Wandelgroep Lindelaan 00" in text and "Wandelgroep Lindelaan 15" in text
    assert "Wandelgroep Lindelaan 16" not in text and "En nog 2 plekken" in text
    assert "030 123 4567" in text
