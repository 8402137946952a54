"""Demo data for places, the wijkbeeld, the municipal framework, the BuurtTop and the agenda.

:func:`load_demo_wijkbeeld` builds on the demo municipality of ``core.demo`` (areas, figures,
one person per role) and is idempotent: it does nothing when the demo district already has a
wijkbeeld. Everything goes through the real services, so the audit log and the rules apply.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, Membership, Role, User
from buurtbasis.agenda import services as agenda
from buurtbasis.areas.models import Area, Level
from buurtbasis.places import services as places

from . import services
from .models import Wijkbeeld

EMAIL_DOMAIN = "demo.buurtbasis.nl"


@dataclass(frozen=True)
class Neighbour:
    local_part: str
    name: str
    key_person: str = ""  # kind, when this person agreed to be named as a key person
    key_description: str = ""


NEIGHBOURS = (
    Neighbour("henk", "Henk Visser", "bridge_builder", "Kent iedereen in de Merelstraat en "
              "weet wie er hulp nodig heeft; organiseert elk jaar de straatbarbecue."),
    Neighbour("fatma", "Fatma Aydın", "everyday_doer", "Kookt op donderdag voor de eetgroep "
              "en helpt buren met formulieren."),
    Neighbour("joke", "Joke van Leeuwen"),
    Neighbour("ruben", "Ruben Dekker"),
)  # fmt: skip

#: (name, kind, where in the neighbourhood (dx, dy from its middle), schedule, how to join,
#: drop in, host, extra)
PLACES: dict[int, list[tuple[Any, ...]]] = {
    0: [  # the first neighbourhood of the district
        ("Buurtkamer De Beemd", "buurtkamer", (0.0, 0.0), "ma, wo en vr 10–16 uur",
         "Gewoon binnenlopen, de koffie staat klaar", True, "Fatma",
         {"owner": "Woonstichting Lindewaard", "rent_cents": 25_000, "market_rent_cents": 95_000,
          "tp_host": True, "tp_regulars": True, "tp_levelling": True, "cp_low_threshold": True}),
        ("Speeltuin De Wip", "playground", (0.002, -0.001), "elke dag tot zonsondergang",
         "Vrij toegankelijk", True, "", {"cp_chance_of_meeting": True}),
        ("Schoolplein De Regenboog", "school_gate", (-0.002, 0.001), "schooldagen 8:15 en 14:45",
         "Ouders treffen elkaar bij het hek", True, "", {"cp_chance_of_meeting": True}),
    ],
    1: [
        ("Eetgroep Aan Tafel", "eating_group", (0.0, 0.0), "elke donderdag 17:30",
         "Even bellen met Fatma; een maaltijd kost 4 euro", False, "Fatma", {}),
        ("Wandelgroep Rondje Vogelbuurt", "walking_group", (0.001, 0.001),
         "zaterdag 10:00, start bij de bibliotheek", "Gewoon aansluiten, ook met rollator",
         True, "Henk", {"cp_own_initiative": True}),
        ("Bibliotheek Noord", "library", (-0.001, -0.001), "di–za 10–17 uur",
         "Vrij toegankelijk", True, "", {"tp_accessible": True, "tp_comfortable": True}),
        ("Repaircafé", "repair", (0.0015, -0.0008), "eerste zaterdag van de maand 13–16 uur",
         "Neem je kapotte spullen mee", True, "Ruben", {}),
    ],
    2: [
        ("Moestuin Achter de Kerk", "community_garden", (0.0, 0.0), "wo en za ochtend",
         "Loop binnen op zaterdag, er is altijd werk", True, "Joke",
         {"cp_whole_more": True, "cp_own_initiative": True}),
        ("Koffieochtend Kastanjehof", "coffee_morning", (0.001, 0.001), "dinsdag 10–12 uur",
         "Gewoon binnenlopen", True, "Joke", {}),
    ],
}  # fmt: skip


def _middle(area: Area) -> tuple[float, float]:
    """A point in the middle of an area's boundary (average of the outer ring)."""
    geometry = area.boundary or {}
    coords = geometry.get("coordinates") or []
    ring = (
        coords[0][0]
        if geometry.get("type") == "MultiPolygon" and coords
        else (coords[0] if coords else [])
    )
    if not ring:
        return 52.09, 5.62
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    return lat, lon


