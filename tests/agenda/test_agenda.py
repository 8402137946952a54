from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtbasis.accounts.models import Role
from buurtbasis.agenda import selectors, services
from buurtbasis.agenda.models import (
    Agenda,
    AgendaGoal,
    Framework,
    GoalReview,
    Registration,
    WorkingGroupMember,
)
from buurtbasis.core.models import AuditEvent
from buurtbasis.wijkbeeld import services as wijkbeeld_services
from tests.places.helpers import Town, pdf_pages_not_blank, pdf_text, person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def framework(town: Town):  # type: ignore[no-untyped-def]
    clerk = person(town.gm, Role.CIVIL_SERVANT, name="Griffier")
    return clerk, services.get_or_create_framework(clerk, town.gm)


def test_framework_draft_to_adopted(town: Town) -> None:
    clerk, fw = framework(town)
    assert [v.name for v in fw.public_values.all()][:2] == ["Duurzaamheid", "Leefbaarheid"]
    assert fw.public_values.count() == 5
    services.update_framework(
        clerk,
        fw,
        {
            "title": "Uitgangspunten",
            "start_year": 2025,
            "end_year": 2027,
            "summary": "Van aanbesteden naar de wijk",
        },
    )
    with pytest.raises(ValidationError) as info:
        services.adopt_framework(clerk, fw, adopted_on=TODAY)
    assert "raadsperiode" in " ".join(info.value.messages)
    fw.refresh_from_db()
    assert fw.status == Framework.Status.DRAFT
    with pytest.raises(ValidationError):
        services.update_framework(clerk, fw, {"title": "X", "start_year": 2030, "end_year": 2025})
    services.update_framework(
        clerk, fw, {"title": "Uitgangspunten", "start_year": 2025, "end_year": 2032}
    )
    services.add_party(clerk, fw, "Welzijn Demodorp", "Opbouwwerk in elke wijk", "meerjarig")
    with pytest.raises(ValidationError):
        services.adopt_framework(clerk, fw, adopted_on=None)
    services.adopt_framework(clerk, fw, adopted_on=datetime.date(2025, 3, 1), reference="RB-12")
    fw.refresh_from_db()
    assert fw.is_adopted and fw.adopted_on == datetime.date(2025, 3, 1)
    with pytest.raises(ValidationError):
        services.update_framework(clerk, fw, {"title": "Stiekem anders"})
    with pytest.raises(ValidationError):
        services.add_public_value(clerk, fw, "Nieuw")
    services.revise_framework(clerk, fw)
    fw.refresh_from_db()
    assert fw.status == "draft" and fw.revision == 2 and fw.adopted_on is None
    revision = fw.revisions.get()
    assert revision.snapshot["title"] == "Uitgangspunten" and revision.adopted_on.year == 2025
    resident = person(town.bu, Role.RESIDENT)
    with pytest.raises(PermissionDenied):
        services.update_framework(resident, fw, {"title": "X"})


def test_buurttop_groups_registrations_outcomes(town: Town) -> None:
    _clerk, fw = framework(town)
    worker = person(town.wk, Role.PROFESSIONAL, name="Sanne")
    resident = person(town.bu, Role.RESIDENT, name="Amina")
    with pytest.raises(ValidationError):
        services.create_buurttop(worker, town.wk, {"title": "", "held_on": None})
    top = services.create_buurttop(
        worker, town.wk, {"title": "BuurtTop Oostwijk", "held_on": TODAY, "location": "Sporthal"}
    )
    value = fw.public_values.first()
    group = services.create_group(worker, buurttop=top, name="Groen", public_value=value)
    services.join_group(resident, group)
    services.join_group(resident, group)
    services.add_member(worker, group, name="Mevrouw Jansen (via telefoon)")
    assert group.members.count() == 2
    note = services.add_note(resident, group, held_on=TODAY, body="Eerste bijeenkomst")
    assert note.author == resident
    with pytest.raises(ValidationError):
        services.add_note(resident, group, held_on=None, body="")
    services.register(resident, top, needs="rolstoelplek")
    services.register(resident, top)  # idempotent
    paper = services.register_other(worker, top, name="Piet", channel="paper", phone="030 123 4567")
    assert paper.entered_by == worker and paper.user is None
    with pytest.raises(ValidationError):
        services.register_other(worker, top, name="", channel="online")
    with pytest.raises(PermissionDenied):
        services.register_other(resident, top, name="Kees", channel="phone")
    with pytest.raises(PermissionDenied):
        services.registrations(resident, top)
    assert len(services.registrations(worker, top)) == 2
    assert AuditEvent.objects.filter(action="agenda.view_registrations").count() == 1
    assert Registration.objects.count() == 2
    with pytest.raises(ValidationError):
        services.record_outcomes(worker, top, "  ")
    services.record_outcomes(worker, top, "Drie dromen: groen, ontmoeten, energie.")
    top.refresh_from_db()
    assert top.status == "held"


