"""Demo data for resident initiatives: :func:`load_demo_initiatives` is called by the project
demo (``manage.py load_demo``) after :func:`buurtbasis.budgets.demo.load_demo_budgets` and
:func:`buurtbasis.wijkbeeld.demo.load_demo_wijkbeeld`, so the initiatives can name a place and
a goal of the district's agenda (without them they simply have none).

It plays the story of the issue through the real services, in the district where the demo
professional works:

- initiatives in every state (idea, running, paused, ended), with needs and answers;
- Sanne's vegetable garden asks € 400; a resident and the professional approve it together and
  the money moves from the district's budget line to the initiative's account (held by the
  welfare organisation as host); she tells what it brought and notes what was spent;
- a playground asks € 5.000; the buurtjury (drawn by lot from volunteers) decides by majority,
  with the reasons published;
- a request still waiting for a decision (so the decision pages have something to show);
- a neighbourhood vote on a budget line, counted with the Method of Equal Shares beside the
  greedy "most votes" result; the demo resident voted, so she sees what her share funded;
- a second vote that is open (the demo resident can still vote) and a third that takes
  nominations;
- the residents who vote, nominate, volunteer and decide are confirmed (verified) residents;
- funding plans, a directory of funds and the municipal co-funding table.

Running it again changes nothing (it stops when the demo initiatives exist).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Membership, Organisation, Role, User
from buurtbasis.areas.models import Area, Level
from buurtbasis.budgets.models import BudgetFramework, BudgetLine, DrawingRight

from . import services
from .models import BallotMethod, Fund, Initiative, Need, Theme, Vote, VoteOption

DEMO_DOMAIN = "demo.buurtbasis.nl"
GARDEN = "Buurtmoestuin"
GRANT_LINE = "Leefbaarheid"
VOTE_LINE = "Inclusiviteit & samenleven"
# Invented residents of the demo district: jury volunteers and voters.
NEIGHBOURS = (
    "Fatima Bouzid",
    "Kees Verhoef",
    "Linda de Graaf",
    "Yusuf Demir",
    "Ria Hoekstra",
    "Tom Janssen",
    "Esra Kaya",
    "Peter van Leeuwen",
    "Noor Visser",
    "Bram Smits",
    "Mila Bos",
    "Ahmed Haddou",
)


def _membership(role: str, municipality: Area, **extra: Any) -> Membership | None:
    return (
        Membership.objects.filter(role=role, area__municipality=municipality, **extra)
        .select_related("user", "area", "organisation")
        .order_by("pk")
        .first()
    ) or (
        Membership.objects.filter(role=role, area=municipality, **extra)
        .select_related("user", "area", "organisation")
        .order_by("pk")
        .first()
    )


def _district_of(area: Area, municipality: Area) -> Area:
    if area.level == Level.DISTRICT:
        return area
    if area.level == Level.NEIGHBOURHOOD and area.parent is not None:
        return area.parent
    district = (
        Area.objects.filter(municipality=municipality, level=Level.DISTRICT)
        .order_by("code")
        .first()
    )
    assert district is not None, "the demo needs a district"
    return district


def _neighbour(name: str, home: Area, number: int) -> User:
    email = f"initiatieven-buur{number:02d}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = accounts.register_user(email=email, display_name=name, home_neighbourhood=home)
    return user


def _line(framework: BudgetFramework, district: Area, year: int, theme: str) -> BudgetLine | None:
    lines = BudgetLine.objects.filter(
        district_budget__framework=framework,
        district_budget__district=district,
        district_budget__year=year,
    ).select_related("district_budget__district", "account", "theme")
    return lines.filter(theme__name=theme).first() or lines.filter(is_support=False).first()


def load_demo_initiatives(
    municipality: Area, *, today: datetime.date | None = None
) -> list[Initiative]:
    """The demo initiatives of ``municipality`` (see the module). Needs the people of the
    project demo (a resident, a professional with an organisation, a civil servant) and an
    adopted budget framework covering this year. Idempotent."""
    today = today or timezone.localdate()
    existing = list(
        Initiative.objects.filter(area__municipality=municipality, name__startswith=GARDEN)
    )
    if existing:
        return list(Initiative.objects.filter(area__municipality=municipality).order_by("pk"))
    professional_m = _membership(Role.PROFESSIONAL, municipality, organisation__isnull=False)
    official_m = _membership(Role.CIVIL_SERVANT, municipality) or _membership(
        Role.ADMINISTRATOR, municipality
    )
    resident_m = _membership(Role.RESIDENT, municipality)
    if professional_m is None or official_m is None or resident_m is None:
        raise ValueError(
            "the initiatives demo needs a professional, a civil servant and a resident"
        )
    professional, official = professional_m.user, official_m.user
    host: Organisation = professional_m.organisation  # type: ignore[assignment]
    district = _district_of(professional_m.area, municipality)
    hoods = list(Area.objects.filter(parent=district, level=Level.NEIGHBOURHOOD).order_by("code"))
    assert hoods, "the demo district needs neighbourhoods"
    resident = resident_m.user
    if resident_m.area.parent_id != district.pk:
        resident = _neighbour("Sanne de Wit", hoods[0], 0)
    home = resident.home_neighbourhood or hoods[0]
    initiator_m = _membership(Role.INITIATOR, municipality)
    framework = (
        BudgetFramework.objects.filter(
            municipality=municipality,
            status=BudgetFramework.Status.ADOPTED,
            start_year__lte=today.year,
            end_year__gte=today.year,
        )
        .order_by("-start_year", "pk")
        .first()
    )
    if framework is None:
        raise ValueError("the initiatives demo needs an adopted budget framework for this year")
    grant_line = _line(framework, district, today.year, GRANT_LINE)
    vote_line = _line(framework, district, today.year, VOTE_LINE)
    assert grant_line is not None and vote_line is not None

    with transaction.atomic():
        neighbours = [
            _neighbour(name, hoods[i % len(hoods)], i + 1) for i, name in enumerate(NEIGHBOURS)
        ]
        # The professional (or else the civil servant) confirms where the residents who vote,
        # nominate, volunteer and decide live.
        for person in [resident, *neighbours]:
            _verify(person, district, [professional, official])
        services.ensure_default_cofunding(municipality)
        _funds(municipality, district, official)
        for line in (grant_line, vote_line):
            services.update_line_settings(line, official, host=host, vote_enabled=line == vote_line)

        places = {p.area_id: p for p in _places(district)}
        goals = _goals(district)

        def create(
            owner: User, area: Area, name: str, *, goal: str = "", **values: Any
        ) -> Initiative:
            """An initiative at a place of its neighbourhood and, when ``goal`` is part of a
            goal's title, working towards that goal of the district's agenda."""
            return services.create_initiative(
                owner,
                name=name,
                area=area,
                place=places.get(area.pk),
                agenda_goals=[g for g in goals if goal and goal.lower() in g.title.lower()],
                **values,
            )

        garden = create(
            resident,
            home,
            f"{GARDEN} {home.name}",
            goal="groen",
            description="Op het braakliggende stuk naast de flat maken we samen een moestuin: "
            "groente kweken, elkaar leren kennen, de kinderen laten zien waar eten vandaan komt.",
            contact="Sanne, via het buurthuis of 06-12345678",
            needs_text="Zaden, gereedschap en een paar bakken; hulp bij het opzetten.",
            themes=[Theme.GREEN, Theme.MEETING, Theme.SUSTAINABILITY],
            state=Initiative.State.RUNNING,
            state_note="We zijn in maart begonnen; elke zaterdag van 10 tot 12 uur.",
            starts_on=today - datetime.timedelta(days=120),
        )
        services.add_owner(garden, resident, neighbours[0].email or "")
        services.add_need(
            garden,
            resident,
            kind=Need.Kind.MONEY,
            description="Zaden, gereedschap en bakken",
            amount_cents=40_000,
        )
        tools = services.add_need(
            garden, resident, kind=Need.Kind.THINGS, description="Kruiwagen en schoppen"
        )
        services.answer_need(tools, neighbours[3], message="Ik heb een kruiwagen die je mag lenen.")
        hours = services.add_need(
            garden, resident, kind=Need.Kind.HOURS, description="Hulp bij de opzet", minutes=6 * 60
        )
        services.add_comment(
            garden,
            professional,
            "Mooi plan! Ik kan ook helpen met de buren uitnodigen.",
            offer=True,
        )
        # € 400: a resident and the professional decide together; the money moves.
        small = services.request_grant(
            garden,
            resident,
            line=grant_line,
            why="Om te beginnen hebben we zaden, gereedschap en twee plantenbakken nodig.",
            for_whom="Voor iedereen uit de flat en de straat, jong en oud.",
            items=[
                services.Item("Zaden en plantjes", 12_500),
                services.Item("Gereedschap", 15_000),
                services.Item("Twee plantenbakken", 12_500),
            ],
            today=today - datetime.timedelta(days=60),
        )
        services.decide_grant(
            small, neighbours[6], approve=True, reason="Goed voor de buurt en niet duur."
        )
        services.decide_grant(
            small,
            professional,
            approve=True,
            reason="Past bij leefbaarheid; de groep is er klaar voor.",
        )
        # Only after the decision does the professional help (a helper no longer decides),
        # and a neighbour joins.
        right = DrawingRight.objects.filter(group__district=district).first()
        answer = services.answer_need(
            hours,
            professional,
            message="Ik help de eerste drie zaterdagen mee met het opzetten.",
            drawing_right=right,
            minutes=6 * 60,
        )
        services.decide_answer(answer, resident, accept=True)
        services.join(garden, neighbours[5])
        services.record_expense(
            small,
            resident,
            description="Zaden en plantjes bij het tuincentrum",
            amount_cents=11_840,
            spent_on=today - datetime.timedelta(days=50),
        )
        services.record_expense(
            small,
            resident,
            description="Schoppen, harken en handschoenen",
            amount_cents=14_995,
            spent_on=today - datetime.timedelta(days=48),
        )
        services.post_story(
            garden,
            resident,
            body="De eerste sla is geoogst! Twaalf buren doen elke zaterdag mee, en mevrouw "
            "Jansen van drie hoog komt nu ook naar buiten. De kinderen van de school willen "
            "volgend jaar een eigen bak.",
            grant=small,
        )
        services.post_story(
            garden, neighbours[5], body="Ik woon hier tien jaar en ken nu eindelijk mijn buren."
        )
        services.save_funding_plan(
            garden,
            resident,
            total_cents=95_000,
            cofunding_rule=services.cofunding_rules(municipality)[-1],
            lines=[
                services.PlanLine("own", "Bijdragen van de deelnemers", 15_000, 15_000),
                services.PlanLine("government", "Wijkbudget (toegekend)", 40_000, 40_000),
                services.PlanLine("housing", "Woningcorporatie: grond en water", 25_000, 0),
                services.PlanLine(
                    "fund",
                    "Stichting Lindefonds",
                    15_000,
                    0,
                    Fund.objects.filter(name__startswith="Stichting Lindefonds").first(),
                ),
            ],
        )

        # € 5.000: the buurtjury decides by majority.
        for volunteer in neighbours[:8]:
            services.volunteer(district, volunteer)
        services.draw_members(district, official, seed="lindewaard-demo-jury")
        playground_area = hoods[1 % len(hoods)]
        playground = create(
            neighbours[9],
            playground_area,
            f"Speelplek {playground_area.name} opknappen",
            description="De speelplek is kapot en saai. Samen met de kinderen ontwerpen we een "
            "nieuwe, en we knappen hem op met buren en de gemeente.",
            contact="Bram, bram@example.org",
            needs_text="Geld voor nieuwe speeltoestellen en verf; vrijwilligers voor de klusdag.",
            themes=[Theme.YOUTH, Theme.LIVEABILITY],
            state=Initiative.State.IDEA,
        )
        services.add_need(
            playground,
            neighbours[9],
            kind=Need.Kind.VOLUNTEERS,
            description="Klussers voor de klusdag",
        )
        large = services.request_grant(
            playground,
            neighbours[9],
            line=grant_line,
            why="De oude toestellen zijn afgekeurd; de kinderen hebben nergens om te spelen.",
            for_whom="De ongeveer tachtig kinderen uit de buurt en hun ouders.",
            items=[
                services.Item("Twee speeltoestellen", 38_000 * 10),
                services.Item("Verf en materiaal klusdag", 7_500 * 10),
                services.Item("Koffie en lunch voor de klussers", 4_500 * 10),
            ],
            today=today - datetime.timedelta(days=25),
        )
        jury = [m.user for m in services.panel_members(district)]
        verdicts = [
            (True, "De kinderen hebben dit hard nodig en de buurt doet zelf mee."),
            (True, "Een goede begroting; de klusdag maakt het van de buurt."),
            (False, "Liever eerst de woningcorporatie vragen mee te betalen."),
            (True, "Veilig spelen is belangrijk; steun."),
        ]
        for juror, (approve, reason) in zip(jury, verdicts, strict=False):
            large.refresh_from_db()
            if not large.is_open:
                break
            services.decide_grant(large, juror, approve=approve, reason=reason)
        services.save_funding_plan(
            playground,
            neighbours[9],
            total_cents=800_000,
            cofunding_rule=services.cofunding_rules(municipality)[-1],
            lines=[
                services.PlanLine("government", "Wijkbudget (buurtjury)", 500_000, 500_000),
                services.PlanLine("housing", "Woningcorporatie", 200_000, 0),
                services.PlanLine("business", "Bouwmarkt in de wijk: verf", 30_000, 30_000),
            ],
        )

        # Other states, and a request waiting for a decision.
        dinner_area = hoods[2 % len(hoods)]
        dinner = create(
            neighbours[2],
            dinner_area,
            f"Eetgroep {dinner_area.name}",
            goal="niemand alleen",
            description="Eens per maand samen koken en eten, voor wie niet graag alleen eet.",
            contact="Linda, 06-87654321",
            needs_text="Een keuken en een ruimte voor twintig mensen.",
            themes=[Theme.MEETING, Theme.ELDERLY, Theme.CARE],
            state=Initiative.State.PAUSED,
            state_note="We zoeken een nieuwe keuken; het buurthuis wordt verbouwd.",
        )
        services.add_need(
            dinner, neighbours[2], kind=Need.Kind.SPACE, description="Keuken voor twintig mensen"
        )
        party = create(
            neighbours[4],
            hoods[0],
            "Zomerfeest op het plein",
            goal="buurtfeest",
            description="Een middag muziek, spelletjes en eten van alle buren op het plein.",
            contact="Ria, via de buurtapp",
            needs_text="Tafels, een geluidsinstallatie en vrijwilligers.",
            themes=[Theme.MEETING, Theme.CULTURE],
            state=Initiative.State.ENDED,
            state_note="Het feest was op 21 juni; volgend jaar weer!",
            starts_on=today - datetime.timedelta(days=150),
            ends_on=today - datetime.timedelta(days=150),
        )
        services.post_story(
            party,
            neighbours[4],
            body="Meer dan tweehonderd buren kwamen; de Turkse en de Surinaamse buren kookten "
            "samen. Nu groeten we elkaar op straat.",
        )
        language = create(
            neighbours[7],
            hoods[-1],
            "Taalmaatjes",
            description="Buren helpen nieuwe buren met Nederlands praten, een uur per week.",
            contact="Peter, peter@example.org",
            needs_text="Een lesboekje per koppel en koffie.",
            themes=[Theme.INCLUSION],
            state=Initiative.State.IDEA,
        )
        services.request_grant(
            language,
            neighbours[7],
            line=grant_line,
            why="Met een boekje per koppel kunnen de maatjes gericht oefenen.",
            for_whom="Tien nieuwe buren en hun taalmaatjes.",
            items=[services.Item("Tien lesboekjes", 25_000), services.Item("Koffie", 5_000)],
            today=today,
        )
        others = []
        if initiator_m is not None:
            initiator = initiator_m.user
            area = initiator.home_neighbourhood or initiator_m.area
            if area.level == Level.NEIGHBOURHOOD:
                others.append(
                    create(
                        initiator,
                        area,
                        f"Repair Café {area.name}",
                        description="Elke eerste zaterdag van de maand repareren we samen "
                        "kapotte spullen in plaats van ze weg te gooien.",
                        contact="Mehmet, via het buurthuis",
                        needs_text="Gereedschap, een ruimte en handige buren.",
                        themes=[Theme.SUSTAINABILITY, Theme.SHARING],
                        state=Initiative.State.RUNNING,
                    )
                )

        # A neighbourhood vote on another line: Equal Shares beside greedy.
        _vote(
            vote_line,
            official,
            professional,
            resident,
            neighbours,
            hoods,
            [garden, playground, dinner, language],
        )
        # A second vote, open now (the demo resident has not voted yet), and a third one
        # still taking nominations.
        _open_vote(vote_line, official, neighbours, [garden, dinner, language])
    return list(Initiative.objects.filter(area__municipality=municipality).order_by("pk"))


def _verify(person: User, district: Area, verifiers: list[User]) -> None:
    """Confirm the person's resident role in the district through the accounts service."""
    for membership in Membership.objects.filter(
        user=person, role=Role.RESIDENT, verified_at__isnull=True
    ).select_related("area", "user"):
        if membership.area.parent_id != district.pk and membership.area_id != district.pk:
            continue
        for verifier in verifiers:
            if verifier.pk != person.pk and verifier.has_perm(
                "accounts.verify_resident", membership
            ):
                accounts.verify_resident(membership, actor=verifier)
                break


