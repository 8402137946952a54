from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, Role
from buurtbasis.areas import services as area_services
from buurtbasis.core.models import AuditEvent
from buurtbasis.wijkbeeld import selectors, services
from buurtbasis.wijkbeeld.models import Comment, KeyPerson, Part, PartVersion, Presence
from tests.places.helpers import Town, pdf_pages_not_blank, pdf_text, person

pytestmark = pytest.mark.django_db


def started(town: Town):  # type: ignore[no-untyped-def]
    worker = person(town.wk, Role.PROFESSIONAL, name="Sanne")
    return worker, services.create_wijkbeeld(worker, town.wk)


def test_create_wijkbeeld_with_live_parts(town: Town) -> None:
    worker, wijkbeeld = started(town)
    assert wijkbeeld.title == "Wijkbeeld Oostwijk"
    assert [p.kind for p in wijkbeeld.parts.all()] == ["statistics", "places"]
    assert PartVersion.objects.filter(part__wijkbeeld=wijkbeeld).count() == 2
    with pytest.raises(ValidationError):
        services.create_wijkbeeld(worker, town.wk)
    with pytest.raises(ValidationError):
        services.create_wijkbeeld(worker, town.gm)
    resident = person(town.bu, Role.RESIDENT)
    with pytest.raises(PermissionDenied):
        services.create_wijkbeeld(resident, town.bu)


def test_parts_have_author_date_and_versions(town: Town) -> None:
    worker, wijkbeeld = started(town)
    elder = person(town.bu, Role.RESIDENT, name="Kees")
    part = services.add_part(
        elder,
        wijkbeeld,
        {
            "kind": "history",
            "title": "Hoe de wijk ontstond",
            "body": "Gebouwd in 1962.\nEerst weiland.",
            "written_on": datetime.date(2024, 3, 1),
        },
    )
    assert part.author == elder and part.written_on == datetime.date(2024, 3, 1)
    updated = services.update_part(
        worker,
        part,
        {
            "title": "Hoe de wijk ontstond",
            "body": "Gebouwd in 1962.\nDaarvoor tuinders.",
            "change_note": "tuinders",
        },
    )
    assert updated.version == 2 and updated.author == worker
    # Saving without changes makes no new version.
    same = services.update_part(
        worker,
        updated,
        {"title": updated.title, "body": updated.body, "written_on": updated.written_on},
    )
    assert same.version == 2
    views = selectors.history(updated)
    assert [v.version.number for v in views] == [2, 1]
    kinds = {(d.kind, d.text) for d in views[0].diff}
    assert ("added", "Daarvoor tuinders.") in kinds and ("removed", "Eerst weiland.") in kinds
    assert [v.number for v in selectors.timeline(wijkbeeld)][:2] == [2, 1]
    # Another resident may not change Kees's part; the neighbourhood professional may.
    other = person(town.bu, Role.RESIDENT)
    with pytest.raises(PermissionDenied):
        services.update_part(other, updated, {"title": "x", "body": "y"})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "history", "title": "", "body": "tekst"}, "title"),
        ({"kind": "nonsense", "title": "T", "body": "tekst"}, "kind"),
        ({"kind": "history", "title": "T", "body": ""}, "body"),
        (
            {"kind": "history", "title": "T", "body": "b", "written_on": datetime.date(2999, 1, 1)},
            "written_on",
        ),
    ],
)
def test_bad_part_changes_nothing(town: Town, data: dict[str, object], field: str) -> None:
    worker, wijkbeeld = started(town)
    with pytest.raises(ValidationError) as info:
        services.add_part(worker, wijkbeeld, data)
    assert field in info.value.message_dict
    assert Part.objects.count() == 2


def test_part_image_must_be_an_image(town: Town) -> None:
    worker, wijkbeeld = started(town)
    fake = SimpleUploadedFile("oud.jpg", b"GIF89a? no", content_type="image/jpeg")
    data = {"kind": "history", "title": "Foto", "body": "b", "image_alt": "De straat in 1965"}
    with pytest.raises(ValidationError) as info:
        services.add_part(worker, wijkbeeld, data, image=fake)
    assert "geen afbeelding" in " ".join(info.value.messages)
    assert Part.objects.count() == 2


