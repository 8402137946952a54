"""The initiative itself: creating it with five fields, changing it (only the initiators),
state, co-owners, comments, needs and answers, stories and expenses. Bad input changes
nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from buurtbasis.core.models import AuditEvent
from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import (
    Comment,
    Initiative,
    Need,
    NeedAnswer,
    Owner,
    Story,
    Theme,
)

from .conftest import People, Town, new_initiative


def test_an_initiative_needs_only_five_fields(town: Town, people: People) -> None:
    initiative = new_initiative(people.resident, town.bu_a)
    assert initiative.state == Initiative.State.IDEA
    assert list(initiative.owners.values_list("user", flat=True)) == [people.resident.pk]
    assert services.REQUIRED_FIELDS == ("name", "description", "area", "contact", "needs_text")
    assert AuditEvent.objects.filter(
        action="initiatives.create", object_id=str(initiative.pk)
    ).exists()


@pytest.mark.parametrize("missing", ["name", "description", "contact", "needs_text", "area"])
def test_each_required_field_is_checked(town: Town, people: People, missing: str) -> None:
    values = {
        "name": "Moestuin",
        "description": "Samen tuinieren",
        "area": town.bu_a,
        "contact": "06",
        "needs_text": "Zaden",
    }
    values[missing] = "" if missing != "area" else town.north  # a district is not a neighbourhood
    with pytest.raises(ValidationError) as error:
        services.create_initiative(people.resident, **values)
    assert missing in error.value.message_dict
    assert not Initiative.objects.exists()


def test_optional_fields_themes_dates(town: Town, people: People) -> None:
    initiative = new_initiative(
        people.resident,
        town.bu_a,
        themes=[Theme.GREEN, Theme.MEETING, Theme.GREEN],
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 9, 1),
        state=Initiative.State.RUNNING,
    )
    assert sorted(initiative.themes.values_list("theme", flat=True)) == ["green", "meeting"]
    with pytest.raises(ValidationError, match="einddatum"):
        new_initiative(
            people.resident,
            town.bu_a,
            name="Andere",
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 4, 1),
        )
    with pytest.raises(ValidationError):
        new_initiative(people.resident, town.bu_a, name="X", themes=["onbekend"])
    assert Initiative.objects.count() == 1


def test_a_photo_must_be_a_real_image(town: Town, people: People) -> None:
    fake = SimpleUploadedFile("foto.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        new_initiative(people.resident, town.bu_a, photo=fake)
    assert not Initiative.objects.exists()


def test_anonymous_cannot_create(town: Town) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        new_initiative(AnonymousUser(), town.bu_a)  # type: ignore[arg-type]


def test_only_initiators_change_it(initiative: Initiative, people: People) -> None:
    for other in (people.professional, people.official, people.funder, people.resident):
        with pytest.raises(PermissionDenied):
            services.update_initiative(initiative, other, name="Overgenomen")
    initiative.refresh_from_db()
    assert initiative.name == "Buurtmoestuin"
    services.update_initiative(initiative, people.owner, name="Moestuin", themes=[Theme.GREEN])
    initiative.refresh_from_db()
    assert initiative.name == "Moestuin"
    assert list(initiative.themes.values_list("theme", flat=True)) == ["green"]


def test_state_in_the_initiators_own_words(initiative: Initiative, people: People) -> None:
    services.set_state(initiative, people.owner, Initiative.State.PAUSED, "Even rust in de winter.")
    initiative.refresh_from_db()
    assert initiative.state == "paused"
    assert initiative.state_note == "Even rust in de winter."
    with pytest.raises(ValidationError):
        services.set_state(initiative, people.owner, "weg")
    initiative.refresh_from_db()
    assert initiative.state == "paused"


def test_co_owners_can_change_and_the_last_owner_stays(
    initiative: Initiative, people: People
) -> None:
    assert people.resident.email
    services.add_owner(initiative, people.owner, people.resident.email)
    services.update_initiative(initiative, people.resident, contact="Bel Sanne")
    with pytest.raises(ValidationError):
        services.add_owner(initiative, people.owner, people.resident.email)
    with pytest.raises(ValidationError):
        services.add_owner(initiative, people.owner, "niemand@example.org")
    services.remove_owner(initiative, people.resident, people.owner)
    with pytest.raises(ValidationError):
        services.remove_owner(initiative, people.resident, people.resident)
    assert list(Owner.objects.filter(initiative=initiative).values_list("user", flat=True)) == [
        people.resident.pk
    ]


def test_supporters_comment_and_offer_without_editing(
    initiative: Initiative, people: People
) -> None:
    services.add_comment(initiative, people.professional, "Ik help graag.", offer=True)
    services.add_comment(initiative, people.funder, "Kijk eens naar ons fonds.", offer=True)
    services.add_comment(initiative, people.outsider, "Mooi!")
    with pytest.raises(PermissionDenied):
        services.add_comment(initiative, people.outsider, "Ik bied aan", offer=True)
    with pytest.raises(ValidationError):
        services.add_comment(initiative, people.resident, "   ")
    assert Comment.objects.filter(kind=Comment.Kind.OFFER).count() == 2
    assert Comment.objects.count() == 3


def test_needs_are_answered_by_the_right_party(
    initiative: Initiative, town: Town, people: People
) -> None:
    money = services.add_need(
        initiative, people.owner, kind=Need.Kind.MONEY, description="Zaden", amount_cents=40_000
    )
    hours = services.add_need(
        initiative, people.owner, kind=Need.Kind.HOURS, description="Opzet", minutes=180
    )
    things = services.add_need(
        initiative, people.owner, kind=Need.Kind.THINGS, description="Kruiwagen"
    )
    with pytest.raises(ValidationError):
        services.add_need(initiative, people.owner, kind=Need.Kind.HOURS, description="x")
    with pytest.raises(ValidationError):
        services.add_need(initiative, people.owner, kind=Need.Kind.MONEY, description="x")
    # Money: only through a grant request.
    with pytest.raises(ValidationError):
        services.answer_need(money, people.professional, message="Hier is geld")
    # Hours: a professional of the district, not a neighbour or a professional elsewhere.
    with pytest.raises(PermissionDenied):
        services.answer_need(hours, people.neighbour, message="Ik heb tijd")
    with pytest.raises(PermissionDenied):
        services.answer_need(hours, people.professional_south, message="Ik ook")
    answer = services.answer_need(hours, people.professional, message="Drie uur", minutes=180)
    assert answer.organisation == people.host
    # Things: any neighbour of the district; not someone from elsewhere.
    services.answer_need(things, people.neighbour, message="Ik leen je mijn kruiwagen")
    with pytest.raises(PermissionDenied):
        services.answer_need(things, people.southerner, message="Ik ook")
    # The initiators accept; the need is met.
    with pytest.raises(PermissionDenied):
        services.decide_answer(answer, people.neighbour, accept=True)
    services.decide_answer(answer, people.owner, accept=True)
    hours.refresh_from_db()
    assert hours.status == Need.Status.MET
    with pytest.raises(ValidationError):
        services.answer_need(hours, people.professional, message="Nog meer")
    assert NeedAnswer.objects.count() == 2


def test_an_empty_story_is_refused_and_only_insiders_tell(
    initiative: Initiative, people: People
) -> None:
    with pytest.raises(ValidationError):
        services.post_story(initiative, people.owner, body="   ")
    with pytest.raises(PermissionDenied):
        services.post_story(initiative, people.neighbour, body="Het was mooi")
    services.join(initiative, people.neighbour)
    services.post_story(initiative, people.neighbour, body="Ik ken nu mijn buren.")
    services.post_story(initiative, people.owner, body="Twaalf buren doen mee.")
    assert Story.objects.filter(initiative=initiative).count() == 2


def test_expenses_belong_to_an_approved_grant(
    initiative: Initiative, people: People, line: object
) -> None:
    from buurtbasis.budgets.models import BudgetLine

    assert isinstance(line, BudgetLine)
    grant = services.request_grant(
        initiative,
        people.owner,
        line=line,
        why="Om te beginnen",
        for_whom="De straat",
        items=[services.Item("Zaden", 20_000)],
    )
    with pytest.raises(ValidationError):
        services.record_expense(
            grant,
            people.owner,
            description="Zaden",
            amount_cents=100,
            spent_on=datetime.date.today(),
        )
    services.decide_grant(grant, people.resident, approve=True, reason="Goed plan")
    services.decide_grant(grant, people.professional, approve=True, reason="Akkoord")
    grant.refresh_from_db()
    services.record_expense(
        grant,
        people.owner,
        description="Zaden",
        amount_cents=12_345,
        spent_on=datetime.date.today(),
    )
    with pytest.raises(ValidationError):
        services.record_expense(
            grant,
            people.owner,
            description="Later",
            amount_cents=1,
            spent_on=datetime.date.today() + datetime.timedelta(days=3),
        )
    with pytest.raises(PermissionDenied):
        services.record_expense(
            grant, people.resident, description="x", amount_cents=1, spent_on=datetime.date.today()
        )
    assert grant.expenses.count() == 1
