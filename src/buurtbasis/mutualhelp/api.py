"""``/api/v1/help/``: neighbour-help posts and matches as JSON.

Never an exact location: a post shows its neighbourhood (not for a vulnerable person) and, for
a signed-in person with a point, the distance rounded to 100 m — exactly what the pages show.
Writing and matches need a signed-in session (and its CSRF token)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from buurtbasis.accounts.models import User
from buurtbasis.areas.models import Area, Level

from . import geo, services
from .conf import setting
from .models import Category, Direction, Kind, Moment, Post, Recurrence

router = Router(tags=["help"])


class ErrorOut(Schema):
    error: str = Field(..., description="Wat er mis is, in de taal van het verzoek.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Per veld wat er mis is (bij ongeldige invoer)."
    )


class ChoiceOut(Schema):
    value: str | int
    label: str


class ChoicesOut(Schema):
    directions: list[ChoiceOut]
    kinds: list[ChoiceOut]
    categories: list[ChoiceOut]
    recurrences: list[ChoiceOut]
    moments: list[ChoiceOut]
    radii_m: list[int]


class AreaRef(Schema):
    code: str
    name: str


class PostOut(Schema):
    id: int
    direction: str
    kind: str
    category: str
    category_label: str
    title: str
    description: str
    status: str
    neighbourhood: AreaRef | None = Field(
        ...,
        description="De buurt; leeg als de plek niet getoond mag worden (een kwetsbare "
        "persoon: alleen de eigen kant en de helper met gedeelde contactgegevens zien die).",
    )
    distance: str | None = Field(
        ..., description="Afgeronde afstand tot uw eigen plek, bijv. '± 400 m' of '< 200 m'."
    )
    distance_rounded_m: int | None = Field(
        ..., description="Dezelfde afstand in meters, afgerond op 100 m (leeg onder 200 m)."
    )
    owner_name: str | None = Field(..., description="Naam die anderen zien (alleen ingelogd).")
    on_behalf: bool
    recurrence: str
    moments: list[int]
    starts_at: datetime | None
    return_by: date | None
    ride_from: str = Field(
        ..., description="Bij een rit: van. Leeg als de plek niet getoond mag worden."
    )
    ride_to: str = Field(
        ..., description="Bij een rit: naar. Leeg als de plek niet getoond mag worden."
    )
    seats: int | None
    created_at: datetime


class PostIn(Schema):
    direction: str = ""
    category: str = ""
    title: str = ""
    kind: str = Kind.TASK
    description: str = ""
    neighbourhood: str = Field("", description="CBS-code van de buurt, bijv. BU03440101.")
    lat: str | None = Field(None, description="Eigen plek (wordt nooit teruggegeven).")
    lon: str | None = None
    radius_m: int | None = None
    recurrence: str = Recurrence.ONCE
    moments: list[int] = Field(default_factory=list)
    starts_at: datetime | None = None
    return_by: date | None = None
    ride_from: str = ""
    ride_to: str = ""
    seats: int | None = None
    hide_location: bool = False
    on_behalf_of: int | None = Field(
        None, description="Id van de persoon zonder internet voor wie u plaatst (met toestemming)."
    )


class CandidateOut(Schema):
    name: str
    source: str = Field(..., description="'post' (open aanbod of vraag) of 'capability'.")
    post_id: int | None
    kind: str | None
    distance: str | None
    distance_rounded_m: int | None
    score: int = Field(..., description="Zie docs/mutualhelp.md: afstand, soort, tijd, recent.")


def _error(status: int, message: str, fields: dict[str, list[str]] | None = None) -> Status[Any]:
    return Status(status, {"error": message, "fields": fields or {}})


def _post_out(post: Post, request: HttpRequest, point: tuple[int, int] | None) -> dict[str, Any]:
    d = services.visible_distance(post, point)
    signed_in = request.user.is_authenticated
    places = services.may_see_places(request.user, post)
    return {
        "id": post.pk,
        "direction": post.direction,
        "kind": post.kind,
        "category": post.category,
        "category_label": post.get_category_display(),
        "title": post.title,
        "description": post.description,
        "status": post.status,
        "neighbourhood": None
        if not places
        else {"code": post.neighbourhood.code, "name": post.neighbourhood.name},
        "distance": geo.format_distance(d) if d is not None else None,
        "distance_rounded_m": geo.round_distance_m(d) if d is not None else None,
        "owner_name": post.owner.display_name if signed_in else None,
        "on_behalf": post.on_behalf,
        "recurrence": post.recurrence,
        "moments": [m for m in Moment.values if post.moments & m],
        "starts_at": post.starts_at,
        "return_by": post.return_by,
        "ride_from": post.ride_from if places else "",
        "ride_to": post.ride_to if places else "",
        "seats": post.seats,
        "created_at": post.created_at,
    }


@router.get("/choices", response=ChoicesOut, summary="Keuzelijsten")
def choices(request: HttpRequest) -> object:
    def pairs(items: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
        return [{"value": v, "label": str(label)} for v, label in items]

    return {
        "directions": pairs(Direction.choices),
        "kinds": pairs(Kind.choices),
        "categories": pairs(Category.choices),
        "recurrences": pairs(Recurrence.choices),
        "moments": pairs(Moment.choices),
        "radii_m": list(services.radius_choices()),
    }


@router.get(
    "/posts",
    response={200: list[PostOut], 404: ErrorOut},
    summary="Open vragen en aanbod van een buurt",
    description="Nieuwste eerst. Vragen en aanbod van kwetsbare personen staan nooit in deze "
    "lijst (die bereiken helpers alleen via het zoeken naar wie kan helpen).",
)
def list_posts(
    request: HttpRequest,
    neighbourhood: str,
    direction: str | None = None,
    category: str | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
) -> object:
    area = Area.objects.filter(
        code=neighbourhood.strip().upper(), level=Level.NEIGHBOURHOOD
    ).first()
    if area is None:
        return _error(404, _("Buurt %(code)s bestaat niet.") % {"code": neighbourhood})
    point = services.viewer_point(request.user)
    directions = [direction] if direction in Direction.values else Direction.values
    qs = Post.objects.listed().filter(neighbourhood=area, direction__in=directions)
    if category:
        qs = qs.filter(category=category)
    qs = qs.select_related("owner", "neighbourhood").order_by("-created_at", "-id")
    return [_post_out(p, request, point) for p in qs[offset : offset + limit]]


@router.get("/posts/{post_id}", response={200: PostOut, 404: ErrorOut}, summary="Eén oproep")
def get_post(request: HttpRequest, post_id: int) -> object:
    post = Post.objects.select_related("owner", "neighbourhood").filter(pk=post_id).first()
    if post is None or not services.can_view_post(request.user, post):
        return _error(404, _("Niet gevonden."))
    return _post_out(post, request, services.viewer_point(request.user))


@router.get("/mine", response=list[PostOut], auth=django_auth, summary="Mijn vragen en aanbod")
def my_posts(request: HttpRequest) -> object:
    user = request.user
    assert isinstance(user, User)
    qs = (
        Post.objects.filter(owner=user)
        .exclude(status=Post.Status.WITHDRAWN)
        .select_related("owner", "neighbourhood")
        .order_by("-created_at")[:100]
    )
    point = services.viewer_point(user)
    return [_post_out(p, request, point) for p in qs]


@router.post(
    "/posts",
    response={201: PostOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    auth=django_auth,
    summary="Een vraag of aanbod plaatsen",
)
def create_post(request: HttpRequest, data: PostIn) -> object:
    if is_ratelimited(
        request,
        group="mutualhelp.post",
        key="user_or_ip",
        rate=str(setting("POST_RATE")),
        method="POST",
        increment=True,
    ):
        return _error(429, _("Te veel berichten achter elkaar. Probeer het later opnieuw."))
    user = request.user
    assert isinstance(user, User)
    area = None
    if data.neighbourhood:
        area = Area.objects.filter(code=data.neighbourhood.strip().upper()).first()
    owner = None
    if data.on_behalf_of is not None:
        owner = User.objects.filter(pk=data.on_behalf_of).first()
        if owner is None:
            return _error(404, _("Deze persoon bestaat niet."))
    try:
        post = services.create_post(
            user,
            owner=owner,
            direction=data.direction,
            category=data.category,
            title=data.title,
            kind=data.kind,
            description=data.description,
            neighbourhood=area,
            lat=data.lat,
            lon=data.lon,
            radius_m=data.radius_m,
            recurrence=data.recurrence,
            moments=sum(set(data.moments)),
            starts_at=data.starts_at,
            return_by=data.return_by,
            ride_from=data.ride_from,
            ride_to=data.ride_to,
            seats=data.seats,
            hide_location=data.hide_location,
        )
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return _error(400, " ".join(exc.messages), fields)
    return Status(201, _post_out(post, request, services.viewer_point(user)))


@router.get(
    "/posts/{post_id}/matches",
    response={200: list[CandidateOut], 404: ErrorOut},
    auth=django_auth,
    summary="Wie kan helpen (bij een vraag) of welke vragen passen (bij aanbod)",
    description="Alleen voor wie de oproep plaatste. Gerangschikt volgens de regel in "
    "docs/mutualhelp.md; nooit een precieze plek.",
)
def matches(request: HttpRequest, post_id: int) -> object:
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return _error(404, _("Niet gevonden."))
    try:
        candidates = services.candidates_for(request.user, post)
    except PermissionDenied:
        return _error(404, _("Niet gevonden."))
    names = dict(
        User.objects.filter(pk__in=[c.user_id for c in candidates]).values_list(
            "pk", "display_name"
        )
    )
    return [
        {
            "name": names.get(c.user_id, ""),
            "source": c.source,
            "post_id": c.post_id,
            "kind": c.kind,
            "distance": None if d is None else geo.format_distance(d),
            "distance_rounded_m": None if d is None else geo.round_distance_m(d),
            "score": c.score,
        }
        for c in candidates
        for d in [services.candidate_distance(post, c)]
    ]


def _change(request: HttpRequest, post_id: int, action: str) -> object:
    post = Post.objects.select_related("owner", "neighbourhood").filter(pk=post_id).first()
    if post is None or not services.can_view_post(request.user, post):
        return _error(404, _("Niet gevonden."))
    func = services.withdraw_post if action == "withdraw" else services.close_post
    try:
        func(request.user, post)
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except ValidationError as exc:
        return _error(400, " ".join(exc.messages))
    return _post_out(post, request, services.viewer_point(request.user))


@router.post(
    "/posts/{post_id}/withdraw",
    response={200: PostOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=django_auth,
    summary="Intrekken",
)
def withdraw(request: HttpRequest, post_id: int) -> object:
    return _change(request, post_id, "withdraw")


@router.post(
    "/posts/{post_id}/close",
    response={200: PostOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=django_auth,
    summary="Afronden",
)
def close(request: HttpRequest, post_id: int) -> object:
    return _change(request, post_id, "close")