def test_conversation_rounds_and_comments(town: Town) -> None:
    worker, wijkbeeld = started(town)
    resident = person(town.bu, Role.RESIDENT, name="Amina")
    outsider = person(town.other_bu, Role.RESIDENT)
    part = wijkbeeld.parts.get(kind="statistics")
    with pytest.raises(ValidationError):
        services.open_round(worker, wijkbeeld, {"title": ""})
    first = services.open_round(
        worker, wijkbeeld, {"title": "Eerste duiding", "location": "Buurthuis"}
    )
    second = services.open_round(worker, wijkbeeld, {"title": "Tweede ronde"})
    assert (first.number, second.number) == (1, 2)
    comment = services.add_comment(
        resident, part, first, "Veel ouderen, maar ook veel vrijwilligers."
    )
    assert comment.author_role == "bewoner" and comment.part_version == 1
    with pytest.raises(PermissionDenied):
        services.add_comment(outsider, part, first, "Ik woon elders")
    with pytest.raises(ValidationError):
        services.add_comment(resident, part, first, "   ")
    # Paper reactions are typed in by the professional, with the giver's name.
    with pytest.raises(PermissionDenied):
        services.add_comment(
            resident, part, first, "namens buurman", channel="paper", author_name="Piet"
        )
    with pytest.raises(ValidationError):
        services.add_comment(worker, part, first, "op papier", channel="paper")
    paper = services.add_comment(
        worker, part, first, "Meer bankjes!", channel="paper", author_name="Piet"
    )
    assert paper.author is None and paper.author_name == "Piet" and paper.entered_by == worker
    services.close_round(worker, first)
    with pytest.raises(ValidationError) as info:
        services.add_comment(resident, part, first, "te laat")
    assert "gesloten" in " ".join(info.value.messages)
    assert Comment.objects.count() == 2
    assert [r.comment_count for r in selectors.rounds(wijkbeeld)] == [2, 0]


def test_presence_hours_in_minutes(town: Town) -> None:
    worker, wijkbeeld = started(town)
    data = {
        "organisation_name": "Welzijn Demodorp",
        "work": "opbouwwerk",
        "minutes_per_week": 960,
        "tie": "based_here",
    }
    presence = services.save_presence(worker, wijkbeeld, data)
    assert presence.organisation is not None  # linked to the existing organisation
    services.save_presence(
        worker, wijkbeeld, {**data, "organisation_name": "GGD", "minutes_per_week": 150}
    )
    assert services.presence_total_minutes(wijkbeeld) == 1110
    for bad in (
        {"minutes_per_week": -1},
        {"minutes_per_week": 81 * 60},
        {"minutes_per_week": 1.5},
        {"tie": "far"},
        {"work": ""},
    ):
        with pytest.raises(ValidationError):
            services.save_presence(worker, wijkbeeld, {**data, **bad})
    assert Presence.objects.count() == 2
    resident = person(town.bu, Role.RESIDENT)
    with pytest.raises(PermissionDenied):
        services.save_presence(resident, wijkbeeld, data)


