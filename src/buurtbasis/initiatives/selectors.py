"""Read-side queries for the initiative pages and the API: the showcase (*etalage*) with its
filters and map, one initiative with everything around it, votes and their results.

The showcase never ranks by likes, votes or money: initiatives are listed by name (or newest
first, when asked)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbasis.areas import selectors as area_selectors
from buurtbasis.areas.models import Area, Level
from buurtbasis.ledger import services as ledger

from .models import (
    Comment,
    Decision,
    GrantRequest,
    Initiative,
    Need,
    NeedAnswer,
    Story,
    Theme,
    Vote,
    VoteOption,
)


def initiatives_in(area: Area) -> QuerySet[Initiative]:
    """The initiatives in a neighbourhood, district or municipality."""
    qs = Initiative.objects.select_related("area", "area__parent", "place")
    if area.level == Level.NEIGHBOURHOOD:
        return qs.filter(area=area)
    if area.level == Level.DISTRICT:
        return qs.filter(area__parent=area)
    return qs.filter(area__municipality=area)


@dataclass
class Filters:
    query: str = ""
    theme: str = ""
    need: str = ""
    neighbourhood: str = ""
    state: str = ""
    order: str = "name"

    @classmethod
    def from_request(cls, params: Any) -> Filters:
        theme = params.get("thema", "")
        need = params.get("behoefte", "")
        state = params.get("stand", "")
        order = params.get("volgorde", "name")
        return cls(
            query=str(params.get("q", "")).strip()[:100],
            theme=theme if theme in Theme.values else "",
            need=need if need in Need.Kind.values else "",
            neighbourhood=str(params.get("buurt", "")).strip().upper()[:10],
            state=state if state in Initiative.State.values else "",
            order=order if order in ("name", "new") else "name",
        )


def showcase(area: Area, filters: Filters) -> list[Initiative]:
    """The showcase list: search and filters; by name (or newest first). Never by
    popularity."""
    qs = initiatives_in(area)
    if filters.query:
        qs = qs.filter(
            Q(name__icontains=filters.query)
            | Q(description__icontains=filters.query)
            | Q(needs_text__icontains=filters.query)
        )
    if filters.theme:
        qs = qs.filter(themes__theme=filters.theme)
    if filters.need:
        qs = qs.filter(needs__kind=filters.need, needs__status=Need.Status.OPEN)
    if filters.neighbourhood:
        qs = qs.filter(area__code=filters.neighbourhood)
    if filters.state:
        qs = qs.filter(state=filters.state)
    qs = qs.prefetch_related(
        "themes", Prefetch("needs", queryset=Need.objects.filter(status=Need.Status.OPEN))
    ).distinct()
    ordering = ["-created_at", "-pk"] if filters.order == "new" else ["name", "pk"]
    return list(qs.order_by(*ordering)[:500])


def neighbourhoods_of(area: Area) -> list[Area]:
    if area.level == Level.NEIGHBOURHOOD:
        return [area]
    if area.level == Level.DISTRICT:
        return list(Area.objects.filter(parent=area, level=Level.NEIGHBOURHOOD).order_by("name"))
    return list(Area.objects.filter(municipality=area, level=Level.NEIGHBOURHOOD).order_by("name"))


def map_data(area: Area, initiatives: list[Initiative]) -> dict[str, Any] | None:
    """The area's outline, its neighbourhoods or districts (each linking to its own showcase,
    with how many initiatives are listed) and a point for each initiative with a place, for
    ``static/buurtbasis/js/map.js``."""
    kids = list(area_selectors.children(area)) if area.level != Level.NEIGHBOURHOOD else []
    data = area_selectors.map_data(area, kids)
    counts: dict[int, int] = defaultdict(int)
    for initiative in initiatives:
        counts[initiative.area_id] += 1
        if area.level == Level.MUNICIPALITY and initiative.area.parent_id:
            counts[initiative.area.parent_id] += 1
    features = list(data["features"]) if data else []
    by_code = {k.code: k for k in kids}
    for feature in features:
        props = feature["properties"]
        kid = by_code.get(props.get("code", ""))
        if props.get("role") == "child" and kid is not None:
            props["url"] = reverse("initiatives:showcase", kwargs={"code": kid.code})
            props["name"] = _("%(name)s: %(n)s initiatieven") % {
                "name": kid.name,
                "n": counts.get(kid.pk, 0),
            }
    for initiative in initiatives:
        place = initiative.place
        if place is None or place.latitude is None or place.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(place.longitude), float(place.latitude)],
                },
                "properties": {
                    "name": initiative.name,
                    "role": "place",
                    "url": initiative.get_absolute_url(),
                },
            }
        )
    if not features:
        return None
    return {"type": "FeatureCollection", "features": features}


# --- One initiative ---------------------------------------------------------------------------


@dataclass
class NeedView:
    need: Need
    answers: list[NeedAnswer]


@dataclass
class InitiativeView:
    initiative: Initiative
    owners: list[Any]
    themes: list[str]
    needs: list[NeedView]
    comments: list[Comment]
    grants: list[GrantRequest]
    stories: list[Story]
    balance: int | None
    goals: list[Any] = field(default_factory=list)
    votes: list[VoteOption] = field(default_factory=list)


def initiative_view(initiative: Initiative) -> InitiativeView:
    needs = list(
        initiative.needs.prefetch_related(
            Prefetch(
                "answers",
                queryset=NeedAnswer.objects.select_related(
                    "responder", "organisation", "place", "drawing_right__provider_organisation"
                ),
            )
        ).order_by("status", "pk")
    )
    balance = ledger.balance(initiative.account) if initiative.account is not None else None
    return InitiativeView(
        initiative=initiative,
        owners=[o.user for o in initiative.owners.select_related("user")],
        themes=[t.get_theme_display() for t in initiative.themes.all()],
        needs=[NeedView(n, list(n.answers.all())) for n in needs],
        comments=list(initiative.comments.select_related("author")),
        grants=list(
            initiative.grant_requests.select_related(
                "line__theme", "line__district_budget", "host"
            ).annotate(spent=Sum("expenses__amount_cents"))
        ),
        stories=list(initiative.stories.select_related("author", "grant")),
        balance=balance,
        goals=list(initiative.agenda_goals.all()),
        votes=list(initiative.vote_options.select_related("vote")),
    )


def grant_view(request: GrantRequest) -> dict[str, Any]:
    decisions = list(request.decisions.select_related("decider").order_by("decided_at", "pk"))
    expenses = list(request.expenses.order_by("spent_on", "pk"))
    spent = sum(e.amount_cents for e in expenses)
    return {
        "items": list(request.items.all()),
        "decisions": decisions,
        "resident_decided": any(d.capacity == Decision.Capacity.RESIDENT for d in decisions),
        "professional_decided": any(
            d.capacity == Decision.Capacity.PROFESSIONAL for d in decisions
        ),
        "yes": sum(1 for d in decisions if d.approve),
        "no": sum(1 for d in decisions if not d.approve),
        "expenses": expenses,
        "spent": spent,
        "left": request.amount_cents - spent,
        "stories": list(request.stories.select_related("author")),
    }


# --- Votes ------------------------------------------------------------------------------------


def votes_in(district: Area) -> QuerySet[Vote]:
    return (
        Vote.objects.filter(line__district_budget__district=district)
        .select_related("line__theme", "line__district_budget")
        .annotate(option_count=Count("options", filter=Q(options__removed_at__isnull=True)))
        .order_by("-created_at", "-pk")
    )


def result_rows(vote: Vote) -> list[VoteOption]:
    """The options of a counted vote: Equal Shares winners in the order they were chosen,
    then the others by name."""
    options = list(
        vote.options.filter(removed_at__isnull=True).select_related("initiative", "grant")
    )
    return sorted(
        options,
        key=lambda o: (
            0 if o.mes_selected else 1,
            o.mes_round or 0,
            o.initiative.name.lower(),
        ),
    )