def test_agenda_goals_publish_and_review(town: Town) -> None:
    _clerk, fw = framework(town)
    worker = person(town.wk, Role.PROFESSIONAL)
    top = services.create_buurttop(worker, town.wk, {"title": "BuurtTop", "held_on": TODAY})
    agenda = services.create_agenda(
        worker, town.wk, {"title": "Oostwijk 2035", "vision": ""}, buurttop=top
    )
    with pytest.raises(ValidationError) as info:
        services.publish_agenda(worker, agenda)
    assert "zonder doelen" in " ".join(info.value.messages)
    agenda.refresh_from_db()
    assert agenda.status == Agenda.Status.DRAFT
    value = fw.public_values.get(name="Duurzaamheid")
    for bad, field in (
        ({"title": "", "horizon_years": 5, "residents_own": True}, "title"),
        ({"title": "X", "horizon_years": 7, "residents_own": True}, "horizon_years"),
        ({"title": "X", "horizon_years": 5}, "public_value"),
    ):
        with pytest.raises(ValidationError) as info:
            services.add_goal(worker, agenda, bad)
        assert field in info.value.message_dict
    goal = services.add_goal(
        worker,
        agenda,
        {"title": "Elk dak zonnepanelen", "horizon_years": 10, "public_value": value},
    )
    own = services.add_goal(
        worker,
        agenda,
        {"title": "Een buurtfeest per jaar", "horizon_years": 5, "residents_own": True},
    )
    assert goal.target_year == agenda.start_year + 10
    services.add_action(worker, goal, {"title": "Energiecoöperatie oprichten", "who": "werkgroep"})
    with pytest.raises(ValidationError):
        services.publish_agenda(worker, agenda)  # still no vision
    services.update_agenda(
        worker,
        agenda,
        {"title": "Oostwijk 2035", "vision": "Groen en samen.", "start_year": agenda.start_year},
    )
    services.publish_agenda(worker, agenda)
    agenda.refresh_from_db()
    assert agenda.is_published and agenda.published_at is not None
    with pytest.raises(ValidationError):
        services.remove_goal(worker, own)
    review = services.record_review(
        worker, goal, year=agenda.start_year, progress="Twintig daken.", buurttop=top
    )
    assert review.pk
    with pytest.raises(ValidationError):
        services.record_review(worker, goal, year=agenda.start_year, progress="nog eens")
    with pytest.raises(ValidationError):
        services.record_review(worker, goal, year=agenda.start_year + 1, progress="")
    assert GoalReview.objects.count() == 1
    grouped = selectors.goals_by_value(agenda)
    assert [g.value.name if g.value else None for g in grouped] == ["Duurzaamheid", None]
    assert list(selectors.goals_for_area(town.wk)) == [goal, own]
    # A public value of another municipality is refused.
    other_gm = type(town.gm).objects.create(code="GM9902", level="GM", name="Elders")
    other_gm.municipality = other_gm
    other_gm.save()
    admin = person(other_gm, Role.ADMINISTRATOR)
    other_fw = services.get_or_create_framework(admin, other_gm)
    with pytest.raises(ValidationError):
        services.add_goal(
            worker,
            agenda,
            {"title": "Y", "horizon_years": 5, "public_value": other_fw.public_values.first()},
        )
    assert AgendaGoal.objects.filter(agenda=agenda).count() == 2