def test_key_person_only_with_consent_and_only_for_members(town: Town) -> None:
    worker, wijkbeeld = started(town)
    keeper = person(town.bu, Role.RESIDENT, name="Henk")
    member = person(town.bu2, Role.RESIDENT)
    outsider = person(town.other_bu, Role.RESIDENT)
    data = {"kind": "bridge_builder", "description": "Kent iedereen in de Tulpstraat"}
    with pytest.raises(ValidationError) as info:
        services.add_key_person(worker, wijkbeeld, keeper, **data)
    assert "toestemming" in " ".join(info.value.messages)
    assert KeyPerson.objects.count() == 0
    assert AuditEvent.objects.filter(action="wijkbeeld.add_key_person", result="denied").exists()
    accounts.record_consent(keeper, Consent.Purpose.KEY_PERSON, True, method="paper", actor=worker)
    entry = services.add_key_person(worker, wijkbeeld, keeper, **data)
    with pytest.raises(ValidationError):
        services.add_key_person(worker, wijkbeeld, keeper, **data)
    from django.contrib.auth.models import AnonymousUser

    assert services.visible_key_people(AnonymousUser(), wijkbeeld) is None
    assert services.visible_key_people(outsider, wijkbeeld) is None
    assert [k.person for k in services.visible_key_people(member, wijkbeeld) or []] == [keeper]
    assert AuditEvent.objects.filter(action="wijkbeeld.view_key_people", actor=member).exists()
    # Withdrawn consent hides the person at once.
    accounts.record_consent(
        keeper, Consent.Purpose.KEY_PERSON, False, method="online", actor=keeper
    )
    assert services.visible_key_people(member, wijkbeeld) == []
    with pytest.raises(PermissionDenied):
        services.remove_key_person(member, entry)
    services.remove_key_person(keeper, entry)
    assert KeyPerson.objects.count() == 0


def test_role_x_action_permissions(town: Town) -> None:
    worker, wijkbeeld = started(town)
    part = wijkbeeld.parts.first()
    people = {
        "resident_bu": person(town.bu, Role.RESIDENT),
        "resident_other": person(town.other_bu, Role.RESIDENT),
        "professional_wk": worker,
        "professional_other": person(town.other_wk, Role.PROFESSIONAL),
        "civil_servant_gm": person(town.gm, Role.CIVIL_SERVANT),
        "council_gm": person(town.gm, Role.COUNCIL_MEMBER),
        "admin_gm": person(town.gm, Role.ADMINISTRATOR),
    }
    table = {
        # perm, obj: who may
        ("wijkbeeld.create", town.bu): {"professional_wk", "civil_servant_gm", "admin_gm"},
        ("wijkbeeld.add_part", wijkbeeld): {
            "resident_bu",
            "professional_wk",
            "civil_servant_gm",
            "admin_gm",
        },
        ("wijkbeeld.change_part", part): {"professional_wk", "civil_servant_gm", "admin_gm"},
        ("wijkbeeld.comment", part): {
            "resident_bu",
            "professional_wk",
            "civil_servant_gm",
            "council_gm",
            "admin_gm",
        },
        ("wijkbeeld.enter_for_others", part): {"professional_wk", "admin_gm"},
        ("wijkbeeld.manage_rounds", wijkbeeld): {"professional_wk", "civil_servant_gm", "admin_gm"},
        ("wijkbeeld.manage_presence", wijkbeeld): {
            "professional_wk",
            "civil_servant_gm",
            "admin_gm",
        },
        ("wijkbeeld.view_key_people", wijkbeeld): {
            "resident_bu",
            "professional_wk",
            "civil_servant_gm",
            "council_gm",
            "admin_gm",
        },
        ("wijkbeeld.manage_key_people", wijkbeeld): {"professional_wk", "admin_gm"},
    }
    for (perm, obj), allowed in table.items():
        for name, user in people.items():
            assert user.has_perm(perm, obj) is (name in allowed), (perm, name)
    from django.contrib.auth.models import AnonymousUser

    assert AnonymousUser().has_perm("wijkbeeld.view", wijkbeeld)
    assert not AnonymousUser().has_perm("wijkbeeld.view_key_people", wijkbeeld)