def _person_with_role(area: Area, role: str) -> User | None:
    membership = (
        Membership.objects.filter(area=area, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _neighbour(spec: Neighbour, home: Area, password_hash: str) -> User:
    email = f"{spec.local_part}@{EMAIL_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = accounts.register_user(email=email, display_name=spec.name, home_neighbourhood=home)
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


def load_demo_wijkbeeld(municipality: Area) -> Wijkbeeld | None:
    """Places, a wijkbeeld of one demo district (parts, organisations present, a key person,
    residents' comments in conversation rounds), the municipal framework (adopted), a BuurtTop
    with working groups and registrations, and a published wijktoekomstagenda.

    The demo district is the one where a professional works (the demo community worker);
    returns its wijkbeeld, or ``None`` when there is no such district."""
    from buurtbasis.core.demo import DEMO_PASSWORD

    districts = Area.objects.filter(parent=municipality, level=Level.DISTRICT).order_by("code")
    district = next(
        (d for d in districts if _person_with_role(d, Role.PROFESSIONAL) is not None), None
    )
    if district is None:
        return None
    existing = Wijkbeeld.objects.filter(area=district).first()
    if existing is not None:
        return existing
    worker = _person_with_role(district, Role.PROFESSIONAL)
    clerk = _person_with_role(municipality, Role.CIVIL_SERVANT) or _person_with_role(
        municipality, Role.ADMINISTRATOR
    )
    assert worker is not None
    neighbourhoods = list(district.children.order_by("code"))
    today = timezone.localdate()
    with transaction.atomic():
        password_hash = make_password(DEMO_PASSWORD)
        people = {
            n.local_part: _neighbour(n, neighbourhoods[i % len(neighbourhoods)], password_hash)
            for i, n in enumerate(NEIGHBOURS)
        }
        resident = _person_with_role(neighbourhoods[1], Role.RESIDENT) or people["joke"]

        # Places, kept by residents; the community worker's phone for poster and card.
        places.set_area_contact(
            worker,
            district,
            {
                "name": worker.display_name,
                "organisation": "Welzijn Lindewaard",
                "phone": "0343 123 456",
                "walk_in": "woensdag 13–15 uur in Buurtkamer De Beemd",
                "note": "Zelf iets organiseren? Bel ons, we helpen graag.",
            },
        )
        hosts = {"Fatma": people["fatma"], "Henk": people["henk"], "Joke": people["joke"],
                 "Ruben": people["ruben"]}  # fmt: skip
        for index, specs in PLACES.items():
            if index >= len(neighbourhoods):
                break
            area = neighbourhoods[index]
            lat, lon = _middle(area)
            for name, kind, (dx, dy), schedule, join, drop_in, host, extra in specs:
                keeper = hosts.get(host) or worker
                if not keeper.has_perm("places.add_place", area):
                    keeper = worker
                places.create_place(
                    keeper,
                    area,
                    {
                        "name": name,
                        "kind": kind,
                        "latitude": f"{lat + dy:.6f}",
                        "longitude": f"{lon + dx:.6f}",
                        "schedule": schedule,
                        "how_to_join": join,
                        "drop_in": drop_in,
                        "host_name": host,
                        "contact_phone": "06 1234 5678" if host else "",
                        "address": f"{area.name}",
                        "wheelchair_accessible": kind in ("buurtkamer", "library"),
                        **extra,
                    },
                )

        # The wijkbeeld.
        wijkbeeld = services.create_wijkbeeld(
            worker,
            district,
            intro=(
                "Dit wijkbeeld maakten bewoners en professionals van Noord samen, in 2025. "
                "Het laat zien wat goed gaat, waar aandacht nodig is, en wie er het verschil maakt."
            ),
        )
        history = services.add_part(
            people["henk"],
            wijkbeeld,
            {
                "kind": "history",
                "title": "Hoe Noord ontstond",
                "body": (
                    "De Vogelbuurt werd gebouwd in de jaren vijftig, voor gezinnen van de "
                    "fabriek.\nDe Beemden kwam er in de jaren tachtig bij.\nKastanjehof is "
                    "nieuw: daar wonen vooral jonge gezinnen."
                ),
                "written_on": today - datetime.timedelta(days=120),
            },
        )
        services.update_part(
            worker,
            history,
            {
                "title": "Hoe Noord ontstond, en wat schuurt",
                "body": history.body
                + (
                    "\nSpanning: oude en nieuwe bewoners kennen elkaar weinig. Sinds de "
                    "sluiting van het buurthuis in 2019 mist een plek voor iedereen."
                ),
                "written_on": today - datetime.timedelta(days=60),
                "change_note": "Aangevuld na de eerste gespreksronde",
            },
        )
        services.add_part(
            people["fatma"],
            wijkbeeld,
            {
                "kind": "informal",
                "title": "Informele structuren",
                "body": (
                    "Moeders bij het schoolhek van De Regenboog helpen elkaar met halen en "
                    "brengen.\nIn de Merelstraat houden buren een appgroep bij wie een "
                    "heggenschaar of ladder heeft."
                ),
            },
        )
        services.add_part(
            worker,
            wijkbeeld,
            {
                "kind": "initiatives",
                "title": "Bewonersinitiatieven",
                "body": (
                    "De eetgroep Aan Tafel, het repaircafé, de moestuin en de wandelgroep "
                    "draaien op vrijwilligers. De moestuin zoekt een vaste plek voor gereedschap."
                ),
            },
        )
        services.add_part(
            worker,
            wijkbeeld,
            {
                "kind": "collaborations",
                "title": "Samenwerking die werkt",
                "body": (
                    "De bibliotheek en de buurtkamer verwijzen naar elkaar. De huisarts stuurt "
                    "mensen met Welzijn op Recept naar de wandelgroep."
                ),
            },
        )
        for organisation, work, minutes, tie in (
            ("Welzijn Lindewaard", "opbouwwerk en buurtkamer", 24 * 60, "based_here"),
            ("GGD regio", "jeugdverpleegkundige op school", 4 * 60, "regular"),
            ("Politie", "wijkagent", 8 * 60, "regular"),
            ("Woonstichting Lindewaard", "huismeester", 6 * 60, "regular"),
            ("Sociaal wijkteam", "hulp bij zorg, geld en wonen", 12 * 60, "on_call"),
        ):
            services.save_presence(
                worker,
                wijkbeeld,
                {
                    "organisation_name": organisation,
                    "work": work,
                    "minutes_per_week": minutes,
                    "tie": tie,
                },
            )
        for spec in NEIGHBOURS:
            if spec.key_person:
                person = people[spec.local_part]
                accounts.record_consent(
                    person,
                    Consent.Purpose.KEY_PERSON,
                    True,
                    method=Consent.Method.PAPER,
                    actor=worker,
                    note="Formulier getekend bij de buurtkamer",
                )
                services.add_key_person(
                    worker,
                    wijkbeeld,
                    person,
                    kind=spec.key_person,
                    description=spec.key_description,
                )

        # The wijklaboratorium: one closed round with comments, one open.
        first = services.open_round(
            worker,
            wijkbeeld,
            {
                "title": "Eerste duiding",
                "held_on": today - datetime.timedelta(days=90),
                "location": "Buurtkamer De Beemd",
                "description": "Kloppen de cijfers met wat jullie zien?",
            },
        )
        statistics = wijkbeeld.parts.get(kind="statistics")
        places_part = wijkbeeld.parts.get(kind="places")
        services.add_comment(
            people["joke"], statistics, first,
            "Veel eenpersoonshuishoudens, ja. Maar ook veel mensen die iets willen doen.",
        )  # fmt: skip
        services.add_comment(
            resident, places_part, first,
            "Sinds het buurthuis dicht is, is de buurtkamer de enige plek binnen.",
        )  # fmt: skip
        services.add_comment(
            worker, history, first, "Vroeger was er elk jaar een buurtfeest. Dat mis ik.",
            channel="paper", author_name="mevrouw De Groot",
        )  # fmt: skip
        services.close_round(worker, first)
        second = services.open_round(
            worker,
            wijkbeeld,
            {"title": "Op weg naar de BuurtTop", "location": "Bibliotheek Noord"},
        )
        services.add_comment(
            people["ruben"], places_part, second,
            "Het repaircafé kan ook in de bibliotheek, daar komen meer mensen langs.",
        )  # fmt: skip

        # The municipal framework, adopted by the council.
        if clerk is not None:
            framework = agenda.get_or_create_framework(clerk, municipality)
            if not framework.is_adopted:
                agenda.update_framework(
                    clerk,
                    framework,
                    {
                        "title": f"Uitgangspunten wijkaanpak {municipality.name}",
                        "summary": (
                            "De gemeente stopt met aanbesteden van het welzijnswerk. Wijken "
                            "krijgen meerjarige budgetten; bewoners hebben een dragende rol."
                        ),
                        "funding_sources": "Wmo-budget voor welzijn en ontmoeting, vanaf 2026.",
                        "democratisation": (
                            "Elke wijk houdt eens in de vier jaar een BuurtTop en elk jaar een "
                            "BuurtTopdag; de raad neemt de toekomstagenda's mee in de begroting."
                        ),
                        "instruments": (
                            "Wijkbeeld, gespreksrondes, BuurtTop, toekomstagenda, opbouwwerk."
                        ),
                        "start_year": 2025,
                        "end_year": 2032,
                        "pilots": "Noord is pilotwijk in 2025; de andere wijken volgen in 2026.",
                        "role_of_politics": "De raad stelt kaders en luistert; de wijk beslist.",
                        "district_division": "Vijf wijken, zoals het CBS ze indeelt.",
                    },
                )
                for name, expectation, form in (
                    ("Bewoners en bewonersorganisaties", "Maken het wijkbeeld en de agenda.",
                     "BuurtTop, werkgroepen"),
                    ("Welzijn Lindewaard", "Ondersteunt bewoners, maakt geen plannen voor hen.",
                     "opbouwwerk, meerjarige opdracht"),
                    ("Woonstichting Lindewaard", "Stelt ruimtes beschikbaar tegen lage huur.",
                     "ruimte, huismeesters"),
                ):  # fmt: skip
                    agenda.add_party(clerk, framework, name, expectation, form)
                agenda.adopt_framework(
                    clerk,
                    framework,
                    adopted_on=today - datetime.timedelta(days=200),
                    reference="Raadsbesluit 2025-014",
                )
        values = {v.name: v for v in agenda.public_values_for(municipality)}
        # The budgets' themes (which the public values follow) write "Zorgzaamheid & zorg".
        for value in list(values.values()):
            values.setdefault(value.name.replace(" & ", " en "), value)

        # The BuurtTop, with working groups, registrations and outcomes.
        top = agenda.create_buurttop(
            worker,
            district,
            {
                "title": f"BuurtTop {district.name}",
                "held_on": today - datetime.timedelta(days=30),
                "location": "Sporthal De Beemden",
                "description": "Een dag hardop dromen over de toekomst van de wijk.",
            },
        )
        groups = {}
        for name, value_name, theme in (
            ("Werkgroep Groen en energie", "Duurzaamheid", ""),
            ("Werkgroep Ontmoeten", "Inclusiviteit en samenleven", ""),
            ("Werkgroep Naar elkaar omkijken", "Zorgzaamheid en zorg", ""),
        ):
            groups[name] = agenda.create_group(
                worker,
                buurttop=top,
                name=name,
                public_value=values.get(value_name),
                theme=theme if value_name in values else value_name,
                purpose="Bereid het thema voor met de cijferbriefing en vragen uit de buurt.",
            )
        for key, group_name in (("henk", "Werkgroep Groen en energie"),
                                ("fatma", "Werkgroep Ontmoeten"),
                                ("joke", "Werkgroep Naar elkaar omkijken")):  # fmt: skip
            agenda.join_group(people[key], groups[group_name])
        agenda.add_member(worker, groups["Werkgroep Ontmoeten"], name="Mevrouw De Groot")
        agenda.add_note(
            people["fatma"],
            groups["Werkgroep Ontmoeten"],
            held_on=today - datetime.timedelta(days=70),
            body="We willen een plek voor iedereen, binnen. De buurtkamer is te klein.",
        )
        for user in (people["henk"], people["fatma"], people["joke"], resident):
            agenda.register(user, top)
        agenda.register_other(worker, top, name="Mevrouw De Groot", channel="paper",
                              needs="vervoer")  # fmt: skip
        agenda.register_other(worker, top, name="Meneer Pinas", channel="phone",
                              phone="0343 654 321", needs="tolk Sranantongo")  # fmt: skip
        agenda.record_outcomes(
            worker,
            top,
            "Ruim 80 bewoners droomden hardop. Drie dromen kwamen steeds terug: een huiskamer "
            "voor de hele wijk, groene daken en straten, en niemand alleen.",
        )

        # The wijktoekomstagenda, published.
        future = agenda.create_agenda(
            worker,
            district,
            {
                "title": f"{district.name} 2035",
                "vision": (
                    "In 2035 is Noord een groene wijk waar oude en nieuwe bewoners elkaar "
                    "kennen, waar iedereen een plek heeft om binnen te lopen, en waar niemand "
                    "er alleen voor staat."
                ),
                "start_year": today.year,
            },
            buurttop=top,
        )
        goal_specs = (
            ("Een huiskamer voor de hele wijk", 5, "Inclusiviteit en samenleven", False,
             "Werkgroep Ontmoeten", ("Ruimte zoeken met de woonstichting", "Open dag")),
            ("Groene daken en straten", 10, "Duurzaamheid", False,
             "Werkgroep Groen en energie", ("Geveltuintjesdag", "Energiecoöperatie oprichten")),
            ("Niemand alleen", 10, "Zorgzaamheid en zorg", False,
             "Werkgroep Naar elkaar omkijken", ("Buren-bel-rondje", "Maaltijd aan huis")),
            ("Elk jaar een buurtfeest", 5, "", True, "", ("Buurtfeest in september",)),
        )  # fmt: skip
        first_goal = None
        demo_goals = []
        for title, horizon, value_name, own, group_name, actions in goal_specs:
            goal = agenda.add_goal(
                worker,
                future,
                {
                    "title": title,
                    "horizon_years": horizon,
                    "public_value": values.get(value_name) if value_name else None,
                    "residents_own": own or value_name not in values,
                },
            )
            first_goal = first_goal or goal
            demo_goals.append(goal)
            for n, action in enumerate(actions):
                agenda.add_action(
                    worker,
                    goal,
                    {
                        "title": action,
                        "who": group_name or "bewoners",
                        "working_group": groups.get(group_name),
                        "status": "running" if n == 0 else "planned",
                    },
                )
        agenda.publish_agenda(worker, future)
        # Money traced to the agenda: the civil servant points this year's budget lines of the
        # district (from the budgets demo, when it ran) at the goals of the same theme.
        if clerk is not None:
            for goal in demo_goals:
                value_theme = goal.public_value.name if goal.public_value else ""
                for line in agenda.budget_lines_for_goal(goal).filter(
                    district_budget__year=today.year
                ):
                    if (value_theme and line.theme and line.theme.name == value_theme) or (
                        goal.residents_own and line.is_support
                    ):
                        agenda.link_budget_line(clerk, goal, line)
        if first_goal is not None:
            agenda.record_review(
                worker,
                first_goal,
                year=today.year,
                progress=(
                    "De woonstichting biedt de oude kapsalon aan de Merelstraat aan. Een groep "
                    "van twaalf bewoners maakt een plan voor de inrichting."
                ),
                buurttop=top,
            )
    return wijkbeeld