def _open_vote(
    line: BudgetLine, official: User, neighbours: list[User], initiatives: list[Initiative]
) -> Vote:
    district = line.district_budget.district
    vote = services.create_vote(
        line,
        official,
        title=f"Tweede buurtstemming {district.name} {line.district_budget.year}",
        description="Stem mee: kies alle initiatieven die u goed vindt.",
        budget_cents=400_000,
        closes_on=timezone.localdate() + datetime.timedelta(days=21),
    )
    plans = [
        ("Een tweede moestuinbak bij de school", 150_000),
        ("Kookcursus voor de eetgroep", 120_000),
        ("Taalcafé op zaterdag", 90_000),
    ]
    options = [
        services.nominate(vote, neighbours[i], initiative, amount_cents=amount, summary=summary)
        for i, (initiative, (summary, amount)) in enumerate(zip(initiatives, plans, strict=True))
    ]
    services.open_vote(vote, official)
    for voter, option in zip(neighbours[:4], [0, 1, 0, 2], strict=True):
        services.cast_ballot(vote, voter, [options[option].pk])
    nominating = services.create_vote(
        line,
        official,
        title=f"Derde buurtstemming {district.name} {line.district_budget.year}",
        description="Zet nu initiatieven uit de wijk op de stemlijst.",
        budget_cents=200_000,
    )
    services.nominate(
        nominating,
        neighbours[2],
        initiatives[1],
        amount_cents=100_000,
        summary="Een vaste keuken voor de eetgroep",
    )
    return vote


