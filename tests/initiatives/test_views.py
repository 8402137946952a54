"""The pages, tried as people would: a resident starts an initiative with five fields and asks
€ 400, a resident and a professional approve it, the money shows; bad input shows a translated
message and changes nothing; every page answers (or refuses) as it should."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from buurtbasis.budgets.models import BudgetLine
from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import (
    Comment,
    Decision,
    Fund,
    GrantRequest,
    Initiative,
    Need,
    NeedAnswer,
    Participant,
    Story,
    Vote,
    VoterRecord,
)
from buurtbasis.ledger import services as ledger

from .conftest import People, Town, new_initiative


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_resident_starts_an_initiative_asks_400_and_gets_it(
    town: Town, people: People, line: BudgetLine
) -> None:
    resident = client_for(people.resident)
    page = resident.get(reverse("initiatives:create"))
    assert page.status_code == 200
    form = page.context["form"]
    required = sorted(name for name, field in form.fields.items() if field.required)
    assert required == ["area", "contact", "description", "name", "needs_text"]
    html = page.content.decode()
    # The optional ones are folded away below the five.
    assert html.index('name="needs_text"') < html.index("Meer vertellen")
    response = resident.post(
        reverse("initiatives:create"),
        {
            "name": "Buurtmoestuin",
            "description": "Samen groente kweken.",
            "area": town.bu_a.pk,
            "contact": "06-12345678",
            "needs_text": "Zaden en gereedschap.",
        },
    )
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response["Location"] == initiative.get_absolute_url()
    asked = resident.post(
        reverse("initiatives:grant_new", args=[initiative.pk]),
        {
            "line": line.pk,
            "why": "Om te beginnen.",
            "for_whom": "De straat.",
            "item_1": "Zaden",
            "amount_1": "150,00",
            "item_2": "Gereedschap",
            "amount_2": "250",
        },
    )
    grant = GrantRequest.objects.get()
    assert asked.status_code == 302 and grant.amount_cents == 40_000
    assert grant.route == GrantRequest.Route.SMALL
    # The initiator cannot decide; a neighbour and the professional can.
    own = resident.post(
        reverse("initiatives:grant_decide", args=[grant.pk]),
        {"approve": "yes", "reason": "Mijn eigen plan"},
        follow=True,
    )
    assert any("hoort bij dit initiatief" in m for m in messages_of(own))
    assert not Decision.objects.exists()
    for decider in (people.neighbour, people.professional):
        page = client_for(decider).get(grant.get_absolute_url())
        assert "Besluit vastleggen" in page.content.decode()
        client_for(decider).post(
            reverse("initiatives:grant_decide", args=[grant.pk]),
            {"approve": "yes", "reason": "Goed plan."},
        )
    grant.refresh_from_db()
    initiative.refresh_from_db()
    assert grant.status == GrantRequest.Status.APPROVED
    assert initiative.account is not None and ledger.balance(initiative.account) == 40_000
    detail = client_for(None).get(initiative.get_absolute_url()).content.decode()
    assert "€ 400,00" in detail
    assert "Welzijn Initiatiefdorp" in detail
    # The district's budget page (budgets app) shows the lower balance of the line.
    assert line.account is not None
    balance = ledger.balance(line.account)
    budget_page = client_for(None).get(
        reverse("budgets:district_budget", kwargs={"code": town.north.code})
    )
    assert budget_page.status_code == 200
    from buurtbasis.ledger.money import format_cents

    assert (
        format_cents(balance).replace(" ", "\xa0")
        in budget_page.content.decode().replace("&nbsp;", "\xa0")
        or format_cents(balance) in budget_page.content.decode()
    )


def test_bad_input_shows_a_message_and_changes_nothing(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    owner = client_for(people.owner)
    too_much = services.available_cents(line) + 100
    response = owner.post(
        reverse("initiatives:grant_new", args=[initiative.pk]),
        {
            "line": line.pk,
            "why": "w",
            "for_whom": "f",
            "item_1": "Alles",
            "amount_1": f"{too_much // 100}",
        },
    )
    assert response.status_code == 200
    assert "beschikbaar" in response.content.decode()
    assert not GrantRequest.objects.exists()
    empty_story = owner.post(reverse("initiatives:story_new", args=[initiative.pk]), {"text": " "})
    assert empty_story.status_code == 200
    assert "Vul wat het heeft opgeleverd in" in empty_story.content.decode()
    assert not Story.objects.exists()
    missing = owner.post(reverse("initiatives:create"), {"name": "Alleen een naam"})
    assert missing.status_code == 200
    assert Initiative.objects.count() == 1


def test_the_showcase_lists_by_name_never_by_popularity(
    town: Town, people: People, line: BudgetLine
) -> None:
    new_initiative(people.owner, town.bu_b, name="Zomerfeest")
    new_initiative(people.owner, town.bu_a, name="Avondwandeling")
    popular = new_initiative(people.owner, town.bu_a, name="Moestuin", themes=["green"])
    for user in (people.resident, people.neighbour, people.outsider):
        services.add_comment(popular, user, "Geweldig!")
    page = client_for(None).get(reverse("initiatives:showcase", args=[town.north.code]))
    html = page.content.decode()
    names = re.findall(r'<h3><a href="/initiatieven/\d+/">([^<]+)</a>', html)
    assert names == ["Avondwandeling", "Moestuin", "Zomerfeest"]
    assert page.context["map_data"] is not None
    filtered = client_for(None).get(
        reverse("initiatives:showcase", args=[town.north.code]), {"thema": "green"}
    )
    assert [i.name for i in filtered.context["initiatives"]] == ["Moestuin"]
    searched = client_for(None).get(
        reverse("initiatives:showcase", args=[town.municipality.code]), {"q": "zomer"}
    )
    assert [i.name for i in searched.context["initiatives"]] == ["Zomerfeest"]
    by_hood = client_for(None).get(
        reverse("initiatives:showcase", args=[town.north.code]), {"buurt": town.bu_b.code}
    )
    assert [i.name for i in by_hood.context["initiatives"]] == ["Zomerfeest"]
    services.add_need(popular, people.owner, kind=Need.Kind.THINGS, description="Kruiwagen")
    needing = client_for(None).get(
        reverse("initiatives:showcase", args=[town.north.code]), {"behoefte": "things"}
    )
    assert [i.name for i in needing.context["initiatives"]] == ["Moestuin"]


def test_owner_pages_refuse_others(initiative: Initiative, people: People) -> None:
    for name in ("edit", "owners", "need_add", "funding", "grant_new"):
        url = reverse(f"initiatives:{name}", args=[initiative.pk])
        assert client_for(None).get(url).status_code == 302  # to the sign-in page
        assert client_for(people.professional).get(url).status_code == 403
        assert client_for(people.owner).get(url).status_code == 200


def test_state_comment_join_owner_need_and_answer(
    initiative: Initiative, town: Town, people: People
) -> None:
    owner = client_for(people.owner)
    owner.post(
        reverse("initiatives:set_state", args=[initiative.pk]),
        {"state": "running", "state_note": "Elke zaterdag"},
    )
    initiative.refresh_from_db()
    assert initiative.state == "running"
    refused = client_for(people.professional).post(
        reverse("initiatives:set_state", args=[initiative.pk]), {"state": "ended"}, follow=True
    )
    assert any("niet doen" in m for m in messages_of(refused))
    initiative.refresh_from_db()
    assert initiative.state == "running"
    client_for(people.professional).post(
        reverse("initiatives:comment", args=[initiative.pk]),
        {"text": "Ik help", "offer": "on"},
    )
    assert Comment.objects.get().kind == Comment.Kind.OFFER
    client_for(people.neighbour).post(reverse("initiatives:join", args=[initiative.pk]))
    assert Participant.objects.filter(user=people.neighbour).exists()
    owner.post(
        reverse("initiatives:owners", args=[initiative.pk]), {"email": people.resident.email}
    )
    assert initiative.owners.count() == 2
    owner.post(
        reverse("initiatives:need_add", args=[initiative.pk]),
        {"kind": "hours", "description": "Hulp bij de opzet", "hours": "3"},
    )
    need = Need.objects.get()
    assert need.minutes == 180
    assert (
        client_for(people.neighbour)
        .get(reverse("initiatives:need_answer", args=[need.pk]))
        .status_code
        == 403
    )
    form_page = client_for(people.professional).get(
        reverse("initiatives:need_answer", args=[need.pk])
    )
    assert (
        form_page.status_code == 200
        and "Uren ondersteuning aanbieden" in form_page.content.decode()
    )
    client_for(people.professional).post(
        reverse("initiatives:need_answer", args=[need.pk]), {"message": "Ik kom", "hours": "3"}
    )
    answer = NeedAnswer.objects.get()
    owner.post(reverse("initiatives:answer_decide", args=[answer.pk]), {"accept": "1"})
    answer.refresh_from_db()
    assert answer.status == NeedAnswer.Status.ACCEPTED


def test_line_settings_panel_and_funds_pages(town: Town, people: People, line: BudgetLine) -> None:
    url = reverse("initiatives:line", args=[line.pk])
    assert client_for(None).get(url).status_code == 200
    assert client_for(people.resident).post(url, {}).status_code == 403
    client_for(people.official).post(
        url,
        {
            "open_for_requests": "on",
            "small_limit": "750",
            "small_days": "8",
            "panel_days": "15",
            "vote_enabled": "on",
            "host": people.host.pk if people.host else "",
        },
    )
    settings = services.settings_for(line)
    assert settings.small_limit_cents == 75_000 and settings.vote_enabled
    panel_url = reverse("initiatives:panel", args=[town.north.code])
    client_for(people.resident).post(panel_url, {"action": "volunteer"})
    client_for(people.neighbour).post(panel_url, {"action": "volunteer"})
    refused = client_for(people.southerner).post(panel_url, {"action": "volunteer"}, follow=True)
    assert any("bewoners van deze wijk" in m for m in messages_of(refused))
    client_for(people.professional).post(panel_url, {"action": "draw"})
    assert len(services.panel_members(town.north)) == 2
    client_for(people.official).post(panel_url, {"action": "appoint", "email": people.owner.email})
    assert len(services.panel_members(town.north)) == 3
    assert client_for(None).get(panel_url).status_code == 200
    funds_url = reverse("initiatives:fund_new")
    assert client_for(people.resident).get(funds_url).status_code == 403
    client_for(people.funder).post(
        funds_url,
        {"name": "Dorpsfonds", "level": "national", "themes": ["green"], "is_active": "on"},
    )
    fund = Fund.objects.get()
    assert client_for(None).get(fund.get_absolute_url()).status_code == 200
    assert client_for(None).get(reverse("initiatives:funds"), {"thema": "green"}).context[
        "funds"
    ] == [fund]
    cofunding = reverse("initiatives:cofunding", args=[town.municipality.code])
    assert client_for(people.resident).post(cofunding, {}).status_code == 403
    client_for(people.official).post(
        cofunding, {"label_1": "Zorg", "share_1": "90", "label_2": "Samenleven", "share_2": "7,5"}
    )
    assert [r.share_bp for r in services.cofunding_rules(town.municipality)] == [9000, 750]


def test_a_vote_through_the_pages(town: Town, people: People, line: BudgetLine) -> None:
    services.update_line_settings(line, people.official, vote_enabled=True)
    official = client_for(people.official)
    official.post(
        reverse("initiatives:vote_new", args=[line.pk]),
        {"title": "Buurtstemming", "budget": "500", "utility": "cost"},
    )
    vote = Vote.objects.get()
    garden = new_initiative(people.owner, town.bu_a, name="Moestuin")
    party = new_initiative(people.owner, town.bu_b, name="Straatfeest")
    resident = client_for(people.resident)
    for initiative, amount in ((garden, "250"), (party, "300")):
        resident.post(
            reverse("initiatives:vote_nominate", args=[vote.pk]),
            {"initiative": initiative.pk, "amount": amount, "summary": "Nodig"},
        )
    options = list(vote.options.order_by("pk"))
    assert len(options) == 2
    official.post(reverse("initiatives:vote_status", args=[vote.pk]), {"action": "open"})
    page = resident.get(vote.get_absolute_url())
    assert "Stem uitbrengen" in page.content.decode()
    resident.post(reverse("initiatives:vote_cast", args=[vote.pk]), {"options": [options[0].pk]})
    twice = resident.post(
        reverse("initiatives:vote_cast", args=[vote.pk]), {"options": [options[1].pk]}, follow=True
    )
    assert any("één keer" in m for m in messages_of(twice))
    outsider = client_for(people.southerner).post(
        reverse("initiatives:vote_cast", args=[vote.pk]), {"options": [options[1].pk]}, follow=True
    )
    assert any("Alleen bewoners" in m for m in messages_of(outsider))
    client_for(people.professional).post(
        reverse("initiatives:vote_paper", args=[vote.pk]),
        {"voter_email": people.neighbour.email, "options": [options[1].pk], "method": "paper"},
    )
    assert VoterRecord.objects.filter(vote=vote).count() == 2
    # Nobody else sees what the resident chose.
    assert (
        "U stemde voor"
        not in client_for(people.neighbour)
        .get(vote.get_absolute_url())
        .content.decode()
        .split("Uw stem")[0]
    )
    mine = resident.get(vote.get_absolute_url()).content.decode()
    assert "U stemde voor" in mine and "Moestuin" in mine
    official.post(reverse("initiatives:vote_status", args=[vote.pk]), {"action": "close"})
    official.post(reverse("initiatives:vote_status", args=[vote.pk]), {"action": "count"})
    vote.refresh_from_db()
    assert vote.status == Vote.Status.COUNTED
    result = client_for(None).get(vote.get_absolute_url()).content.decode()
    assert "Gelijke delen" in result and "Meeste stemmen" in result
    shares = resident.get(vote.get_absolute_url()).content.decode()
    assert "Uw deel hielp betalen aan" in shares


def test_remove_option_page_requires_a_reason(town: Town, people: People, line: BudgetLine) -> None:
    services.update_line_settings(line, people.official, vote_enabled=True)
    vote = services.create_vote(line, people.official, title="Stemming", budget_cents=10_000)
    initiative = new_initiative(people.owner, town.bu_a)
    option = services.nominate(vote, people.resident, initiative, amount_cents=1_000, summary="x")
    url = reverse("initiatives:option_remove", args=[option.pk])
    assert client_for(people.resident).get(url).status_code == 403
    response = client_for(people.official).post(url, {"reason": ""})
    assert response.status_code == 200
    option.refresh_from_db()
    assert not option.is_removed
    client_for(people.official).post(url, {"reason": "Niet legaal: geen vergunning."})
    option.refresh_from_db()
    assert option.is_removed
    page = client_for(None).get(vote.get_absolute_url()).content.decode()
    assert "geen vergunning" in page


@pytest.mark.parametrize("name", ["index", "funds"])
def test_public_pages(db: None, name: str) -> None:
    assert client_for(None).get(reverse(f"initiatives:{name}")).status_code == 200


def test_decisions_page_lists_what_waits(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    services.request_grant(
        initiative,
        people.owner,
        line=line,
        why="w",
        for_whom="f",
        items=[services.Item("x", 5_000)],
    )
    page = client_for(people.professional).get(reverse("initiatives:decisions"))
    assert len(page.context["requests"]) == 1
    assert client_for(people.owner).get(reverse("initiatives:decisions")).context["requests"] == []


def test_the_create_page_offers_a_place_and_agenda_goals_and_keeps_five_required(
    town: Town, people: People
) -> None:
    from buurtbasis.agenda.models import Agenda, AgendaGoal
    from buurtbasis.places.models import Kind, Place

    place = Place.objects.create(
        area=town.bu_a, name="Buurthuis De Linde", kind=Kind.choices[0][0], host_name="Ans"
    )
    agenda = Agenda.objects.create(area=town.north, title="Agenda Noord", start_year=2026)
    goal = AgendaGoal.objects.create(
        agenda=agenda, title="Meer groen", horizon_years=5, residents_own=True
    )
    resident = client_for(people.resident)
    page = resident.get(reverse("initiatives:create"))
    form = page.context["form"]
    assert "place" in form.fields and "agenda_goals" in form.fields
    assert sorted(n for n, f in form.fields.items() if f.required) == [
        "area",
        "contact",
        "description",
        "name",
        "needs_text",
    ]
    html = page.content.decode()
    assert "Buurthuis De Linde" in html and "Meer groen (Noord)" in html
    response = resident.post(
        reverse("initiatives:create"),
        {
            "name": "Groene straat",
            "description": "Geveltuinen.",
            "area": town.bu_a.pk,
            "contact": "06-12345678",
            "needs_text": "Tegels eruit, planten erin.",
            "place": place.pk,
            "agenda_goals": [goal.pk],
        },
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get(name="Groene straat")
    assert initiative.place == place
    assert list(initiative.agenda_goals.all()) == [goal]