def test_role_x_action_permissions(town: Town) -> None:
    _clerk, fw = framework(town)
    worker = person(town.wk, Role.PROFESSIONAL)
    top = services.create_buurttop(worker, town.wk, {"title": "BT", "held_on": TODAY})
    agenda = services.create_agenda(worker, town.wk, {"title": "A"})
    group = services.create_group(worker, buurttop=top, name="G")
    people = {
        "resident": person(town.bu, Role.RESIDENT),
        "initiator": person(town.bu, Role.INITIATOR),
        "professional": worker,
        "civil_servant": _clerk,
        "council": person(town.gm, Role.COUNCIL_MEMBER),
        "admin": person(town.gm, Role.ADMINISTRATOR),
        "outsider": person(town.other_bu, Role.RESIDENT),
    }
    table = {
        ("agenda.change_framework", fw): {"civil_servant", "admin"},
        ("agenda.adopt_framework", fw): {"civil_servant", "admin"},
        ("agenda.create_buurttop", town.wk): {
            "initiator",
            "professional",
            "civil_servant",
            "admin",
        },
        ("agenda.register", top): set(people),
        ("agenda.register_others", top): {"professional", "admin"},
        ("agenda.view_registrations", top): {"professional", "civil_servant", "admin"},
        ("agenda.join_group", group): {
            "resident",
            "initiator",
            "professional",
            "civil_servant",
            "council",
            "admin",
        },
        ("agenda.change_agenda", agenda): {"initiator", "professional", "civil_servant", "admin"},
        ("agenda.publish_agenda", agenda): {"initiator", "professional", "civil_servant", "admin"},
    }
    for (perm, obj), allowed in table.items():
        for name, user in people.items():
            assert user.has_perm(perm, obj) is (name in allowed), (perm, name)


def test_briefing_from_wijkbeeld(client: Client, town: Town, tmp_path: Path) -> None:
    from buurtbasis.areas import services as area_services

    area_services.set_values(
        town.wk, 2024, {"labour_participation": 71, "low_income_households": 9}
    )
    worker = person(town.wk, Role.PROFESSIONAL)
    wijkbeeld = wijkbeeld_services.create_wijkbeeld(worker, town.wk)
    wijkbeeld_services.add_part(
        worker,
        wijkbeeld,
        {"kind": "history", "title": "Geschiedenis", "body": "Tuindersdorp sinds 1920."},
    )
    wijkbeeld_services.save_presence(
        worker,
        wijkbeeld,
        {
            "organisation_name": "Welzijn",
            "work": "opbouwwerk",
            "minutes_per_week": 900,
            "tie": "regular",
        },
    )
    top = services.create_buurttop(
        worker, town.wk, {"title": "BuurtTop Oostwijk", "held_on": TODAY}
    )
    page = client.get(reverse("agenda:briefing", args=[top.pk])).content.decode()
    assert "Sterke punten" in page and "Aandachtspunten" in page and "15 uur per week" in page
    pdf = client.get(reverse("agenda:briefing_pdf", args=[top.pk])).content
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "Tuindersdorp sinds 1920." in text and "2024" in text and "arbeidsparticipatie" in text


