"""Demo data for neighbour help: :func:`load_demo_mutualhelp` (called by the project demo).

It tells the story of the issue: Sanne asks for help carrying a cupboard upstairs, gets three
nearby candidates (an offer to help with lifting, someone who said they can help, a hand truck
to borrow), agrees with Kees by message, and both thank each other (Sanne nominates Kees for
the bloemetje). The community worker posts a request for Mevrouw Jansen, who has no internet,
and can print the neighbourhood card. Around it: offers and requests in every neighbourhood, a
report in the moderation queue and a request nobody answered yet.

Everything goes through the services, so the demo follows the same rules as real use. Loading
twice changes nothing the second time.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, Membership, Role, User
from buurtbasis.areas.models import Area, Level

from . import geo, services
from .models import Category, Conversation, Direction, Kind, Moment, Post, Recurrence, Report

DEMO_DOMAIN = "demo.buurtbasis.nl"
CUPBOARD_TITLE = "Kast naar boven tillen"


def _demo_password() -> str:
    from buurtbasis.core.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def offset(point: tuple[int, int], north_m: float, east_m: float) -> tuple[int, int]:
    """A point ``north_m`` metres north and ``east_m`` metres east of ``point``."""
    lat, lon = point
    dlat = north_m / geo.M_PER_E6
    dlon = east_m / (geo.M_PER_E6 * geo.lon_factor(lat))
    return int(round(lat + dlat)), int(round(lon + dlon))


def _degrees(point: tuple[int, int]) -> tuple[str, str]:
    return f"{point[0] / 1e6:.6f}", f"{point[1] / 1e6:.6f}"


def _person(local: str, name: str, home: Area, *, phone: str = "", role: str | None = None) -> User:
    email = f"{local}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = accounts.register_user(
            email=email,
            display_name=name,
            password=_demo_password(),
            home_neighbourhood=home,
            phone=phone,
        )
    return user


def _profile(
    user: User, area: Area, point: tuple[int, int], categories: list[str], moments: int = 0
) -> None:
    lat, lon = _degrees(point)
    services.save_profile(
        user,
        actor=user,
        categories=categories,
        neighbourhood=area,
        lat=lat,
        lon=lon,
        radius_m=2000,
        moments=moments,
    )


def _post(
    actor: User,
    area: Area,
    point: tuple[int, int],
    direction: str,
    category: str,
    title: str,
    *,
    now: datetime,
    **extra: Any,
) -> Post:
    lat, lon = _degrees(point)
    return services.create_post(
        actor,
        direction=direction,
        category=category,
        title=title,
        neighbourhood=area,
        lat=lat,
        lon=lon,
        now=now,
        **extra,
    )


def _worker_for(area: Area, municipality: Area) -> User:
    """A community worker of ``area`` (the project demo's professional), created if none."""
    membership = (
        Membership.objects.filter(role=Role.PROFESSIONAL, area_id__in={area.pk, area.parent_id})
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is not None:
        return membership.user
    worker = _person("buurtwerker", "Anouk Bakker", area, phone="0343 123 456")
    org = accounts.get_or_create_organisation("Welzijn Lindewaard", "welzijnsorganisatie")
    accounts.grant_role(worker, area.parent or area, Role.PROFESSIONAL, organisation=org)
    return worker


def _assisted_for(area: Area, worker: User) -> User:
    person = (
        User.objects.filter(
            assisted_by=worker, email__isnull=True, home_neighbourhood=area, is_active=True
        )
        .order_by("id")
        .first()
    )
    if person is not None:
        return person
    return accounts.register_assisted(
        professional=worker,
        display_name="Mevrouw Jansen",
        home_neighbourhood=area,
        consent_given=True,
        consent_method=Consent.Method.PAPER,
        consent_note="Toestemming op papier gegeven bij het buurthuis.",
        phone="0343 654 321",
    )


def load_demo_mutualhelp(municipality: Area) -> dict[str, Any]:
    """Fill neighbour help for the demo municipality; returns the main objects of the story."""
    hoods = list(
        Area.objects.filter(level=Level.NEIGHBOURHOOD, municipality=municipality).order_by("code")
    )
    hoods = [h for h in hoods if geo.centre_of(h.boundary) is not None]
    if not hoods:
        return {}
    resident = User.objects.filter(email=f"bewoner@{DEMO_DOMAIN}").first()
    home = resident.home_neighbourhood if resident and resident.home_neighbourhood else None
    if home is None or home not in hoods:
        home = hoods[0]
    existing = Post.objects.filter(title=CUPBOARD_TITLE, neighbourhood=home).first()
    if existing is not None:
        return {"cupboard": existing, "created": False}
    with transaction.atomic():
        return _load(municipality, home, hoods, resident)


def _load(
    municipality: Area, home: Area, hoods: list[Area], resident: User | None
) -> dict[str, Any]:
    now = timezone.now()
    centre = geo.centre_of(home.boundary)
    assert centre is not None
    sanne = resident or _person("bewoner", "Sanne de Wit", home, phone="06 1234 5678")
    if not sanne.phone:
        accounts.update_profile(
            sanne,
            actor=sanne,
            display_name=sanne.display_name,
            home_neighbourhood=sanne.home_neighbourhood,
            languages=sanne.languages,
            phone="06 1234 5678",
        )
        sanne.refresh_from_db()
    kees = _person("kees", "Kees Vermeulen", home, phone="06 2345 6789")
    fatima = _person("fatima", "Fatima Ouali", home, phone="06 3456 7890")
    bram = _person("bram", "Bram de Graaf", home)
    far = _person("joke", "Joke Hendriks", home)

    sanne_point = offset(centre, -60, 40)
    _profile(sanne, home, sanne_point, [Category.GARDEN, Category.COOKING], Moment.WEEKEND_MORNING)
    _profile(
        kees,
        home,
        offset(sanne_point, 120, 60),
        [Category.MOVING, Category.ODD_JOBS],
        Moment.WEEKDAY_EVENING | Moment.WEEKEND_MORNING | Moment.WEEKEND_AFTERNOON,
    )
    _profile(fatima, home, offset(sanne_point, -250, 300), [Category.MOVING, Category.LANGUAGE])
    _profile(bram, home, offset(sanne_point, 500, -450), [Category.THINGS])
    _profile(far, home, offset(sanne_point, 1400, 1400), [Category.MOVING])

    saturday = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    saturday += timedelta(days=(5 - saturday.weekday()) % 7 or 7)

    kees_offer = _post(
        kees,
        home,
        offset(sanne_point, 120, 60),
        Direction.OFFER,
        Category.MOVING,
        "Ik help met tillen en sjouwen",
        now=now - timedelta(days=6),
        recurrence=Recurrence.WEEKLY,
        moments=Moment.WEEKEND_MORNING | Moment.WEEKEND_AFTERNOON,
        description="Sterke armen en een vrije zaterdag. Bel of stuur een bericht.",
    )
    bram_offer = _post(
        bram,
        home,
        offset(sanne_point, 500, -450),
        Direction.OFFER,
        Category.MOVING,
        "Steekwagen te leen",
        now=now - timedelta(days=12),
        kind=Kind.LEND,
        description="Handig voor kasten en wasmachines. Graag binnen een week terug.",
    )

    cupboard = _post(
        sanne,
        home,
        sanne_point,
        Direction.REQUEST,
        Category.MOVING,
        CUPBOARD_TITLE,
        now=now - timedelta(days=2),
        starts_at=saturday,
        description="Een oude eikenhouten kast moet naar de eerste verdieping. Met z'n tweeën "
        "lukt het, alleen niet.",
    )
    candidates = services.candidates_for(sanne, cupboard)
    conversation, _msg = services.start_conversation(
        sanne,
        cupboard,
        body="Hoi Kees, ik zag dat je helpt met tillen. Zou je zaterdag om 10 uur kunnen?",
        participant=kees,
        other_post=kees_offer,
    )
    services.send_message(kees, conversation, "Dat kan! Ik neem mijn broer mee. Tot zaterdag.")
    services.share_contact(sanne, conversation, True)
    services.share_contact(kees, conversation, True)
    services.agree(sanne, conversation)
    services.send_message(sanne, conversation, "De kast staat boven. Heel erg bedankt!")
    services.thank(
        sanne,
        conversation,
        text="Zonder jullie was het nooit gelukt. De koffie staat klaar!",
        nominate=True,
        reason="Kees staat altijd klaar voor de buurt.",
    )
    services.thank(kees, conversation, text="Graag gedaan, en dank voor de koffie en taart.")

    # A new open request: the three nearby candidates are on its "who can help" page.
    sofa = _post(
        sanne,
        home,
        sanne_point,
        Direction.REQUEST,
        Category.MOVING,
        "Oude bank naar de stoep brengen",
        now=now - timedelta(hours=3),
        moments=Moment.WEEKEND_MORNING,
    )

    # The community worker posts for a neighbour without internet and can print the card.
    worker = _worker_for(home, municipality)
    if not worker.phone:
        accounts.update_profile(
            worker,
            actor=worker,
            display_name=worker.display_name,
            home_neighbourhood=worker.home_neighbourhood,
            languages=worker.languages,
            phone="0343 123 456",
        )
    jansen = _assisted_for(home, worker)
    jansen_request = _post(
        worker,
        home,
        offset(centre, 200, -150),
        Direction.REQUEST,
        Category.SHOPPING,
        "Wie neemt wekelijks boodschappen mee?",
        now=now - timedelta(days=1),
        owner=jansen,
        recurrence=Recurrence.WEEKLY,
        moments=Moment.WEEKDAY_MORNING | Moment.WEEKDAY_AFTERNOON,
        description="Mevrouw Jansen loopt slecht. Een vast iemand voor de boodschappen op "
        "dinsdag of woensdag zou fijn zijn.",
    )
    services.add_assisted_helper(
        worker, jansen, kees, method=Consent.Method.IN_PERSON, note="Afgesproken bij de koffie."
    )
    services.award_bloemetje(
        worker,
        kees.home_neighbourhood or home,
        timezone.localdate(now),
        kees,
        "Kees tilt, sjouwt en helpt, elke week weer.",
    )
    award = services.current_bloemetje(kees.home_neighbourhood or home)
    if award is not None:
        services.set_bloemetje_name_public(kees, award, True)

    # Offers and requests across the municipality, so every neighbourhood page has something.
    spread: list[tuple[str, str, str, dict[str, Any]]] = [
        (Direction.OFFER, Category.THINGS, "Heggenschaar te leen", {"kind": Kind.LEND}),
        (Direction.OFFER, Category.THINGS, "Ladder (3 meter) te leen", {"kind": Kind.LEND}),
        (Direction.OFFER, Category.DIGITAL, "Hulp met uw telefoon of tablet", {"kind": Kind.SKILL}),
        (Direction.OFFER, Category.COMPANY, "Samen een rondje wandelen", {"kind": Kind.TIME}),
        (Direction.OFFER, Category.GARDEN, "Ik maai uw gras mee", {}),
        (
            Direction.OFFER,
            Category.TRANSPORT,
            "Rit naar het ziekenhuis op dinsdag",
            {
                "kind": Kind.RIDE,
                "ride_from": "Lindeplein",
                "ride_to": "Ziekenhuis",
                "seats": 2,
                "recurrence": Recurrence.WEEKLY,
            },
        ),
        (Direction.REQUEST, Category.PETS, "Wie voert mijn kat tijdens de vakantie?", {}),
        (Direction.REQUEST, Category.PAPERWORK, "Hulp bij een formulier van de gemeente", {}),
        (
            Direction.REQUEST,
            Category.LANGUAGE,
            "Oefenen met Nederlands praten",
            {"kind": Kind.TIME},
        ),
    ]
    neighbours: list[User] = [kees, fatima, bram]
    for i, area in enumerate(hoods):
        area_centre = geo.centre_of(area.boundary)
        assert area_centre is not None
        if area.pk == home.pk:
            author = fatima
        else:
            author = _person(f"buur{i + 1}", f"Buurtgenoot {area.name}", area)
            neighbours.append(author)
        for j in range(3):
            direction, category, title, extra = spread[(i * 3 + j) % len(spread)]
            angle = (i * 3 + j) * 1.7
            _post(
                author,
                area,
                offset(area_centre, 150 * math.sin(angle), 150 * math.cos(angle)),
                direction,
                category,
                title,
                now=now - timedelta(days=(i + j) % 5, hours=j),
                **extra,
            )

    # A request nobody answered: the community worker sees it flagged (not the public).
    lonely = _post(
        far,
        home,
        offset(sanne_point, -300, -200),
        Direction.REQUEST,
        Category.ODD_JOBS,
        "Lamp ophangen in de gang",
        now=now - timedelta(days=9),
    )
    services.flag_unanswered(now)

    # A report in the moderation queue.
    spam = _post(
        bram,
        home,
        offset(sanne_point, 500, -450),
        Direction.OFFER,
        Category.OTHER,
        "Goedkope zonnepanelen, bel nu",
        now=now - timedelta(hours=5),
    )
    services.report(
        sanne,
        post=spam,
        reason=Report.Reason.COMMERCIAL,
        text="Dit is verkoop, geen burenhulp.",
    )
    for post in (cupboard, sofa, jansen_request, lonely, kees_offer, bram_offer):
        post.refresh_from_db()
    return {
        "created": True,
        "cupboard": cupboard,
        "candidates": candidates,
        "conversation": Conversation.objects.get(pk=conversation.pk),
        "sofa": sofa,
        "jansen_request": jansen_request,
        "bram_offer": bram_offer,
        "kees_offer": kees_offer,
        "lonely": lonely,
        "worker": worker,
        "people": {"sanne": sanne, "kees": kees, "fatima": fatima, "bram": bram, "jansen": jansen},
        "neighbours": neighbours,
    }