def _places(district: Area) -> list[Any]:
    from buurtbasis.places.models import Place

    seen: dict[int, Any] = {}
    for place in Place.objects.filter(
        area__parent=district, is_active=True, latitude__isnull=False
    ).order_by("pk"):
        seen.setdefault(place.area_id, place)
    return list(seen.values())


def _goals(district: Area) -> list[Any]:
    """The goals of the district's published agenda (made by the wijkbeeld demo, which runs
    first)."""
    from buurtbasis.agenda.selectors import goals_for_area

    return list(goals_for_area(district).order_by("pk"))


def _funds(municipality: Area, district: Area, actor: User) -> None:
    if Fund.objects.exists():
        return
    lindefonds = Organisation.objects.filter(name__icontains="Lindefonds").first()
    services.save_fund(
        actor,
        name="Stichting Lindefonds",
        description="Het fonds van de gemeente Lindewaard voor kleine bewonersinitiatieven.",
        level=Fund.Level.LOCAL,
        area=municipality,
        themes=[Theme.MEETING, Theme.GREEN, Theme.YOUTH, Theme.LIVEABILITY],
        min_cents=10_000,
        max_cents=250_000,
        asks="Een korte beschrijving en een begroting; een gesprek met iemand van het fonds.",
        url="https://example.org/lindefonds",
        organisation=lindefonds,
    )
    services.save_fund(
        actor,
        name="Wijkfonds Noord (woningcorporatie)",
        description="De woningcorporatie steunt initiatieven voor een schone, groene buurt.",
        level=Fund.Level.LOCAL,
        area=district,
        themes=[Theme.GREEN, Theme.LIVEABILITY],
        max_cents=500_000,
        deadline=timezone.localdate() + datetime.timedelta(days=90),
        asks="Initiatieven van huurders; een foto van de plek en een plan van een half A4.",
    )
    services.save_fund(
        actor,
        name="Regiofonds Samen Oud",
        description="Voor ontmoeting van en met ouderen in de regio.",
        level=Fund.Level.REGIONAL,
        area=municipality,
        themes=[Theme.ELDERLY, Theme.MEETING, Theme.CARE],
        min_cents=50_000,
        max_cents=1_000_000,
        asks="Een plan, een begroting en wie er meedoen.",
    )
    services.save_fund(
        actor,
        name="Landelijk Fonds Meedoen",
        description="Landelijk fonds voor initiatieven tegen armoede en eenzaamheid.",
        level=Fund.Level.NATIONAL,
        themes=[Theme.MONEY_WORRIES, Theme.INCLUSION, Theme.CARE],
        min_cents=100_000,
        max_cents=2_500_000,
        deadline=timezone.localdate() + datetime.timedelta(days=45),
        asks="Aanvragen via een organisatie met een ANBI-status; een verslag achteraf.",
    )