def test_pages_and_agenda_pdf(client: Client, town: Town, tmp_path: Path) -> None:
    clerk, fw = framework(town)
    worker = person(town.wk, Role.PROFESSIONAL)
    resident = person(town.bu, Role.RESIDENT)
    top = services.create_buurttop(
        worker, town.wk, {"title": "BuurtTop Oostwijk", "held_on": TODAY}
    )
    group = services.create_group(worker, buurttop=top, name="Werkgroep Groen")
    assert client.get(reverse("agenda:framework", args=[town.gm.code])).status_code == 200
    assert client.get(reverse("agenda:buurttop", args=[top.pk])).status_code == 200
    assert client.get(reverse("agenda:group", args=[group.pk])).status_code == 200
    assert client.get(reverse("agenda:area", args=[town.wk.code])).status_code == 200
    assert client.get(reverse("agenda:index")).status_code == 200
    client.force_login(worker)
    response = client.post(
        reverse("agenda:create", args=[town.wk.code]),
        {
            "title": "Oostwijk 2035",
            "vision": "Groen, samen, zorgzaam.",
            "start_year": 2025,
            "buurttop": top.pk,
        },
    )
    agenda = Agenda.objects.get()
    assert response.status_code == 302 and agenda.buurttop == top
    # Publishing without goals: a clear message, nothing changed.
    response = client.post(reverse("agenda:publish", args=[agenda.pk]), follow=True)
    assert "zonder doelen" in response.content.decode()
    agenda.refresh_from_db()
    assert not agenda.is_published
    # Anonymous visitors do not see a draft.
    client.logout()
    assert client.get(agenda.get_absolute_url()).status_code == 404
    client.force_login(worker)
    value = fw.public_values.get(name="Zorgzaamheid en zorg")
    client.post(
        reverse("agenda:goal_add", args=[agenda.pk]),
        {"title": "Niemand eenzaam", "horizon_years": "10", "public_value": value.pk},
    )
    client.post(
        reverse("agenda:goal_add", args=[agenda.pk]),
        {"title": "Buurtfeest", "horizon_years": "5", "residents_own": "on"},
    )
    bad = client.post(
        reverse("agenda:goal_add", args=[agenda.pk]), {"title": "Zweef", "horizon_years": "5"}
    )
    assert "publieke waarde" in bad.content.decode()
    assert agenda.goals.count() == 2
    goal = agenda.goals.get(title="Niemand eenzaam")
    client.post(
        reverse("agenda:action_add", args=[goal.pk]),
        {"title": "Koffieochtend elke week", "status": "running", "working_group": group.pk},
    )
    client.post(
        reverse("agenda:review_add", args=[goal.pk]),
        {"year": "2025", "progress": "De koffieochtend loopt, 30 vaste bezoekers."},
    )
    client.post(reverse("agenda:publish", args=[agenda.pk]))
    agenda.refresh_from_db()
    assert agenda.is_published
    client.logout()
    page = client.get(agenda.get_absolute_url()).content.decode()
    assert "Niemand eenzaam" in page and "Eigen doelen van de bewoners" in page
    assert "style=" not in page
    pdf = client.get(reverse("agenda:pdf", args=[agenda.pk])).content
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "Oostwijk 2035",
        "Niemand eenzaam",
        "Zorgzaamheid en zorg",
        "Onze eigen doelen",
        "Koffieochtend elke week",
        "30 vaste bezoekers",
        "in 2035",
    ):
        assert expected in text, expected
    assert pdf_pages_not_blank(pdf, tmp_path / "png") >= 2
    # Registration through the pages, and by a professional for someone on paper.
    client.force_login(resident)
    client.post(reverse("agenda:buurttop_register", args=[top.pk]), {"needs": "tolk"})
    assert Registration.objects.filter(user=resident, needs="tolk").exists()
    client.post(reverse("agenda:group_action", args=[group.pk, "meedoen"]))
    assert WorkingGroupMember.objects.filter(group=group, user=resident).exists()
    assert client.get(reverse("agenda:registrations", args=[top.pk])).status_code == 403
    client.force_login(worker)
    client.post(
        reverse("agenda:registrations", args=[top.pk]),
        {"name": "Mevrouw Bakker", "channel": "phone", "phone": "0612345678"},
    )
    assert Registration.objects.filter(name="Mevrouw Bakker", channel="phone").exists()
    # The framework page: adopt through the form.
    client.force_login(clerk)
    client.post(
        reverse("agenda:framework_edit", args=[town.gm.code]),
        {"title": "Uitgangspunten Demodorp", "start_year": "2025", "end_year": "2033"},
    )
    client.post(
        reverse("agenda:framework_action", args=[town.gm.code, "vaststellen"]),
        {"adopted_on": "2025-02-01", "reference": "RB-1"},
    )
    fw.refresh_from_db()
    assert fw.is_adopted and fw.title == "Uitgangspunten Demodorp"