def test_pages_and_forms(client: Client, town: Town) -> None:
    worker, wijkbeeld = started(town)
    resident = person(town.bu, Role.RESIDENT, name="Amina")
    keeper = person(town.bu, Role.RESIDENT, name="Henk de Sterkhouder")
    accounts.record_consent(keeper, Consent.Purpose.KEY_PERSON, True, method="online", actor=keeper)
    services.add_key_person(
        worker, wijkbeeld, keeper, kind="everyday_doer", description="Plakt banden"
    )
    conversation = services.open_round(worker, wijkbeeld, {"title": "Eerste duiding"})
    url = reverse("wijkbeeld:detail", args=[town.wk.code])
    page = client.get(url).content.decode()
    assert "Wat de cijfers zeggen" in page and "Henk de Sterkhouder" not in page
    assert "style=" not in page
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert "Henk de Sterkhouder" in page and "Reageer" in page
    part = wijkbeeld.parts.get(kind="places")
    response = client.post(
        reverse("wijkbeeld:comment", args=[part.pk]),
        {"round": conversation.pk, "body": "De speeltuin is de plek!"},
    )
    assert response.status_code == 302
    assert Comment.objects.filter(author=resident).count() == 1
    client.post(
        reverse("wijkbeeld:comment", args=[part.pk]), {"round": conversation.pk, "body": ""}
    )
    assert Comment.objects.count() == 1
    add = reverse("wijkbeeld:part_add", args=[town.wk.code])
    bad = client.post(add, {"kind": "history", "title": "", "body": "x"})
    assert "Geef het onderdeel een titel." in bad.content.decode()
    client.post(add, {"kind": "informal", "title": "Het bankje", "body": "Daar zitten de ouderen."})
    new = Part.objects.get(title="Het bankje")
    assert new.author == resident
    client.post(
        reverse("wijkbeeld:part_edit", args=[new.pk]),
        {
            "title": "Het bankje",
            "body": "Daar zitten de ouderen, 's ochtends.",
            "change_note": "tijd",
        },
    )
    assert client.get(reverse("wijkbeeld:part_history", args=[new.pk])).status_code == 200
    assert client.get(reverse("wijkbeeld:changes", args=[town.wk.code])).status_code == 200
    assert client.get(reverse("wijkbeeld:round", args=[conversation.pk])).status_code == 200
    assert client.get(reverse("wijkbeeld:presence_add", args=[town.wk.code])).status_code == 403
    client.force_login(worker)
    for name in ("presence_add", "key_person_add", "rounds", "edit_intro"):
        assert client.get(reverse(f"wijkbeeld:{name}", args=[town.wk.code])).status_code == 200, (
            name
        )
    response = client.post(
        reverse("wijkbeeld:presence_add", args=[town.wk.code]),
        {"organisation_name": "GGD", "work": "jeugdgezondheid", "hours": "2,5", "tie": "on_call"},
    )
    assert response.status_code == 302
    assert Presence.objects.get().minutes_per_week == 150
    response = client.post(
        reverse("wijkbeeld:key_person_add", args=[town.wk.code]),
        {"person": resident.pk, "kind": "bridge_builder", "description": "x"},
    )
    assert "geen toestemming" in response.content.decode()
    # An area without a wijkbeeld yet gets an invitation page, not an error.
    missing = client.get(reverse("wijkbeeld:detail", args=[town.other_wk.code]))
    assert missing.status_code == 200
    assert "nog geen wijkbeeld" in missing.content.decode()


def test_wijkbeeld_pdf(client: Client, town: Town, tmp_path: Path) -> None:
    area_services.ensure_catalogue()
    area_services.set_values(
        town.wk,
        2024,
        {"inhabitants": 5000, "labour_participation": 70, "low_income_households": 12},
    )
    worker, wijkbeeld = started(town)
    keeper = person(town.bu, Role.RESIDENT, name="Henk de Sterkhouder")
    accounts.record_consent(keeper, Consent.Purpose.KEY_PERSON, True, method="online", actor=keeper)
    services.add_part(
        worker, wijkbeeld, {"kind": "key_people", "title": "Sterkhouders", "body": ""}
    )
    services.add_key_person(
        worker, wijkbeeld, keeper, kind="everyday_doer", description="Plakt banden"
    )
    services.add_part(
        worker, wijkbeeld, {"kind": "history", "title": "Geschiedenis", "body": "Gebouwd in 1962."}
    )
    response = client.get(reverse("wijkbeeld:pdf", args=[town.wk.code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Wijkbeeld Oostwijk" in text and "Gebouwd in 1962." in text
    assert "arbeidsparticipatie" in text and "Huishoudens met een laag" in text
    assert "Sterke punten" in text and "Aandachtspunten" in text and "2024" in text
    assert "Henk de Sterkhouder" not in text
    assert pdf_pages_not_blank(response.content, tmp_path / "png") >= 2