def _vote(
    line: BudgetLine,
    official: User,
    professional: User,
    resident: User,
    neighbours: list[User],
    hoods: list[Area],
    initiatives: list[Initiative],
) -> Vote:
    vote = services.create_vote(
        line,
        official,
        title=f"Buurtstemming {line.district_budget.district.name} {line.district_budget.year}",
        description="Bewoners kiezen samen welke initiatieven geld krijgen uit dit potje.",
        budget_cents=1_000_000,
    )
    extra_area = hoods[-1]
    library = services.create_initiative(
        neighbours[10],
        name="Minibieb bij de school",
        description="Een kastje waar buren boeken ruilen.",
        area=extra_area,
        contact="Mila",
        needs_text="Een waterdicht kastje.",
        themes=[Theme.SHARING],
    )
    walking = services.create_initiative(
        neighbours[11],
        name="Wandelclub voor iedereen",
        description="Elke woensdag samen een uur wandelen, in je eigen tempo.",
        area=extra_area,
        contact="Ahmed",
        needs_text="Hesjes en een EHBO-cursus voor twee begeleiders.",
        themes=[Theme.SPORT, Theme.ELDERLY],
        state=Initiative.State.RUNNING,
    )
    amounts = [
        ("Nieuwe plantenbakken en een regenton", 250_000),
        ("Speeltoestel voor de kleintjes", 600_000),
        ("Nieuwe keukenspullen voor de eetgroep", 300_000),
        ("Lesboekjes voor een tweede groep", 150_000),
        ("Het boekenkastje", 80_000),
        ("Hesjes en de EHBO-cursus", 120_000),
    ]
    options: list[VoteOption] = []
    for initiative, (summary, amount) in zip(
        [*initiatives, library, walking], amounts, strict=True
    ):
        options.append(
            services.nominate(
                vote, neighbours[len(options)], initiative, amount_cents=amount, summary=summary
            )
        )
    services.open_vote(vote, official)
    ids = [o.pk for o in options]
    # Approval ballots of the demo residents: a big group for the playground, smaller groups
    # for the rest — Equal Shares gives the smaller groups their share too.
    ballots = [
        [ids[1]],
        [ids[1], ids[0]],
        [ids[1]],
        [ids[1], ids[4]],
        [ids[1]],
        [ids[1], ids[2]],
        [ids[1]],
        [ids[0], ids[4]],
        [ids[2], ids[3]],
        [ids[3], ids[5]],
        [ids[5]],
        [ids[0], ids[2]],
    ]
    for voter, approved in zip(neighbours, ballots, strict=True):
        services.cast_ballot(vote, voter, approved)
    services.cast_ballot(vote, resident, [ids[0], ids[4], ids[5]])
    # A resident without internet votes with the help of the professional (recorded as such).
    district = line.district_budget.district
    assisted = User.objects.filter(assisted_by=professional, email__isnull=True).order_by("pk")
    for person in assisted:
        home = person.home_neighbourhood
        if home is not None and home.parent_id == district.pk:
            services.enter_paper_ballot(
                vote, professional, person, [ids[2], ids[5]], method=BallotMethod.ASSISTED
            )
            break
    services.close_vote(vote, official)
    return services.count_vote(vote, official)
