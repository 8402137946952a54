"""``/api/v1/initiatives/``: initiatives, grant requests, votes and funds.

Reading is public (it is public money and public initiatives); adding an initiative needs a
signed-in session. Amounts are integer cents. Ballots are never exposed: a vote shows its
options and, once counted, the approvals per option and both results — never who voted what.
Deciders are shown by capacity (resident, professional, panel member), not by name.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from buurtbasis.areas.models import Area

from . import selectors, services
from .models import GrantRequest, Initiative, Vote

router = Router(tags=["initiatives"])


class ErrorOut(Schema):
    error: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


class NeedOut(Schema):
    id: int
    kind: str = Field(..., description="money, hours, space, things of volunteers.")
    description: str
    amount_cents: int | None
    minutes: int | None
    status: str = Field(..., description="open, met (gevonden) of closed.")


class InitiativeOut(Schema):
    id: int
    name: str
    description: str
    area: str = Field(..., description="CBS-code van de buurt.")
    area_name: str
    district: str | None = Field(..., description="CBS-code van de wijk.")
    contact: str
    needs_text: str
    state: str = Field(..., description="idea, running, paused of ended.")
    state_note: str
    themes: list[str]
    place_id: int | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    url: str


class StoryOut(Schema):
    text: str
    created_at: datetime.datetime
    grant_id: int | None


class InitiativeDetailOut(InitiativeOut):
    needs: list[NeedOut]
    grants: list[int] = Field(..., description="Ids van aanvragen bij het wijkbudget.")
    received_cents: int = Field(..., description="Toegekend uit wijkbudgetten (cent).")
    host: str | None = Field(..., description="Gastorganisatie die het geld beheert.")
    stories: list[StoryOut]


class InitiativeIn(Schema):
    name: str = ""
    description: str = ""
    area: str = Field("", description="CBS-code van de buurt, bijv. BU03440101.")
    contact: str = ""
    needs_text: str = ""
    themes: list[str] = Field(default_factory=list)


class ItemOut(Schema):
    description: str
    amount_cents: int


class DecisionOut(Schema):
    capacity: str = Field(..., description="resident, professional of panel.")
    approve: bool
    reason: str
    decided_at: datetime.datetime


class ExpenseOut(Schema):
    description: str
    amount_cents: int
    spent_on: datetime.date


class GrantOut(Schema):
    id: int
    initiative_id: int
    initiative: str
    line_id: int
    line: str
    district: str
    year: int
    amount_cents: int
    route: str = Field(..., description="small (bewoner + professional), panel of vote.")
    status: str = Field(..., description="submitted, approved, rejected of withdrawn.")
    submitted_at: datetime.datetime
    deadline: datetime.date
    decided_at: datetime.datetime | None
    reasons: str = Field(..., description="De openbare redenen van het besluit.")
    paid: bool


class GrantDetailOut(GrantOut):
    why: str
    for_whom: str
    items: list[ItemOut]
    decisions: list[DecisionOut]
    expenses: list[ExpenseOut]


class OptionOut(Schema):
    id: int
    initiative_id: int
    initiative: str
    amount_cents: int
    summary: str
    removed: bool
    removal_reason: str
    approvals: int | None = Field(..., description="Alleen na de telling.")
    equal_shares: bool | None = Field(..., description="Gekozen door gelijke delen (de uitslag).")
    equal_shares_round: int | None
    greedy: bool | None = Field(..., description="Gekozen bij 'meeste stemmen eerst'.")


class VoteOut(Schema):
    id: int
    title: str
    district: str
    line_id: int
    budget_cents: int
    status: str = Field(..., description="nominating, open, closed of counted.")
    utility: str = Field(..., description="cost (naar bedrag) of cardinality.")
    closes_on: datetime.date | None
    voters: int | None = Field(..., description="Aantal stemmers, na de telling.")
    equal_shares_total_cents: int | None
    greedy_total_cents: int | None
    per_voter_budget: str | None = Field(
        ..., description="Deel per stemmer in centen (exacte breuk), na de telling."
    )


class VoteDetailOut(VoteOut):
    options: list[OptionOut]


class FundOut(Schema):
    id: int
    name: str
    description: str
    level: str
    area: str | None
    themes: list[str]
    min_cents: int | None
    max_cents: int | None
    deadline: datetime.date | None
    asks: str
    url: str


def _initiative_out(i: Initiative) -> dict[str, object]:
    return {
        "id": i.pk,
        "name": i.name,
        "description": i.description,
        "area": i.area.code,
        "area_name": i.area.name,
        "district": i.area.parent.code if i.area.parent else None,
        "contact": i.contact,
        "needs_text": i.needs_text,
        "state": i.state,
        "state_note": i.state_note,
        "themes": [t.theme for t in i.themes.all()],
        "place_id": i.place_id,
        "starts_on": i.starts_on,
        "ends_on": i.ends_on,
        "url": i.get_absolute_url(),
    }


def _grant_out(g: GrantRequest) -> dict[str, object]:
    return {
        "id": g.pk,
        "initiative_id": g.initiative_id,
        "initiative": g.initiative.name,
        "line_id": g.line_id,
        "line": g.line.label,
        "district": g.line.district_budget.district.code,
        "year": g.line.district_budget.year,
        "amount_cents": g.amount_cents,
        "route": g.route,
        "status": g.status,
        "submitted_at": g.submitted_at,
        "deadline": g.deadline,
        "decided_at": g.decided_at,
        "reasons": g.reasons,
        "paid": g.payout_id is not None,
    }


def _vote_out(v: Vote) -> dict[str, object]:
    counted = v.status == Vote.Status.COUNTED
    return {
        "id": v.pk,
        "title": v.title,
        "district": v.line.district_budget.district.code,
        "line_id": v.line_id,
        "budget_cents": v.budget_cents,
        "status": v.status,
        "utility": v.utility,
        "closes_on": v.closes_on,
        "voters": v.voters if counted else None,
        "equal_shares_total_cents": v.mes_total_cents if counted else None,
        "greedy_total_cents": v.greedy_total_cents if counted else None,
        "per_voter_budget": v.per_voter_budget if counted else None,
    }


@router.get(
    "/",
    response={200: list[InitiativeOut], 404: ErrorOut},
    summary="Initiatieven in een gebied",
    description="Zoals de etalage: op naam, met zoeken en filters (thema, behoefte, buurt, "
    "stand). Nooit gerangschikt op stemmen of likes.",
)
def list_initiatives(
    request: HttpRequest,
    area: str,
    q: str = "",
    theme: str = "",
    need: str = "",
    state: str = "",
) -> object:
    found = Area.objects.filter(code=area.strip().upper()).first()
    if found is None:
        return Status(404, {"error": _("Gebied %(code)s bestaat niet.") % {"code": area}})
    filters = selectors.Filters.from_request(
        {"q": q, "thema": theme, "behoefte": need, "stand": state}
    )
    return [_initiative_out(i) for i in selectors.showcase(found, filters)]


@router.get(
    "/grants/",
    response={200: list[GrantOut], 404: ErrorOut},
    summary="Aanvragen bij wijkbudgetten",
    description="Aanvragen in een wijk (of van één initiatief), nieuwste eerst.",
)
def list_grants(
    request: HttpRequest, district: str = "", initiative: int | None = None, status: str = ""
) -> object:
    grants = GrantRequest.objects.select_related(
        "initiative", "line__theme", "line__district_budget__district"
    ).order_by("-submitted_at", "-pk")
    if district:
        area = Area.objects.filter(code=district.strip().upper()).first()
        if area is None:
            return Status(404, {"error": _("Gebied %(code)s bestaat niet.") % {"code": district}})
        grants = grants.filter(line__district_budget__district=area)
    if initiative is not None:
        grants = grants.filter(initiative_id=initiative)
    if status in GrantRequest.Status.values:
        grants = grants.filter(status=status)
    return [_grant_out(g) for g in grants[:500]]


@router.get(
    "/grants/{grant_id}",
    response={200: GrantDetailOut, 404: ErrorOut},
    summary="Eén aanvraag",
)
def get_grant(request: HttpRequest, grant_id: int) -> object:
    g = (
        GrantRequest.objects.select_related(
            "initiative", "line__theme", "line__district_budget__district"
        )
        .filter(pk=grant_id)
        .first()
    )
    if g is None:
        return Status(404, {"error": _("Deze aanvraag bestaat niet.")})
    data = _grant_out(g)
    data.update(
        {
            "why": g.why,
            "for_whom": g.for_whom,
            "items": [
                {"description": i.description, "amount_cents": i.amount_cents}
                for i in g.items.all()
            ],
            "decisions": [
                {
                    "capacity": d.capacity,
                    "approve": d.approve,
                    "reason": d.reason,
                    "decided_at": d.decided_at,
                }
                for d in g.decisions.order_by("decided_at", "pk")
            ],
            "expenses": [
                {
                    "description": e.description,
                    "amount_cents": e.amount_cents,
                    "spent_on": e.spent_on,
                }
                for e in g.expenses.order_by("spent_on", "pk")
            ],
        }
    )
    return data


@router.get(
    "/votes/",
    response={200: list[VoteOut], 404: ErrorOut},
    summary="Buurtstemmingen in een wijk",
)
def list_votes(request: HttpRequest, district: str) -> object:
    area = Area.objects.filter(code=district.strip().upper()).first()
    if area is None:
        return Status(404, {"error": _("Gebied %(code)s bestaat niet.") % {"code": district}})
    return [_vote_out(v) for v in selectors.votes_in(area)]


@router.get(
    "/votes/{vote_id}",
    response={200: VoteDetailOut, 404: ErrorOut},
    summary="Eén buurtstemming met de stemlijst en, na de telling, de uitslag",
    description="Zonder stembiljetten: wie wat stemde is geheim.",
)
def get_vote(request: HttpRequest, vote_id: int) -> object:
    v = Vote.objects.select_related("line__district_budget__district").filter(pk=vote_id).first()
    if v is None:
        return Status(404, {"error": _("Deze stemming bestaat niet.")})
    counted = v.status == Vote.Status.COUNTED
    data = _vote_out(v)
    data["options"] = [
        {
            "id": o.pk,
            "initiative_id": o.initiative_id,
            "initiative": o.initiative.name,
            "amount_cents": o.amount_cents,
            "summary": o.summary,
            "removed": o.is_removed,
            "removal_reason": o.removal_reason,
            "approvals": o.approvals if counted else None,
            "equal_shares": o.mes_selected if counted else None,
            "equal_shares_round": o.mes_round if counted else None,
            "greedy": o.greedy_selected if counted else None,
        }
        for o in v.options.select_related("initiative").order_by("pk")
    ]
    return data


@router.get("/funds/", response=list[FundOut], summary="De lijst met fondsen")
def list_funds(request: HttpRequest, theme: str = "", level: str = "", q: str = "") -> object:
    return [
        {
            "id": f.pk,
            "name": f.name,
            "description": f.description,
            "level": f.level,
            "area": f.area.code if f.area else None,
            "themes": [t.theme for t in f.themes.all()],
            "min_cents": f.min_cents,
            "max_cents": f.max_cents,
            "deadline": f.deadline,
            "asks": f.asks,
            "url": f.url,
        }
        for f in services.funds_directory(theme=theme, level=level, query=q)
    ]


@router.get(
    "/{initiative_id}", response={200: InitiativeDetailOut, 404: ErrorOut}, summary="Eén initiatief"
)
def get_initiative(request: HttpRequest, initiative_id: int) -> object:
    i = (
        Initiative.objects.select_related("area__parent", "host")
        .prefetch_related("themes")
        .filter(pk=initiative_id)
        .first()
    )
    if i is None:
        return Status(404, {"error": _("Dit initiatief bestaat niet.")})
    data = _initiative_out(i)
    grants = list(i.grant_requests.order_by("pk"))
    data.update(
        {
            "needs": [
                {
                    "id": n.pk,
                    "kind": n.kind,
                    "description": n.description,
                    "amount_cents": n.amount_cents,
                    "minutes": n.minutes,
                    "status": n.status,
                }
                for n in i.needs.order_by("pk")
            ],
            "grants": [g.pk for g in grants],
            "received_cents": sum(
                g.amount_cents for g in grants if g.status == GrantRequest.Status.APPROVED
            ),
            "host": i.host.name if i.host else None,
            "stories": [
                {"text": s.text, "created_at": s.created_at, "grant_id": s.grant_id}
                for s in i.stories.all()
            ],
        }
    )
    return data


@router.post(
    "/",
    response={201: InitiativeDetailOut, 400: ErrorOut, 403: ErrorOut},
    auth=django_auth,
    summary="Initiatief beginnen",
    description="Met de vijf gegevens die nodig zijn: naam, wat je wilt doen, buurt, contact en "
    "wat je nodig hebt.",
)
def create_initiative(request: HttpRequest, payload: InitiativeIn) -> object:
    data = payload.dict()
    data["area"] = Area.objects.filter(code=data.pop("area").strip().upper()).first()
    try:
        initiative = services.create_initiative(request.user, **data)
    except ValidationError as exc:
        return Status(400, {"error": _("Niet alles is goed ingevuld."), "fields": exc.message_dict})
    except PermissionDenied as exc:
        return Status(403, {"error": str(exc)})
    return Status(201, get_initiative(request, initiative.pk))
